"""The states and kinds that cross layers, as StrEnums (columns stay plain strings: no migration).

A StrEnum member equals its string, so stored rows and old payloads read the same; code compares
with members, never with raw strings.
"""

from __future__ import annotations

from enum import StrEnum


class PrintJobState(StrEnum):
    """A slip's way to paper."""

    PENDING = "pending"
    PRINTING = "printing"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


WAITING_JOBS = (PrintJobState.PENDING, PrintJobState.FAILED)


class OutboxState(StrEnum):
    """An outbox row's way to its destination."""

    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    ACKNOWLEDGED = "acknowledged"
    NEEDS_ATTENTION = "needs_attention"
    SKIPPED = "skipped"


UNSETTLED = (OutboxState.PENDING, OutboxState.IN_FLIGHT)


class CardStatus(StrEnum):
    """A local card: valid, or exchanged for the national certificate (withdrawn)."""

    ISSUED = "issued"
    EXCHANGED = "exchanged"


class OutcomeKind(StrEnum):
    """What a check-in told the attendee."""

    ADMITTED = "admitted"
    ALREADY_CHECKED_IN = "already_checked_in"
    FULL = "full"
    PASS_HELD = "pass_held"
    NOT_REGISTERED = "not_registered"
    UNRECOGNISED = "unrecognised"
    TOO_EARLY = "too_early"
    PLAN_OVER = "plan_over"
    FULL_NO_PASS = "full_no_pass"  # a venue station cut off from the hub cannot hold a slot for a pass
    APPOINTMENT_LATER = "appointment_later"  # quota.appointments: their appointment is on a later day
    APPOINTMENT_MISSED = "appointment_missed"  # quota.appointments = "exact": their day has passed
    PASS_NOT_TODAY = "pass_not_today"
    PASS_USED = "pass_used"
    PASS_UNKNOWN = "pass_unknown"
    FORGED = "forged"
    CARD_SCANNED = "card_scanned"


class CertificateStatus(StrEnum):
    """The national certificate for a dose, as the central server reports it."""

    ISSUED = "issued"
    NOT_YET = "not_yet"
    UNREACHABLE = "unreachable"
