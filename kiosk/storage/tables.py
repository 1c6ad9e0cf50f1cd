"""SQLModel tables: the storage shape. Every row that leaves the station has a UUID made here."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from kiosk.states import CardStatus, OutboxState, PrintJobState
from kiosk.storage.types import UTCDateTime


def _instant(**kw: Any) -> Any:
    return Field(sa_column=Column(UTCDateTime(), **kw))  # type: ignore[arg-type]


class Registration(SQLModel, table=True):
    """A person who may be served: imported from online registration or registered as walk-in."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    nik: str = Field(unique=True, index=True, max_length=16)
    name: str
    birth_date: dt.date
    sex: str = Field(max_length=1)
    phone: str = ""
    code: str = Field(unique=True, index=True)
    appointment_date: dt.date | None = None
    session: str = ""
    source: str = "import"  # import | walkin
    created_at: dt.datetime = _instant(nullable=False)


class Visit(SQLModel, table=True):
    """One person's visit on one service day, from check-in to card (or to the reason it ended)."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    registration_id: uuid.UUID = Field(foreign_key="registration.id", index=True)
    service_day: dt.date = Field(index=True)
    state: str
    queue_number: str
    dose_number: int
    walkin: bool = False
    priority_pass_id: uuid.UUID | None = Field(default=None, foreign_key="prioritypass.id")
    station_id: str
    checked_in_at: dt.datetime = _instant(nullable=False)
    updated_at: dt.datetime = _instant(nullable=False)


class Screening(SQLModel, table=True):
    """A screening as recorded, with the rule-set version it was evaluated under."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    visit_id: uuid.UUID = Field(foreign_key="visit.id", index=True)
    rule_set_version: str
    answers_json: str
    computed_outcome: str
    outcome: str
    reasons: str = ""
    override_reason: str = ""
    recheck_on: dt.date | None = None
    screened_by: str
    screened_at: dt.datetime = _instant(nullable=False)


class Vaccination(SQLModel, table=True):
    """A dose given."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    visit_id: uuid.UUID = Field(foreign_key="visit.id", unique=True)
    registration_id: uuid.UUID = Field(foreign_key="registration.id", index=True)
    product: str
    lot: str
    expiry: dt.date
    dose_number: int
    site: str
    vaccinator: str
    interval_table_version: str
    given_at: dt.datetime = _instant(nullable=False)


class Card(SQLModel, table=True):
    """A temporary local vaccination card, to be exchanged for the national certificate."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    short_id: str = Field(unique=True, index=True)
    visit_id: uuid.UUID = Field(foreign_key="visit.id", unique=True)
    payload: str
    status: str = CardStatus.ISSUED  # a kiosk.states.CardStatus
    reprints: int = 0
    issued_at: dt.datetime = _instant(nullable=False)
    certificate_id: str = ""  # the national certificate it was exchanged for
    exchanged_by: str = ""
    exchanged_at: dt.datetime | None = _instant(nullable=True)


class PriorityPass(SQLModel, table=True):
    """Given to someone turned away: come back on ``valid_on`` without queueing."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    short_id: str = Field(unique=True, index=True)
    registration_id: uuid.UUID = Field(foreign_key="registration.id", index=True)
    issued_on: dt.date
    valid_on: dt.date = Field(index=True)
    payload: str
    used_at: dt.datetime | None = _instant(nullable=True)
    issued_at: dt.datetime = _instant(nullable=False)


class DayQuota(SQLModel, table=True):
    """One service day's counters. ``used + held_for_passes <= cap`` always holds."""

    service_day: dt.date = Field(primary_key=True)
    cap: int
    walkin_slots: int = 0
    used: int = 0
    walkin_used: int = 0
    held_for_passes: int = 0
    turned_away: int = 0
    released: int = 0
    closed: bool = False
    # a venue station (kiosk.hub): ``cap`` is what it holds of the venue's day, leased from the hub
    spends: int = 0  # slots ever taken today (never decreases): what the hub is told
    releases: int = 0  # slots ever given back by visits that ended without a dose (never decreases)
    offline_used: int = 0  # check-ins made while cut off from the hub since it last heard from us


class QueueCounter(SQLModel, table=True):
    """The last queue number handed out per day and letter."""

    service_day: dt.date = Field(primary_key=True)
    prefix: str = Field(primary_key=True, max_length=2)
    last: int = 0


class OutboxRow(SQLModel, table=True):
    """A record waiting to be sent to one destination, written with the change it describes.

    ``seq`` orders the station's records; a record is sent only after every earlier record of the
    same person (``patient_key``) has been acknowledged or set aside, so the server sees each
    person's history in order. The row's ``id`` is the record's identity on the server too: it is
    minted here, once, and every retry carries it.
    """

    __table_args__ = (
        Index("ix_outbox_due", "destination", "state", "seq"),  # the drainer's claim, in order
        Index("ix_outbox_person", "destination", "patient_key", "seq"),  # "an earlier record of this person?"
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    seq: int = Field(default=0, index=True)
    destination: str = Field(index=True)  # central | hub
    topic: str  # e.g. visit.checked_in, screening.recorded
    aggregate_id: uuid.UUID = Field(index=True)
    patient_key: str = Field(default="", index=True)  # the person's registration id, "" for non-person records
    payload_json: str
    state: str = Field(default=OutboxState.PENDING, index=True)  # a kiosk.states.OutboxState
    attempts: int = 0
    last_error: str = ""
    next_attempt_at: dt.datetime | None = _instant(nullable=True)
    lease_until: dt.datetime | None = _instant(nullable=True)
    server_ids: str = ""  # what the server called it, e.g. "Patient/1 Immunization/7"
    acked_at: dt.datetime | None = _instant(nullable=True)
    created_at: dt.datetime = _instant(nullable=False)


class SyncState(SQLModel, table=True):
    """One row per destination: who holds the sending lease, and how sending last went."""

    destination: str = Field(primary_key=True)
    holder: str = ""
    lease_until: dt.datetime | None = _instant(nullable=True)
    last_success_at: dt.datetime | None = _instant(nullable=True)
    last_error: str = ""
    last_error_at: dt.datetime | None = _instant(nullable=True)


class PrintJob(SQLModel, table=True):
    """A slip to print; created with the card or pass, printed after the commit."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str  # card | pass | ticket
    subject_id: uuid.UUID = Field(index=True)
    reprint_no: int = 0
    state: str = Field(default=PrintJobState.PENDING, index=True)  # a kiosk.states.PrintJobState
    attempts: int = 0
    last_error: str = ""
    created_at: dt.datetime = _instant(nullable=False)
    printed_at: dt.datetime | None = _instant(nullable=True)


class AuditEntry(SQLModel, table=True):
    """Who did what, in a hash chain (kiosk.audit): each row carries the hash of the row before it."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    seq: int = Field(default=0, index=True)
    station_id: str = ""
    actor: str
    action: str
    subject_id: uuid.UUID | None = None  # a record's id, never a NIK
    detail: str = ""
    at: dt.datetime = _instant(nullable=False)
    prev_hash: str = ""
    hash: str = ""


class VenueDose(SQLModel, table=True):
    """A dose given at another station of the venue, pulled from the hub (for dose numbers and intervals)."""

    id: uuid.UUID = Field(primary_key=True)
    registration_id: uuid.UUID = Field(index=True)
    product: str
    dose_number: int
    station_id: str
    given_at: dt.datetime = _instant(nullable=False)


class HubCursor(SQLModel, table=True):
    """How far this station has pulled each of the hub's lists."""

    name: str = Field(primary_key=True)
    rev: int = 0
