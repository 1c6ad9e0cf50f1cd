"""Registrations: import the online list from CSV, register walk-ins at the desk.

Every bad row is reported with its line number and reason; good rows are imported; importing
the same file again changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from kiosk.credentials import new_short_id
from kiosk.errors import KioskError
from kiosk.events import RegistrationCreated
from kiosk.identity import REGISTRATION_CODE, Nik, parse_nik
from kiosk.services.context import StationContext
from kiosk.services.outbox import audit, record_event
from kiosk.storage.tables import Registration

COLUMNS = ("nik", "name", "birth_date", "sex", "phone", "registration_code", "appointment_date", "session")
REQUIRED = ("nik", "name", "birth_date", "sex", "registration_code")


@dataclass
class ImportReport:
    """What an import did: counts, plus each refused line with its reason."""

    imported: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class PersonDetails:
    """What staff type for a walk-in (and what a CSV row holds)."""

    nik: str
    name: str
    birth_date: dt.date
    sex: str
    phone: str = ""


class RegistrationService:
    """Adds people the station may serve."""

    def __init__(self, ctx: StationContext) -> None:
        self.ctx = ctx

    def import_csv(self, path: Path) -> ImportReport:
        """Import a registrations CSV (UTF-8, header row; columns in ``COLUMNS``)."""
        report = ImportReport()
        now = self.ctx.clock.now()
        rows = read_registrations(path)
        with self.ctx.db.write() as session:
            for line, row in rows:
                if isinstance(row, str):
                    report.errors.append((line, row))
                else:
                    self._import_row(session, line, row, report, now)
        return report

    def _import_row(self, session: Session, line: int, row: CsvRegistration, report: ImportReport, now: dt.datetime) -> None:
        person, code, appointment, session_name = row
        existing = session.exec(select(Registration).where(Registration.nik == person.nik)).first()
        if existing is not None:
            if existing.code == code:
                report.unchanged += 1
            else:
                report.errors.append((line, f"NIK already registered under code {existing.code}"))
            return
        if session.exec(select(Registration).where(Registration.code == code)).first() is not None:
            report.errors.append((line, f"registration code {code} already belongs to another NIK"))
            return
        _add(session, self.ctx, person, code, "import", now, appointment, session_name)
        report.imported += 1

    def register_walkin(self, details: PersonDetails, staff: str) -> Registration:
        """Register someone at the desk; an already-registered NIK gives the existing registration."""
        if not self.ctx.allow_walkins:
            raise KioskError("this venue does not take walk-ins: the person must register online")
        person = _checked_person(details)
        now = self.ctx.clock.now()
        with self.ctx.db.write() as session:
            existing = session.exec(select(Registration).where(Registration.nik == person.nik)).first()
            if existing is not None:
                return existing
            registration = _add(session, self.ctx, person, "W" + new_short_id(7), "walkin", now)
            audit(session, staff, "registration.walkin", registration.id, "", now, self.ctx.station_id)
            return registration


CsvRegistration = tuple[PersonDetails, str, "dt.date | None", str]  # person, code, appointment date, session


def read_registrations(path: Path) -> list[tuple[int, CsvRegistration | str]]:
    """Each data line of a registrations CSV, checked: its fields, or the reason it is refused.

    The same checks serve a station's import and the venue hub's (``kiosk hub import``).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise KioskError(f"cannot read {path}: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise KioskError(f"{path}: the header line cannot be read: {exc}") from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise KioskError(f"{path}: the header lacks column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}")
    checked: list[tuple[int, CsvRegistration | str]] = []
    for line, row in _rows(reader, len(header)):
        if isinstance(row, str):
            checked.append((line, row))
            continue
        try:
            checked.append((line, _row_fields(row)))
        except (ValueError, KioskError) as exc:
            checked.append((line, str(exc)))
    return checked


def _rows(reader: csv.DictReader[str], columns: int) -> Iterator[tuple[int, dict[str, str | None] | str]]:
    """Each data row with its line number, or the reason it cannot be read (one bad line spoils no other)."""
    line = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field over the 128 KiB limit
            line += 1
            yield line, f"this line cannot be read as CSV: {exc}"
            continue
        line = reader.line_num
        if None in row:  # more fields than the header names: a comma inside an unquoted name, say
            yield line, (f"{columns + len(row[None] or [])} fields where the header has {columns}: "  # type: ignore[index]
                         "put a name that holds a comma in double quotes")
        else:
            yield line, row


def _add(session: Session, ctx: StationContext, person: PersonDetails, code: str, source: str, now: dt.datetime,
         appointment: dt.date | None = None, session_name: str = "") -> Registration:
    registration = Registration(nik=person.nik, name=person.name, birth_date=person.birth_date, sex=person.sex,
                                phone=person.phone, code=code, appointment_date=appointment, session=session_name,
                                source=source, created_at=now)
    session.add(registration)
    session.flush()
    event = RegistrationCreated(registration.id, registration.nik, registration.name, registration.birth_date,
                                registration.sex, registration.phone, registration.code, registration.appointment_date,
                                registration.session, registration.source, registration.created_at)
    record_event(session, ctx.destinations, event, registration.id, now)
    return registration


def _row_fields(row: dict[str, str | None]) -> tuple[PersonDetails, str, dt.date | None, str]:
    value = {k: (row.get(k) or "").strip() for k in COLUMNS}
    empty = [k for k in REQUIRED if not value[k]]
    if empty:
        raise ValueError(f"empty {', '.join(empty)}")
    code = value["registration_code"].upper()
    if not REGISTRATION_CODE.fullmatch(code):
        raise ValueError(f"registration_code {code!r}: use 4-32 letters, digits or '-'")
    person = _checked_person(PersonDetails(value["nik"], value["name"], _date("birth_date", value["birth_date"]),
                                           value["sex"].upper(), value["phone"]))
    appointment = _date("appointment_date", value["appointment_date"]) if value["appointment_date"] else None
    return person, code, appointment, value["session"]


def _checked_person(details: PersonDetails) -> PersonDetails:
    """Validate the NIK and cross-check the birth date and sex it encodes."""
    nik = parse_nik(details.nik.replace(" ", ""))
    if not isinstance(nik, Nik):
        raise KioskError(f"nik: {nik.reason}")
    sex = {"L": "M", "P": "F"}.get(details.sex.upper(), details.sex.upper())
    if sex not in ("M", "F"):
        raise KioskError(f"sex {details.sex!r}: use M/F (or L/P)")
    if sex != nik.sex:
        raise KioskError(f"sex {sex} does not match the NIK, which encodes {nik.sex}")
    encoded = (nik.birth_date.day, nik.birth_date.month, nik.birth_date.year % 100)
    typed = (details.birth_date.day, details.birth_date.month, details.birth_date.year % 100)
    if encoded != typed:
        raise KioskError(f"birth date {details.birth_date:%Y-%m-%d} does not match the NIK ({nik.birth_date:%d-%m-%y})")
    if not details.name.strip():
        raise KioskError("name is empty")
    for field_name, value in (("name", details.name), ("phone", details.phone)):
        if not is_printable_text(value):
            raise KioskError(f"{field_name} holds control characters (a copy-paste from another program?): retype it")
    return PersonDetails(nik.number, details.name.strip(), details.birth_date, sex, details.phone.strip())


def is_printable_text(text: str) -> bool:
    """No control characters: they would reach the printer as commands (ESC @, GS V) and the screen as garbage."""
    return all(c.isprintable() or c == " " for c in text)


def _date(key: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{key} {text!r}: use YYYY-MM-DD") from None
