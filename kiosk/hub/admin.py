"""What the venue's IT person runs on the hub, as its owner role: schema, plan, stations, registrations, status."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from kiosk.domain.quota import QuotaPlan
from kiosk.errors import ConfigError, KioskError
from kiosk.hub.link import first_line, hub_engine
from kiosk.i18n import _
from kiosk.services.registrations import ImportReport, read_registrations

MIGRATIONS = Path(__file__).parent / "migrations"


def owner_engine(url: str) -> Engine:
    return hub_engine(url, connect_timeout=5, statement_timeout_s=600)


def _guard(what: str, exc: DBAPIError) -> KioskError:
    return KioskError(_("{what}: the hub refused ({exc})", what=what, exc=first_line(exc)))


def upgrade(url: str) -> str:
    """Bring the hub's schema to the newest revision (as the owner role); the revision it is at."""
    engine = owner_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    try:
        command.upgrade(config, "head")
        with engine.connect() as c:
            return str(c.execute(text("SELECT version_num FROM sentra_hub_version")).scalar_one())
    except DBAPIError as exc:
        raise _guard("hub upgrade", exc) from None
    finally:
        engine.dispose()


def _require_schema(c: Any) -> None:
    if c.execute(text("SELECT to_regclass('hub_day')")).scalar_one() is None:
        raise KioskError(_("the hub has no schema yet: run `kiosk hub upgrade` first (as the owner role)"))


def init(url: str, plan: QuotaPlan) -> int:
    """Load the venue's dose plan once: a row per service day with its base cap. The number of days."""
    engine = owner_engine(url)
    try:
        with engine.begin() as c:
            _require_schema(c)
            loaded = c.execute(text("SELECT * FROM hub_plan WHERE id = 1")).first()
            if loaded is not None:
                same = (loaded.stock, loaded.first_day, loaded.last_day) == (plan.stock, plan.first_day, plan.last_day)
                if same:
                    return 0
                raise KioskError(_("the hub already has a plan ({stock} doses, {first_day} to {last_day}, loaded "
                                   "{loaded_at:%Y-%m-%d %H:%M}): a venue's plan is loaded once",
                                   stock=loaded.stock, first_day=loaded.first_day, last_day=loaded.last_day, loaded_at=loaded.loaded_at))
            c.execute(text("INSERT INTO hub_plan (id, stock, first_day, last_day, carry_forward, walkin_share) "
                           "VALUES (1, :stock, :first, :last, :carry, :share)"),
                      {"stock": plan.stock, "first": plan.first_day, "last": plan.last_day, "carry": plan.carry_forward,
                       "share": plan.walkin_share})
            caps = plan.base_caps()
            c.execute(text("INSERT INTO hub_day (service_day, cap, walkin_slots) VALUES (:d, :cap, :walkin)"),
                      [{"d": d, "cap": cap, "walkin": plan.walkin_slots(cap)} for d, cap in caps.items()])
            return len(caps)
    except DBAPIError as exc:
        raise _guard("hub init", exc) from None
    finally:
        engine.dispose()


STATION_ROLE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def station_role(station_id: str) -> str:
    """The PostgreSQL role a station logs in as: sentra_ and its id (lower case, - as _)."""
    return "sentra_" + station_id.lower().replace("-", "_")


def add_station(url: str, station_id: str, password: str) -> str:
    """Create (or re-key) a station's login role, member of sentra_station; the role's name."""
    if not STATION_ROLE.fullmatch(station_id):
        raise ConfigError(_("station id {station_id!r}: use 1-32 letters, digits, - and _ (as station.id)", station_id=station_id))
    if len(password) < 12:
        raise ConfigError(_("a station's hub password must be at least 12 characters"))
    role = station_role(station_id)
    engine = owner_engine(url)
    try:
        with engine.begin() as c:
            _require_schema(c)
            exists = c.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
            quoted_password = c.execute(text("SELECT quote_literal(:p)"), {"p": password}).scalar_one()
            verb = "ALTER" if exists else "CREATE"
            c.execute(text(f'{verb} ROLE "{role}" LOGIN PASSWORD {quoted_password}'))
            c.execute(text(f'GRANT sentra_station TO "{role}"'))
            c.execute(text("INSERT INTO hub_station (station_id, pg_role) VALUES (:s, :r) ON CONFLICT (station_id) DO NOTHING"),
                      {"s": station_id, "r": role})
        return role
    except DBAPIError as exc:
        raise _guard("hub add-station", exc) from None
    finally:
        engine.dispose()


