"""The ``CentralServer`` port: what the drainer needs from any central server, FHIR-shaped or not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from kiosk.errors import KioskError
from kiosk.events import Event, read_event
from kiosk.states import CertificateStatus


@dataclass(frozen=True)
class SyncRecord:
    """One outbox row, ready to send: built only from what the station stored.

    ``record_id`` is the id of the thing recorded (the visit, screening or dose), minted on the
    station when it was made; servers use it to recognise a retry of something they already have.
    """

    row_id: str
    record_id: str
    seq: int
    topic: str
    payload: dict[str, Any]
    person: dict[str, Any] | None
    venue_code: str
    venue_name: str
    station_id: str
    created_at: dt.datetime

    def event(self) -> Event:
        """The typed event this record carries (kiosk.events): what adapters read, never raw keys."""
        return read_event(self.topic, self.payload)


@dataclass(frozen=True)
class Ack:
    """The server has the record; ``server_ids`` is what it calls it (may be empty)."""

    server_ids: tuple[str, ...] = ()
    skipped: str = ""  # non-empty: nothing to send for this record, and why


@dataclass(frozen=True)
class Certificate:
    """The national certificate for a vaccination, as the server reports it."""

    status: CertificateStatus
    certificate_id: str = ""
    detail: str = ""


class SyncFailure(KioskError):
    """A record could not be delivered (the message says why); subclasses say whether to retry."""


class TransientFailure(SyncFailure):
    """Try again later. ``server_wide`` failures (unreachable, 5xx, 429) pause every record."""

    def __init__(self, message: str, retry_after: float | None = None, server_wide: bool = True) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.server_wide = server_wide


class PermanentFailure(SyncFailure):
    """The server refused this record as it is (400, 422...): a person has to look at it."""


class AuthFailure(SyncFailure):
    """The server refused our credentials even after a fresh token."""


class CentralServer(Protocol):
    """Where the station's records go. Implementations raise ``SyncFailure`` subclasses only."""

    name: str

    def send(self, record: SyncRecord) -> Ack:
        """Deliver one record; idempotent on ``record.record_id`` (a retry never duplicates)."""
        ...

    def certificate(self, record: SyncRecord) -> Certificate:
        """The national certificate for an acknowledged vaccination record."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


@dataclass
class DrainReport:
    """What one pass of the drainer did."""

    sent: int = 0
    skipped: int = 0
    needs_attention: int = 0
    retrying: int = 0
    paused_for: float = 0.0  # seconds the server asked us (or backoff says) to wait
    lease_holder: str = ""  # set when another sender holds the lease and nothing was done
    errors: list[str] = field(default_factory=list)
