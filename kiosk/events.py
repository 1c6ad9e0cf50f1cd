"""The outbox's contract: one frozen, versioned event type per topic, built by the services, read by every adapter.

A payload is ``to_payload()`` of an event: plain JSON values plus ``"v"``, the event's version.
Adapters (FHIR, JSON, the venue hub) read it back with ``read_event``, never a table's columns by
key, so renaming a column cannot silently change what is sent. Changing an event's fields means
raising its ``VERSION`` (tests/unit/test_events.py holds the shapes and fails otherwise); readers
keep reading older versions. Rows written before this module (no ``"v"``) have the same keys as
version 1.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import typing
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Event:
    """Base of every outbox event: ``TOPIC`` and ``VERSION`` name the contract."""

    TOPIC: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1

    def to_payload(self) -> dict[str, Any]:
        """The event as stored in the outbox row: JSON values and its version."""
        data = {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}
        return {**data, "v": self.VERSION}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Event:
        """Read a stored payload back (unknown keys are ignored: a newer writer may add some)."""
        hints = typing.get_type_hints(cls)
        values = {f.name: _typed(hints[f.name], payload.get(f.name)) for f in dataclasses.fields(cls)}
        return cls(**values)


@dataclass(frozen=True)
class VisitCheckedIn(Event):
    """An attendee was admitted for today: the visit with its queue number."""

    TOPIC: ClassVar[str] = "visit.checked_in"
    visit_id: uuid.UUID
    registration_id: uuid.UUID
    nik: str
    name: str
    service_day: dt.date
    queue_number: str
    dose_number: int
    station_id: str
    checked_in_at: dt.datetime


@dataclass(frozen=True)
class ScreeningRecorded(Event):
    """The screening desk's record: answers, the computed and the final outcome, under a rule-set version."""

    TOPIC: ClassVar[str] = "screening.recorded"
    id: uuid.UUID
    visit_id: uuid.UUID
    registration_id: uuid.UUID
    nik: str
    dose_number: int
    rule_set_version: str
    answers_json: str
    computed_outcome: str
    outcome: str
    reasons: str
    override_reason: str
    recheck_on: dt.date | None
    screened_by: str
    screened_at: dt.datetime


@dataclass(frozen=True)
class VaccinationRecorded(Event):
    """A dose given: product (and its CVX code), lot, expiry, dose number, who and when."""

    TOPIC: ClassVar[str] = "vaccination.recorded"
    id: uuid.UUID
    visit_id: uuid.UUID
    registration_id: uuid.UUID
    nik: str
    product: str
    cvx: str
    lot: str
    expiry: dt.date
    dose_number: int
    site: str
    vaccinator: str
    interval_table_version: str
    given_at: dt.datetime


@dataclass(frozen=True)
class CardIssued(Event):
    """A signed temporary card was issued for a visit."""

    TOPIC: ClassVar[str] = "card.issued"
    card_id: uuid.UUID
    short_id: str
    visit_id: uuid.UUID
    registration_id: uuid.UUID


@dataclass(frozen=True)
class PassIssued(Event):
    """Someone turned away got a priority pass for a later day."""

    TOPIC: ClassVar[str] = "pass.issued"
    pass_id: uuid.UUID
    registration_id: uuid.UUID
    valid_on: dt.date


@dataclass(frozen=True)
class RegistrationCreated(Event):
    """A person the venue may serve: imported or registered as a walk-in."""

    TOPIC: ClassVar[str] = "registration.created"
    id: uuid.UUID
    nik: str
    name: str
    birth_date: dt.date
    sex: str
    phone: str
    code: str
    appointment_date: dt.date | None
    session: str
    source: str
    created_at: dt.datetime


@dataclass(frozen=True)
class VisitNoShow(Event):
    """A visit the day closed on without a dose: its slot went back."""

    TOPIC: ClassVar[str] = "visit.no_show"
    visit_id: uuid.UUID


EVENT_TYPES: dict[str, type[Event]] = {cls.TOPIC: cls for cls in (
    VisitCheckedIn, ScreeningRecorded, VaccinationRecorded, CardIssued, PassIssued, RegistrationCreated, VisitNoShow)}


def read_event(topic: str, payload_json: str | dict[str, Any]) -> Event:
    """The event an outbox row holds; KeyError for a topic no event type has."""
    payload = json.loads(payload_json) if isinstance(payload_json, str) else payload_json
    return EVENT_TYPES[topic].from_payload(payload)


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID | dt.date):  # datetime is a date too
        return str(value)
    return value


def _typed(hint: Any, value: Any) -> Any:
    """A stored JSON value as the field's type (strings for ids, dates and instants)."""
    if value is None:
        return None
    kinds = typing.get_args(hint) or (hint,)
    if uuid.UUID in kinds:
        return uuid.UUID(str(value))
    if dt.datetime in kinds:
        return dt.datetime.fromisoformat(str(value))
    if dt.date in kinds:
        return dt.date.fromisoformat(str(value)[:10])
    if int in kinds and not isinstance(value, bool):
        return int(value)
    return value
