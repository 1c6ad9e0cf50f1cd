"""Rebuild a station's database from the hub after a lost disk: its records, queue counters and card short ids.

Every record the station sent is at the hub as the event it was (``hub_record``), in the station's
own order; replaying them rebuilds visits, screenings, doses, cards and passes with their original
ids, so cards already in people's hands still verify (the same venue key signs the same bytes) and
queue numbers go on from where they were. Records the station made but had not sent yet are lost
with its disk: the report says how many records were replayed so staff can compare with paper.
The central outbox is filled again for the clinical records; the central server recognises the
ones it already has by their station-made ids.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from kiosk.bootstrap import Station
from kiosk.credentials import sign_card, sign_pass
from kiosk.domain.screening import Outcome
from kiosk.domain.visit import VisitState
from kiosk.errors import KioskError
from kiosk.events import (
    CardIssued,
    PassIssued,
    ScreeningRecorded,
    VaccinationRecorded,
    VisitCheckedIn,
    VisitNoShow,
    read_event,
)
from kiosk.hub.replica import pull
from kiosk.i18n import _
from kiosk.services.clinic import ending_state
from kiosk.services.outbox import record_event
from kiosk.storage.tables import Card, DayQuota, PriorityPass, QueueCounter, Screening, Vaccination, Visit

QUEUE = re.compile(r"^([A-Z]{1,2})-(\d+)$")


@dataclass
class RestoreReport:
    replayed: dict[str, int] = field(default_factory=dict)
    days: int = 0
    registrations: int = 0

    def line(self) -> str:
        kinds = ", ".join(f"{n} {topic}" for topic, n in sorted(self.replayed.items())) or "no records"
        return _("restored {kinds}; {days} day(s) of lease counters; {registrations} registration(s) "
                 "pulled", kinds=kinds, days=self.days, registrations=self.registrations)


def restore_station(station: Station, station_id: str) -> RestoreReport:
    """Replay ``station_id``'s records from the hub into ``station``'s (empty) database."""
    link = station.ctx.hub
    if link is None:
        raise KioskError(_("hub.url is not set: a station is restored from its venue hub"))
    if station_id != station.settings.station.id:
        raise KioskError(_("this config is station {id}; restore {station_id} with its own config (station.id = "
                           "{station_id!r})", id=station.settings.station.id, station_id=station_id))
    with station.ctx.db.read() as session:
        if session.exec(select(func.count()).select_from(Visit)).one():
            raise KioskError(_("this station's database already holds visits: restore into an empty one (move the old station.db away first)"))
    report = RestoreReport()
    report.registrations = pull(station.ctx.db, link, station_id)[0]
    records = link.run("SELECT topic, payload, created_at FROM hub_record WHERE station_id = :s ORDER BY seq", s=station_id)
    passes = {r.id: r for r in link.run("SELECT * FROM hub_pass WHERE issued_by = :s", s=station_id)}
    leases = link.run("SELECT * FROM hub_lease WHERE station_id = :s", s=station_id)
    today = station.ctx.clock.today()
    with station.ctx.db.write() as session:
        for r in records:
            payload = r.payload if isinstance(r.payload, dict) else json.loads(r.payload)
            event = read_event(r.topic, payload)
            if _replay(session, station, event, r.created_at, passes):
                report.replayed[r.topic] = report.replayed.get(r.topic, 0) + 1
        _queue_counters(session)
        for lease in leases:
            session.merge(DayQuota(service_day=lease.service_day, cap=lease.granted, used=lease.spent - lease.released,
                                   spends=lease.spent, releases=lease.released, closed=lease.service_day < today,
                                   walkin_slots=station.ctx.plan.walkin_slots(lease.granted)))
        report.days = len(leases)
    return report


def _replay(session: Session, station: Station, event: Any, at: dt.datetime, passes: dict[Any, Any]) -> bool:
    keys = station.ctx.keys
    central = tuple(d for d in station.ctx.destinations if d == "central")  # the hub has these already
    if isinstance(event, VisitCheckedIn):
        session.add(Visit(id=event.visit_id, registration_id=event.registration_id, service_day=event.service_day,
                          state=VisitState.CHECKED_IN, queue_number=event.queue_number, dose_number=event.dose_number,
                          walkin=event.queue_number.startswith("W-"), station_id=event.station_id,
                          checked_in_at=event.checked_in_at, updated_at=event.checked_in_at))
        session.flush()
        record_event(session, central, event, event.visit_id, at)
        return True
    if isinstance(event, ScreeningRecorded):
        session.add(Screening(id=event.id, visit_id=event.visit_id, rule_set_version=event.rule_set_version,
                              answers_json=event.answers_json, computed_outcome=event.computed_outcome, outcome=event.outcome,
                              reasons=event.reasons, override_reason=event.override_reason, recheck_on=event.recheck_on,
                              screened_by=event.screened_by, screened_at=event.screened_at))
        _visit_state(session, event.visit_id, ending_state(Outcome(event.outcome)), event.screened_at)
        record_event(session, central, event, event.id, at)
        return True
    if isinstance(event, VaccinationRecorded):
        session.add(Vaccination(id=event.id, visit_id=event.visit_id, registration_id=event.registration_id,
                                product=event.product, lot=event.lot, expiry=event.expiry, dose_number=event.dose_number,
                                site=event.site, vaccinator=event.vaccinator, interval_table_version=event.interval_table_version,
                                given_at=event.given_at))
        _visit_state(session, event.visit_id, VisitState.VACCINATED, event.given_at)
        record_event(session, central, event, event.id, at)
        return True
    if isinstance(event, CardIssued):
        visit = session.get(Visit, event.visit_id)
        if visit is None:
            return False
        session.add(Card(id=event.card_id, short_id=event.short_id, visit_id=event.visit_id, issued_at=at,
                         payload=sign_card(keys, event.short_id, visit.service_day, visit.dose_number)))
        _visit_state(session, event.visit_id, VisitState.CARD_ISSUED, at)
        return True
    if isinstance(event, PassIssued):
        hub_pass = passes.get(event.pass_id)
        if hub_pass is None:
            return False
        session.add(PriorityPass(id=event.pass_id, short_id=hub_pass.short_id, registration_id=event.registration_id,
                                 issued_on=hub_pass.issued_on, valid_on=event.valid_on, used_at=hub_pass.used_at,
                                 payload=sign_pass(keys, hub_pass.short_id, event.valid_on), issued_at=at))
        return True
    if isinstance(event, VisitNoShow):
        _visit_state(session, event.visit_id, VisitState.NO_SHOW, at)
        return True
    return False  # registration.created: pulled with the venue's registrations


def _visit_state(session: Session, visit_id: Any, state: VisitState, at: dt.datetime) -> None:
    visit = session.get(Visit, visit_id)
    if visit is not None:
        visit.state, visit.updated_at = state, at


def _queue_counters(session: Session) -> None:
    """Queue numbers go on from the highest each day and letter had."""
    last: dict[tuple[dt.date, str], int] = {}
    for day, number in session.exec(select(col(Visit.service_day), col(Visit.queue_number))).all():
        match = QUEUE.match(number)
        if match:
            key = (day, match.group(1))
            last[key] = max(last.get(key, 0), int(match.group(2)))
    for (day, prefix), n in last.items():
        session.merge(QueueCounter(service_day=day, prefix=prefix, last=n))
