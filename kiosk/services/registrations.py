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
from kiosk.i18n import _
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
                report.errors.append((line, _("NIK already registered under code {code}", code=existing.code)))
            return
        if session.exec(select(Registration).where(Registration.code == code)).first() is not None:
            report.errors.append((line, _("registration code {code} already belongs to another NIK", code=code)))
            return
        _add(session, self.ctx, person, code, "import", now, appointment, session_name)
        report.imported += 1

    def register_walkin(self, details: PersonDetails, staff: str) -> Registration:
        """Register someone at the desk; an already-registered NIK gives the existing registration."""
        if not self.ctx.allow_walkins:
            raise KioskError(_("this venue does not take walk-ins: the person must register online"))
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
        raise KioskError(_("cannot read {path}: {exc}", path=path, exc=exc)) from None
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise KioskError(_("{path}: the header line cannot be read: {exc}", path=path, exc=exc)) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise KioskError(_("{path}: the header lacks column(s) {missing}; expected {COLUMNS}",
                           path=path, missing=', '.join(missing), COLUMNS=','.join(COLUMNS)))
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
            yield line, _("this line cannot be read as CSV: {exc}", exc=exc)
            continue
        line = reader.line_num
        if None in row:  # more fields than the header names: a comma inside an unquoted name, say
            extra = len(row[None] or [])  # type: ignore[index]
            yield line, _("{fields} fields where the header has {columns}: put a name that holds a comma in double quotes",
                          fields=columns + extra, columns=columns)
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
        raise ValueError(_("empty {empty}", empty=', '.join(empty)))
    code = value["registration_code"].upper()
    if not REGISTRATION_CODE.fullmatch(code):
        raise ValueError(_("registration_code {code!r}: use 4-32 letters, digits or '-'", code=code))
    person = _checked_person(PersonDetails(value["nik"], value["name"], _date("birth_date", value["birth_date"]),
                                           value["sex"].upper(), value["phone"]))
    appointment = _date("appointment_date", value["appointment_date"]) if value["appointment_date"] else None
    return person, code, appointment, value["session"]


def _checked_person(details: PersonDetails) -> PersonDetails:
    """Validate the NIK and cross-check the birth date and sex it encodes."""
    nik = parse_nik(details.nik.replace(" ", ""))
    if not isinstance(nik, Nik):
        raise KioskError(_("nik: {reason}", reason=nik.reason))
    sex = {"L": "M", "P": "F"}.get(details.sex.upper(), details.sex.upper())
    if sex not in ("M", "F"):
        raise KioskError(_("sex {sex!r}: use M/F (or L/P)", sex=details.sex))
    if sex != nik.sex:
        raise KioskError(_("sex {sex} does not match the NIK, which encodes {encoded}", sex=sex, encoded=nik.sex))
    encoded = (nik.birth_date.day, nik.birth_date.month, nik.birth_date.year % 100)
    typed = (details.birth_date.day, details.birth_date.month, details.birth_date.year % 100)
    if encoded != typed:
        raise KioskError(_("birth date {typed:%Y-%m-%d} does not match the NIK ({encoded:%d-%m-%y})",
                           typed=details.birth_date, encoded=nik.birth_date))
    if not details.name.strip():
        raise KioskError(_("name is empty"))
    for field_name, value in (("name", details.name), ("phone", details.phone)):
        if not is_printable_text(value):
            raise KioskError(_("{field_name} holds control characters (a copy-paste from another program?): retype it", field_name=field_name))
    return PersonDetails(nik.number, details.name.strip(), details.birth_date, sex, details.phone.strip())


def is_printable_text(text: str) -> bool:
    """No control characters: they would reach the printer as commands (ESC @, GS V) and the screen as garbage."""
    return all(c.isprintable() or c == " " for c in text)


def _date(key: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("{key} {text!r}: use YYYY-MM-DD", key=key, text=text)) from None
