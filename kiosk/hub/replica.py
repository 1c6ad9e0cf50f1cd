"""One list of who came: the station's records reach the hub, the venue's registrations and doses come back.

- ``HubServer`` is the outbox's ``hub`` destination (the same drainer that feeds the central
  server: leases, order per person, retries). Each record is an idempotent upsert keyed on the
  station-made ids, so a resend changes nothing. When rows meet, the hub checks them: a visit
  admitted while its station was cut off claims (person, day) late, and a second claim is a
  conflict; a dose is checked against the venue's other doses of that person.
- ``pull`` copies new registrations and other stations' doses into the station's database, so a
  station cut off can still find people and count their doses.
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import col, select

from kiosk.domain.vaccines import ProductTable, load_products
from kiosk.events import RegistrationCreated, VaccinationRecorded, VisitCheckedIn, VisitNoShow
from kiosk.hub.link import HubLink, HubRefused, HubUnavailable, first_line, hub_engine
from kiosk.i18n import _
from kiosk.states import CertificateStatus
from kiosk.storage.db import Database
from kiosk.storage.tables import HubCursor, Registration, VenueDose
from kiosk.sync.port import Ack, Certificate, PermanentFailure, SyncRecord, TransientFailure

PULL_BATCH = 2000
REV_OVERLAP = 200  # revs are taken before commit: re-read a little behind the cursor so a late commit is not missed


class HubServer:
    """The ``hub`` destination of the outbox (a CentralServer to the drainer)."""

    name = "venue hub"

    def __init__(self, url: str, time_zone: str = "Asia/Jakarta", connect_timeout: int = 2,
                 products: ProductTable | None = None) -> None:
        self.engine = hub_engine(url, connect_timeout, statement_timeout_s=30)
        self.zone = ZoneInfo(time_zone)
        self.products = products or load_products()

    def send(self, record: SyncRecord) -> Ack:
        return self._in_transaction([record])[0]

    def send_all(self, records: list[SyncRecord]) -> list[Ack]:
        """A batch in one transaction (one commit at the hub); any failure fails the batch and nothing of it stays."""
        return self._in_transaction(records)

    def _in_transaction(self, records: list[SyncRecord]) -> list[Ack]:
        try:
            with self.engine.begin() as c:
                return [self._upsert(c, record) for record in records]
        except OperationalError as exc:
            raise TransientFailure(_("the venue hub is out of reach ({exc})", exc=first_line(exc))) from None
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise TransientFailure(_("the venue hub is out of reach ({exc})", exc=first_line(exc))) from None
            raise PermanentFailure(_("the venue hub refused the record: {exc}", exc=first_line(exc))) from None

    def _upsert(self, c: Connection, record: SyncRecord) -> Ack:
        """Store the record once (keyed on the station-made row id) and apply it; a resend changes nothing."""
        fresh = c.execute(text(
            "INSERT INTO hub_record (id, station_id, seq, topic, aggregate_id, registration_id, payload, created_at) "
            "VALUES (:id, :station, :seq, :topic, :agg, :reg, CAST(:payload AS jsonb), :created) "
            "ON CONFLICT (id) DO NOTHING RETURNING id"),
            {"id": record.row_id, "station": record.station_id, "seq": record.seq, "topic": record.topic,
             "agg": record.record_id, "reg": (record.person or {}).get("id"),
             "payload": json.dumps(record.payload), "created": record.created_at}).first() is not None
        note = self._apply(c, record) if fresh else ""
        return Ack(server_ids=(f"hub:{record.record_id}",) if not note else (f"hub:{record.record_id}", note))

    def _apply(self, c: Connection, record: SyncRecord) -> str:
        event = record.event()
        if isinstance(event, VisitCheckedIn):
            c.execute(text("INSERT INTO hub_visit (id, registration_id, service_day, station_id, queue_number, dose_number, "
                           "checked_in_at) VALUES (:id, :reg, :day, :station, :q, :dose, :at) ON CONFLICT (id) DO NOTHING"),
                      {"id": event.visit_id, "reg": event.registration_id, "day": event.service_day,
                       "station": record.station_id, "q": event.queue_number, "dose": event.dose_number,
                       "at": event.checked_in_at})
            status = c.execute(text("SELECT out_status FROM sentra_claim_late(:d, :reg, :visit, :at)"),
                               {"d": event.service_day, "reg": event.registration_id, "visit": event.visit_id,
                                "at": event.checked_in_at}).scalar_one()
            return _("conflict: admitted at another station too") if status == "conflict" else ""
        if isinstance(event, VisitNoShow):
            c.execute(text("UPDATE hub_visit SET state = 'no_show' WHERE id = :id"), {"id": event.visit_id})
            return ""
        if isinstance(event, VaccinationRecorded):
            c.execute(text("INSERT INTO hub_dose (id, visit_id, registration_id, station_id, product, dose_number, given_at) "
                           "VALUES (:id, :visit, :reg, :station, :product, :dose, :at) ON CONFLICT (id) DO NOTHING"),
                      {"id": event.id, "visit": event.visit_id, "reg": event.registration_id, "station": record.station_id,
                       "product": event.product, "dose": event.dose_number, "at": event.given_at})
            return self._check_dose(c, record.station_id, event)
        if isinstance(event, RegistrationCreated):
            return self._registration(c, record.station_id, event)
        return ""

    def _check_dose(self, c: Connection, station: str, dose: VaccinationRecorded) -> str:
        """A dose recorded while cut off meets the venue's others: a repeated number or a too-short interval is a conflict."""
        others = c.execute(text("SELECT id, station_id, product, dose_number, given_at FROM hub_dose "
                                "WHERE registration_id = :reg AND id <> :id ORDER BY given_at"),
                           {"reg": dose.registration_id, "id": dose.id}).all()
        given = dose.given_at.astimezone(self.zone).date()
        for other in others:
            problem = ""
            if other.dose_number == dose.dose_number:
                problem = _("dose {dose_number} recorded twice (also at station {station_id})",
                            dose_number=dose.dose_number, station_id=other.station_id)
            elif other.given_at < dose.given_at:
                earliest = self.products.earliest_next_dose(other.product, other.given_at.astimezone(self.zone).date())
                if given < earliest:
                    problem = _("given {given:%Y-%m-%d}, before the earliest next dose {earliest:%Y-%m-%d} after "
                                "station {station_id}'s", given=given, earliest=earliest, station_id=other.station_id)
            if problem:
                c.execute(text("INSERT INTO hub_conflict (kind, registration_id, service_day, first_station, first_id, "
                               "second_station, second_id, detail) VALUES ('dose', :reg, :day, :s1, :id1, :s2, :id2, :detail) "
                               "ON CONFLICT DO NOTHING"),
                          {"reg": dose.registration_id, "day": given, "s1": other.station_id, "id1": other.id,
                           "s2": station, "id2": dose.id, "detail": problem})
                return f"conflict: {problem}"
        return ""

    def _registration(self, c: Connection, station: str, reg: RegistrationCreated) -> str:
        values = {"id": reg.id, "nik": reg.nik, "name": reg.name, "birth": reg.birth_date, "sex": reg.sex,
                  "phone": reg.phone, "code": reg.code, "appt": reg.appointment_date, "session": reg.session,
                  "source": reg.source, "by": station, "at": reg.created_at}
        try:
            with c.begin_nested():
                c.execute(text("INSERT INTO hub_registration (id, nik, name, birth_date, sex, phone, code, appointment_date, "
                               "session, source, created_by, created_at) VALUES (:id, :nik, :name, :birth, :sex, :phone, "
                               ":code, :appt, :session, :source, :by, :at) ON CONFLICT (id) DO NOTHING"), values)
        except IntegrityError:  # the same NIK registered as a walk-in at two stations while one was cut off
            first = c.execute(text("SELECT id, created_by FROM hub_registration WHERE nik = :nik OR code = :code"),
                              values).first()
            c.execute(text("INSERT INTO hub_conflict (kind, registration_id, first_station, first_id, second_station, "
                           "second_id, detail) VALUES ('registration', :first, :s1, :first, :s2, :id, :detail) "
                           "ON CONFLICT DO NOTHING"),
                      {"first": first.id if first else None, "s1": first.created_by if first else "?", "s2": station,
                       "id": reg.id, "detail": "registered twice with the same NIK (or code) while a station was cut off"})
            return _("conflict: registered at another station too")
        return ""

    def certificate(self, record: SyncRecord) -> Certificate:
        return Certificate(CertificateStatus.NOT_YET, detail=_("the venue hub issues no certificates"))

    def close(self) -> None:
        self.engine.dispose()


