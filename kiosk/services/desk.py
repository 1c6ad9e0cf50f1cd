"""What staff look at: visits found by scan or search, and today's numbers.

The UI sees these plain objects, never the table rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from kiosk.domain.visit import VisitState
from kiosk.identity import Nik, RegistrationCode, SignedCredential, mask_nik, parse_payload
from kiosk.services.context import StationContext
from kiosk.storage.tables import AuditEntry, Card, DayQuota, PrintJob, PriorityPass, Registration, Screening, Vaccination, Visit

TURNED_AWAY = ("checkin.full", "checkin.pass_held", "checkin.full_no_pass", "checkin.plan_over")


@dataclass(frozen=True)
class HourNumbers:
    """One hour of a day (venue time): what happened in it, and where the day stood at its end."""

    hour: int  # 8 is 08:00-08:59
    checked_in: int
    vaccinated: int
    postponed: int  # screenings that ended the visit without a dose (postponed, referred, not given)
    turned_away: int
    passes_issued: int
    passes_honoured: int
    cards_printed: int
    used: int  # slots in use at the end of the hour (checked in, less those given back)
    free: int  # of the day's cap, at the end of the hour (today's holds for passes counted as now)


@dataclass(frozen=True)
class VisitView:
    """A visit as the staff screens show it."""

    visit_id: uuid.UUID
    queue_number: str
    name: str
    nik: str
    nik_masked: str
    birth_date: dt.date
    sex: str
    state: str
    dose_number: int
    checked_in_at: dt.datetime
    walkin: bool
    outcome: str = ""
    card_id: uuid.UUID | None = None
    card_short_id: str = ""
    card_reprints: int = 0


@dataclass(frozen=True)
class DayNumbers:
    """Today's quota and flow, for the staff dashboard."""

    day: dt.date
    cap: int
    used: int
    free: int
    held_for_passes: int
    walkin_slots: int
    walkin_used: int
    checked_in: int
    vaccinated: int
    postponed: int
    turned_away: int
    passes_issued: int
    released: int