def import_registrations(url: str, path: Path) -> ImportReport:
    """Import a registrations CSV for the whole venue: the station import's checks, its report."""
    rows = read_registrations(path)
    report = ImportReport()
    engine = owner_engine(url)
    try:
        with engine.begin() as c:
            _require_schema(c)
            c.execute(text("LOCK TABLE hub_registration IN SHARE ROW EXCLUSIVE MODE"))  # one import at a time
            code_of: dict[str, str] = {r.nik: r.code for r in c.execute(text("SELECT nik, code FROM hub_registration"))}
            codes = set(code_of.values())
            fresh: list[dict[str, Any]] = []
            for line, row in rows:
                if isinstance(row, str):
                    report.errors.append((line, row))
                    continue
                person, code, appointment, session_name = row
                if person.nik in code_of:
                    if code_of[person.nik] == code:
                        report.unchanged += 1
                    else:
                        report.errors.append((line, _("NIK already registered under code {code_of}", code_of=code_of[person.nik])))
                    continue
                if code in codes:
                    report.errors.append((line, _("registration code {code} already belongs to another NIK", code=code)))
                    continue
                code_of[person.nik] = code
                codes.add(code)
                fresh.append({"id": uuid.uuid4(), "nik": person.nik, "name": person.name, "birth": person.birth_date,
                              "sex": person.sex, "phone": person.phone, "code": code, "appt": appointment,
                              "session": session_name})
            if fresh:
                c.execute(text("INSERT INTO hub_registration (id, nik, name, birth_date, sex, phone, code, appointment_date, "
                               "session, source, created_by) VALUES (:id, :nik, :name, :birth, :sex, :phone, :code, :appt, "
                               ":session, 'import', 'import')"), fresh)
            report.imported = len(fresh)
    except DBAPIError as exc:
        raise _guard("hub import", exc) from None
    finally:
        engine.dispose()
    return report


@dataclass(frozen=True)
class StationLine:
    station_id: str
    last_contact: dt.datetime | None
    backlog: int
    granted: int
    spent: int
    held: int  # granted and not spent
    lease_expires: dt.datetime | None
    expired: bool


@dataclass(frozen=True)
class VenueStatus:
    day: dt.date
    cap: int
    used: int  # spent by stations (as last reported) and not released
    leased: int
    free: int
    held_for_passes: int
    turned_away: int
    idle_in_leases: int
    conflicts: int
    stations: list[StationLine]

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "stations"}
        data["day"] = self.day.isoformat()
        data["stations"] = [{**s.__dict__, "last_contact": s.last_contact.isoformat() if s.last_contact else None,
                             "lease_expires": s.lease_expires.isoformat() if s.lease_expires else None}
                            for s in self.stations]
        return data

    def lines(self) -> list[str]:
        out = [_("{day}: cap {cap}, used {used}, free {free}, held for passes {held_for_passes}, "
                 "turned away {turned_away}; {idle_in_leases} held by stations and not yet spent; "
                 "{conflicts} conflict(s) for staff",
                 day=self.day, cap=self.cap, used=self.used, free=self.free, held_for_passes=self.held_for_passes,
                 turned_away=self.turned_away, idle_in_leases=self.idle_in_leases, conflicts=self.conflicts)]
        for s in self.stations:
            seen = f"{s.last_contact:%H:%M:%S}" if s.last_contact else _("never")
            state = _("lease expired") if s.expired else "ok"
            out.append(_("  {station_id}: holds {held} (spent {spent} of {granted}), last seen {seen}, "
                         "{backlog} record(s) to send, {state}",
                         station_id=s.station_id, held=s.held, spent=s.spent, granted=s.granted, seen=seen,
                         backlog=s.backlog, state=state))
        return out


def venue_status(engine: Engine, day: dt.date) -> VenueStatus:
    """The venue's numbers for ``day`` and a line per station (any role that can read the hub)."""
    with engine.connect() as c:
        _require_schema(c)
        d = c.execute(text("SELECT * FROM hub_day WHERE service_day = :d"), {"d": day}).first()
        leases = {r.station_id: r for r in c.execute(text("SELECT *, expires_at < now() AS expired FROM hub_lease "
                                                          "WHERE service_day = :d"), {"d": day})}
        stations = c.execute(text("SELECT * FROM hub_station ORDER BY station_id")).all()
        conflicts = c.execute(text("SELECT count(*) FROM hub_conflict")).scalar_one()
    lines = []
    for s in stations:
        lease = leases.get(s.station_id)
        granted, spent, released = (lease.granted, lease.spent, lease.released) if lease else (0, 0, 0)
        lines.append(StationLine(s.station_id, s.last_contact, s.backlog, granted, spent - released,
                                 max(granted - (spent - released), 0), lease.expires_at if lease else None,
                                 bool(lease.expired) if lease else False))
    used = sum(line.spent for line in lines)
    cap = d.cap if d else 0
    leased = d.leased if d else 0
    held = d.held_for_passes if d else 0
    return VenueStatus(day, cap, used, leased, cap - leased - held, held, d.turned_away if d else 0,
                       sum(line.held for line in lines), int(conflicts), lines)


def conflicts(engine: Engine) -> list[Any]:
    """The conflicts staff must look at, oldest first."""
    with engine.connect() as c:
        _require_schema(c)
        return list(c.execute(text("SELECT * FROM hub_conflict ORDER BY id")).all())
