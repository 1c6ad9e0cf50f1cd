"""A station's line to the venue hub: the hub's functions as Python calls, and knowing when it is gone.

When a call fails for want of the hub (refused, timed out, reset), the link is marked down for a
short while: calls made meanwhile fail at once, so a check-in never waits on a hub known to be
out of reach. The background worker probes it and brings the link back.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from kiosk.errors import ConfigError, KioskError
from kiosk.i18n import _

RETRY_DOWN_S = 5.0  # how long a failed hub stays "down" before the next try


class HubUnavailable(KioskError):
    """The hub cannot be reached now; the station works on what it holds."""


class HubRefused(KioskError):
    """The hub answered but refused (a permission, a missing station, a schema not upgraded)."""


def hub_engine(url: str, connect_timeout: int = 2, statement_timeout_s: float | None = None, autocommit: bool = False) -> Engine:
    """An engine on the hub URL with short timeouts (a venue LAN answers in milliseconds or not at all).

    ``autocommit``: each statement is its own transaction, one round trip (the station's calls are each
    one function, atomic by itself); a dead pooled connection then fails its call, which marks the hub
    down, and is replaced at the next call.
    """
    try:
        parsed = make_url(url)
    except Exception:
        raise ConfigError(_("hub.url: not a database URL; use postgresql+psycopg://ROLE:PASSWORD@HOST/DB")) from None
    if parsed.drivername != "postgresql+psycopg":
        raise ConfigError(_("hub.url: use the psycopg driver, postgresql+psycopg://ROLE:PASSWORD@HOST/DB"))
    timeout_ms = int((statement_timeout_s or connect_timeout * 3) * 1000)
    args: dict[str, Any] = {"connect_timeout": connect_timeout, "keepalives": 1, "keepalives_idle": 5,
                            "keepalives_interval": 2, "keepalives_count": 2,
                            "options": f"-c statement_timeout={timeout_ms} -c lock_timeout={timeout_ms}"}
    if autocommit:
        return create_engine(url, pool_size=2, max_overflow=4, pool_recycle=300, connect_args=args,
                             isolation_level="AUTOCOMMIT")
    return create_engine(url, pool_size=2, max_overflow=4, pool_pre_ping=True, pool_recycle=300, connect_args=args)


@dataclass(frozen=True)
class LeaseAnswer:
    got: int
    granted: int
    spent: int
    released: int
    free: int  # slots the venue's day has neither leased nor held


@dataclass(frozen=True)
class AdmitAnswer:
    status: str  # admitted | pass | again | claimed | no_lease | no_slot
    station: str
    visit_id: uuid.UUID | None
    at: dt.datetime | None
    pass_id: uuid.UUID | None = None  # the priority pass used (status "pass"), or released (served before its day)
    short_id: str = ""


class HubLink:
    """One station's connection to the hub (thread-safe: SQLAlchemy's pool hands each thread its connection)."""

    def __init__(self, url: str, station_id: str, *, lease_seconds: int = 600, offline_slots: int = 20,
                 connect_timeout: int = 2, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.engine = hub_engine(url, connect_timeout, autocommit=True)
        self.station_id = station_id
        self.lease_seconds = lease_seconds
        self.offline_slots = offline_slots
        self.monotonic = monotonic
        self._down_until = 0.0
        self.last_error = ""
        self.last_contact: float | None = None

    # ------------------------------------------------------------------ state
    @property
    def online(self) -> bool:
        """False while a recent failure says the hub is out of reach (calls then fail at once)."""
        return self.monotonic() >= self._down_until

    def mark_down(self, reason: str) -> None:
        self._down_until = self.monotonic() + RETRY_DOWN_S
        self.last_error = reason

    def probe(self) -> bool:
        """Try the hub now, even if it was marked down; True when it answered."""
        self._down_until = 0.0
        try:
            self.run("SELECT 1")
        except (HubUnavailable, HubRefused):
            return False
        return True

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ plumbing
    def run(self, sql: str, **params: Any) -> list[Any]:
        """One statement in its own transaction; HubUnavailable when the hub cannot be reached."""
        if not self.online:
            raise HubUnavailable(_("the venue hub is out of reach ({last_error})", last_error=self.last_error))
        try:
            with self.engine.connect() as connection:
                rows = list(connection.execute(text(sql), params).all())
        except OperationalError as exc:
            if _refusal(exc):
                raise HubRefused(_("the venue hub refused: {exc}", exc=first_line(exc))) from None
            self.mark_down(first_line(exc))
            raise HubUnavailable(_("the venue hub is out of reach ({last_error})", last_error=self.last_error)) from None
        except DBAPIError as exc:
            if exc.connection_invalidated:
                self.mark_down(first_line(exc))
                raise HubUnavailable(_("the venue hub is out of reach ({last_error})", last_error=self.last_error)) from None
            raise HubRefused(_("the venue hub refused: {exc}", exc=first_line(exc))) from None
        except SQLAlchemyError as exc:
            raise HubRefused(_("the venue hub refused: {exc}", exc=first_line(exc))) from None
        self.last_contact = self.monotonic()
        return rows

    def one(self, sql: str, **params: Any) -> Any:
        return self.run(sql, **params)[0]

    # ------------------------------------------------------------------ the protocol
    def lease(self, day: dt.date, want: int, grant_id: uuid.UUID) -> LeaseAnswer:
        row = self.one("SELECT * FROM sentra_lease(:d, :want, :allow, :ttl, :gid)", d=day, want=want,
                       allow=self.offline_slots, ttl=self.lease_seconds, gid=grant_id)
        return LeaseAnswer(row.out_got, row.out_granted, row.out_spent, row.out_released, row.out_free)

    def renew(self, day: dt.date, spends: int, releases: int, backlog: int) -> LeaseAnswer:
        row = self.one("SELECT * FROM sentra_renew(:d, :s, :r, :allow, :ttl, :b)", d=day, s=spends, r=releases,
                       allow=self.offline_slots, ttl=self.lease_seconds, b=backlog)
        return LeaseAnswer(0, row.out_granted, row.out_spent, row.out_released, row.out_free)

    def admit(self, day: dt.date, registration_id: uuid.UUID, visit_id: uuid.UUID, at: dt.datetime,
              has_slot: bool = True) -> AdmitAnswer:
        row = self.one("SELECT * FROM sentra_admit(:d, :reg, :visit, :ttl, :at, :has)", d=day, reg=registration_id,
                       visit=visit_id, ttl=self.lease_seconds, at=at, has=has_slot)
        return AdmitAnswer(row.out_status, row.out_station or "", row.out_visit, row.out_at, row.out_pass, row.out_short or "")

    def claim_late(self, day: dt.date, registration_id: uuid.UUID, visit_id: uuid.UUID, at: dt.datetime) -> str:
        return str(self.one("SELECT * FROM sentra_claim_late(:d, :reg, :visit, :at)", d=day, reg=registration_id,
                            visit=visit_id, at=at).out_status)

    def unclaim(self, day: dt.date, registration_id: uuid.UUID, visit_id: uuid.UUID) -> bool:
        return bool(self.one("SELECT sentra_unclaim(:d, :reg, :visit) AS ok", d=day, reg=registration_id,
                             visit=visit_id).ok)

    def give_back(self, day: dt.date, slots: int, grant_id: uuid.UUID) -> int:
        return int(self.one("SELECT sentra_return(:d, :k, :gid) AS left_", d=day, k=slots, gid=grant_id).left_)

    def hold_pass(self, after: dt.date, pass_id: uuid.UUID, short_id: str,
                  registration_id: uuid.UUID) -> tuple[dt.date | None, uuid.UUID | None, bool]:
        """(the pass's day or None when the plan has no room, its id, whether the person held one already)."""
        row = self.one("SELECT * FROM sentra_hold_pass(:after, :pid, :short, :reg)", after=after, pid=pass_id,
                       short=short_id, reg=registration_id)
        return row.out_day, row.out_pass, bool(row.out_already)

    def pass_by_short_id(self, short_id: str) -> Any:
        rows = self.run("SELECT * FROM hub_pass WHERE short_id = :s", s=short_id)
        return rows[0] if rows else None

    def doses(self, registration_id: uuid.UUID) -> list[Any]:
        return self.run("SELECT id, product, dose_number, given_at FROM hub_dose WHERE registration_id = :r "
                        "ORDER BY given_at", r=registration_id)

    def my_claims(self, day: dt.date) -> list[Any]:
        return self.run("SELECT registration_id, visit_id FROM hub_claim WHERE service_day = :d AND station_id = :s",
                        d=day, s=self.station_id)


def _refusal(exc: OperationalError) -> bool:
    """An answer from a reachable hub (a wrong password, no such database), not a lost connection."""
    text_ = str(exc.orig or exc)
    return any(s in text_ for s in ("password authentication failed", "does not exist", "no pg_hba.conf entry",
                                    "permission denied"))


def first_line(exc: BaseException) -> str:
    """The database's own words, first line only (what a person reads in a message)."""
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