def pull(db: Database, link: HubLink, station_id: str) -> tuple[int, int]:
    """Copy new registrations and other stations' doses from the hub; (registrations, doses) copied."""
    registrations = doses = 0
    while True:
        with db.read() as session:
            cursor = session.get(HubCursor, "registration")
            since = cursor.rev if cursor else 0
        rows = link.run("SELECT * FROM hub_registration WHERE rev > :since ORDER BY rev LIMIT :n",
                        since=max(since - REV_OVERLAP, 0), n=PULL_BATCH)
        fresh = [r for r in rows if r.rev > since]
        if not fresh:
            break
        with db.write() as session:
            registrations += _add_registrations(session, rows)
            _advance(session, "registration", max(r.rev for r in rows))
        if len(rows) < PULL_BATCH:
            break
    while True:
        with db.read() as session:
            cursor = session.get(HubCursor, "dose")
            since = cursor.rev if cursor else 0
        rows = link.run("SELECT * FROM hub_dose WHERE rev > :since AND station_id <> :me ORDER BY rev LIMIT :n",
                        since=max(since - REV_OVERLAP, 0), me=station_id, n=PULL_BATCH)
        if not [r for r in rows if r.rev > since]:
            break
        with db.write() as session:
            for r in rows:
                if session.get(VenueDose, r.id) is None:
                    session.add(VenueDose(id=r.id, registration_id=r.registration_id, product=r.product,
                                          dose_number=r.dose_number, station_id=r.station_id, given_at=r.given_at))
                    doses += 1
            _advance(session, "dose", max(r.rev for r in rows))
        if len(rows) < PULL_BATCH:
            break
    return registrations, doses