class StaffDesk:
    """Read-only queries for staff."""

    def __init__(self, ctx: StationContext) -> None:
        self.ctx = ctx

    def find(self, text: str) -> list[VisitView]:
        """Today's visits matching a scan, a NIK, a code, a queue number or part of a name."""
        today = self.ctx.clock.today()
        with self.ctx.db.read() as session:
            query = select(Visit, Registration).join(Registration).where(Visit.service_day == today)
            query = query.where(_matches(text)).order_by(col(Visit.checked_in_at).desc()).limit(50)
            return [self._view(session, v, r) for v, r in session.exec(query).all()]

    def get(self, visit_id: uuid.UUID) -> VisitView | None:
        """One visit, fresh from the database."""
        with self.ctx.db.read() as session:
            visit = session.get(Visit, visit_id)
            if visit is None:
                return None
            return self._view(session, visit, session.get(Registration, visit.registration_id))

    def _view(self, session: Session, visit: Visit, person: Registration | None) -> VisitView:
        assert person is not None
        screening = session.exec(select(Screening).where(Screening.visit_id == visit.id)
                                 .order_by(col(Screening.screened_at).desc())).first()
        card = session.exec(select(Card).where(Card.visit_id == visit.id)).first()
        return VisitView(visit.id, visit.queue_number, person.name, person.nik, mask_nik(person.nik), person.birth_date,
                         person.sex, visit.state, visit.dose_number, self.ctx.clock.local(visit.checked_in_at),
                         visit.walkin, screening.outcome if screening else "", card.id if card else None,
                         card.short_id if card else "", card.reprints if card else 0)

    def hourly(self, day: dt.date | None = None) -> list[HourNumbers]:
        """The day hour by hour, from the first hour anything happened to the last (from the records and the audit)."""
        day = day or self.ctx.clock.today()
        local = self.ctx.clock.local
        with self.ctx.db.read() as session:
            visits = list(session.exec(select(Visit).where(Visit.service_day == day)).all())
            ids = [v.id for v in visits]
            doses = [local(d.given_at).hour for d in session.exec(select(Vaccination).where(col(Vaccination.visit_id).in_(ids))).all()]
            ended = [local(s.screened_at).hour for s in session.exec(select(Screening).where(
                col(Screening.visit_id).in_(ids), col(Screening.outcome) != "proceed")).all()]
            audit = [(local(a.at), a.action) for a in session.exec(select(AuditEntry).where(col(AuditEntry.action).in_(TURNED_AWAY))).all()]
            passes = [local(p.issued_at).hour for p in session.exec(select(PriorityPass).where(PriorityPass.issued_on == day)).all()]
            cards = [local(j.printed_at).hour for j in session.exec(select(PrintJob).where(
                PrintJob.kind == "card", col(PrintJob.printed_at).is_not(None))).all()
                     if j.printed_at is not None and local(j.printed_at).date() == day]
            row = session.get(DayQuota, day) or _planned(self.ctx, day)
        arrived = [local(v.checked_in_at).hour for v in visits]
        away = [at.hour for at, _ in audit if at.date() == day]
        honoured = [local(v.checked_in_at).hour for v in visits if v.queue_number.startswith("P-")]
        hours = arrived + doses + ended + away + passes + cards
        if not hours:
            return []
        result, used = [], 0
        for hour in range(min(hours), max(hours) + 1):
            used += arrived.count(hour) - ended.count(hour)
            result.append(HourNumbers(hour, arrived.count(hour), doses.count(hour), ended.count(hour), away.count(hour),
                                      passes.count(hour), honoured.count(hour), cards.count(hour), used,
                                      max(row.cap - used - row.held_for_passes, 0)))
        return result

    def day_numbers(self, day: dt.date | None = None) -> DayNumbers:
        """Cap, used, free, and the flow of the day (a day not opened yet shows its planned cap)."""
        day = day or self.ctx.clock.today()
        with self.ctx.db.read() as session:
            row = session.get(DayQuota, day) or _planned(self.ctx, day)
            states = dict(session.exec(select(Visit.state, func.count()).where(Visit.service_day == day)
                                       .group_by(Visit.state)).all())
            passes = session.exec(select(func.count()).select_from(PriorityPass)
                                  .where(PriorityPass.issued_on == day)).one()
        vaccinated = states.get(VisitState.VACCINATED, 0) + states.get(VisitState.CARD_ISSUED, 0)
        return DayNumbers(day, row.cap, row.used, max(row.cap - row.used - row.held_for_passes, 0), row.held_for_passes,
                          row.walkin_slots, row.walkin_used, sum(states.values()), vaccinated,
                          states.get(VisitState.POSTPONED, 0), row.turned_away, passes, row.released)


def _planned(ctx: StationContext, day: dt.date) -> DayQuota:
    cap = ctx.plan.base_caps().get(day, 0)
    return DayQuota(service_day=day, cap=cap, walkin_slots=ctx.plan.walkin_slots(cap))


NAME_MAX_CHARS = 64  # part of a name; longer text is someone leaning on the keyboard (or a scanned card)


def search_text(raw: str) -> str:
    """What staff typed or scanned, without control characters or lone surrogates (SQLite refuses those)."""
    return "".join(c for c in raw if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF).strip()


def _matches(raw: str) -> ColumnElement[bool]:
    text = search_text(raw)
    payload = parse_payload(text)
    if isinstance(payload, Nik):
        return col(Registration.nik) == payload.number
    if isinstance(payload, SignedCredential) and payload.kind == "card":
        return col(Visit.id).in_(select(Card.visit_id).where(col(Card.short_id) == payload.credential_id))
    pattern = "%" + text[:NAME_MAX_CHARS].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    conditions = [col(Registration.name).ilike(pattern, escape="\\"), col(Visit.queue_number) == text.upper()]
    if isinstance(payload, RegistrationCode):
        conditions.append(col(Registration.code) == payload.code)
    return or_(*conditions)