def _add_registrations(session: Any, rows: list[Any]) -> int:
    """Registrations this station does not have yet, in one insert; a NIK or code it has under another id is skipped
    (our own walk-in with that NIK: the hub lists the conflict when our record reaches it)."""
    ids = [r.id for r in rows]
    known = set(session.exec(select(Registration.id).where(col(Registration.id).in_(ids))).all())
    taken = {value for pair in session.exec(select(Registration.nik, Registration.code).where(
        col(Registration.nik).in_([r.nik for r in rows]) | col(Registration.code).in_([r.code for r in rows]))).all()
        for value in pair}
    fresh = []
    for r in rows:
        if r.id in known or r.nik in taken or r.code in taken:
            continue
        taken.update((r.nik, r.code))
        fresh.append({"id": r.id, "nik": r.nik, "name": r.name, "birth_date": r.birth_date, "sex": r.sex, "phone": r.phone,
                      "code": r.code, "appointment_date": r.appointment_date, "session": r.session, "source": r.source,
                      "created_at": r.created_at})
    if fresh:
        session.execute(insert(Registration), fresh)
    return len(fresh)


def _advance(session: Any, name: str, rev: int) -> None:
    cursor = session.get(HubCursor, name)
    if cursor is None:
        session.add(HubCursor(name=name, rev=rev))
    elif rev > cursor.rev:
        cursor.rev = rev


def pull_quietly(db: Database, link: HubLink, station_id: str) -> tuple[int, int] | None:
    """``pull``, or None when the hub is out of reach."""
    try:
        return pull(db, link, station_id)
    except (HubUnavailable, HubRefused):
        return None
