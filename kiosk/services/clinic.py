"""The desks after check-in: screening, the dose, and the signed local card.

Each step moves the visit through the state machine and writes its record and outbox row
in one transaction. The card's print job is created with the card; printing happens after.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid

from sqlmodel import Session

from kiosk.credentials import new_short_id, sign_card
from kiosk.domain.screening import Outcome, ScreeningAnswers, ScreeningResult, age_on, evaluate
from kiosk.domain.visit import VisitState, transition
from kiosk.errors import KioskError, NotFound
from kiosk.events import CardIssued, ScreeningRecorded, VaccinationRecorded
from kiosk.i18n import _
from kiosk.services.context import StationContext
from kiosk.services.ledger import QuotaLedger
from kiosk.services.outbox import audit, record_event
from kiosk.storage.tables import Card, PrintJob, Registration, Screening, Vaccination, Visit

_ENDING = {Outcome.POSTPONE: VisitState.POSTPONED, Outcome.REFER: VisitState.REFERRED,
           Outcome.NOT_GIVEN: VisitState.NOT_GIVEN, Outcome.PROCEED: VisitState.SCREENED}


def ending_state(outcome: Outcome) -> VisitState:
    """The state a visit is in after a screening with ``outcome``."""
    return _ENDING[outcome]


@dataclasses.dataclass(frozen=True)
class DoseEntry:
    """What the vaccinator records."""

    product: str
    lot: str
    expiry: dt.date
    site: str
    vaccinator: str


class ClinicService:
    """Screening, dose and card for visits on this station."""

    def __init__(self, ctx: StationContext) -> None:
        self.ctx = ctx

    def preview_screening(self, visit_id: uuid.UUID, answers: ScreeningAnswers) -> ScreeningResult:
        """The outcome the rules give, without recording anything (the form shows it live)."""
        with self.ctx.db.read() as session:
            visit, person = _visit_and_person(session, visit_id)
            return evaluate(self.ctx.rules, answers, visit.dose_number, age_on(person.birth_date, self.ctx.clock.today()),
                            self.ctx.clock.today())

    def record_screening(self, visit_id: uuid.UUID, answers: ScreeningAnswers, staff: str,
                         override: Outcome | None = None, override_reason: str = "") -> Screening:
        """Record a screening; an override of the computed outcome needs a reason and is audited."""
        self.ctx.require_role("screening")
        if override is not None and not override_reason.strip():
            raise KioskError(_("overriding the computed outcome needs a reason"))
        now, today = self.ctx.clock.now(), self.ctx.clock.today()
        with self.ctx.db.write() as session:
            visit, person = _visit_and_person(session, visit_id)
            result = evaluate(self.ctx.rules, answers, visit.dose_number, age_on(person.birth_date, today), today)
            outcome = override or result.outcome
            _move(visit, _ENDING[outcome], now)
            screening = Screening(visit_id=visit.id, rule_set_version=self.ctx.rules.version,
                                  answers_json=json.dumps(dataclasses.asdict(answers), sort_keys=True),
                                  computed_outcome=result.outcome.value, outcome=outcome.value,
                                  reasons="; ".join(result.reasons), override_reason=override_reason.strip(),
                                  recheck_on=result.recheck_on, screened_by=staff, screened_at=now)
            session.add(screening)
            if not VisitState(visit.state).holds_slot:
                QuotaLedger(self.ctx.plan, self.ctx.destinations).release(session, visit.service_day, visit.walkin)
            if override is not None:
                audit(session, staff, "screening.override", visit.id,
                      f"{result.outcome.value} -> {outcome.value}: {override_reason.strip()}", now, self.ctx.station_id)
            session.flush()
            event = ScreeningRecorded(
                screening.id, visit.id, person.id, person.nik, visit.dose_number, screening.rule_set_version,
                screening.answers_json, screening.computed_outcome, screening.outcome, screening.reasons,
                screening.override_reason, screening.recheck_on, screening.screened_by, screening.screened_at)
            record_event(session, self.ctx.destinations, event, screening.id, now)
            return screening

    def record_dose(self, visit_id: uuid.UUID, entry: DoseEntry) -> Vaccination:
        """Record the dose given; the product must be known, the lot named and not expired."""
        self.ctx.require_role("vaccination")
        product = self.ctx.products.get(entry.product)
        now, today = self.ctx.clock.now(), self.ctx.clock.today()
        if product is None:
            raise KioskError(_("unknown vaccine product {product!r}: choose one of {products}",
                               product=entry.product, products=', '.join(self.ctx.products.products)))
        if not entry.lot.strip() or not entry.vaccinator.strip():
            raise KioskError(_("the lot number and the vaccinator's name are required"))
        if entry.expiry < today:
            raise KioskError(_("lot {lot} expired on {expiry:%d-%m-%Y}: do not use it", lot=entry.lot, expiry=entry.expiry))
        with self.ctx.db.write() as session:
            visit, person = _visit_and_person(session, visit_id)
            _move(visit, VisitState.VACCINATED, now)
            dose = Vaccination(visit_id=visit.id, registration_id=person.id, product=product.code,
                               lot=entry.lot.strip().upper(), expiry=entry.expiry, dose_number=visit.dose_number,
                               site=entry.site, vaccinator=entry.vaccinator.strip(),
                               interval_table_version=self.ctx.products.version, given_at=now)
            session.add(dose)
            session.flush()
            event = VaccinationRecorded(dose.id, visit.id, person.id, person.nik, dose.product, product.cvx, dose.lot,
                                        dose.expiry, dose.dose_number, dose.site, dose.vaccinator,
                                        dose.interval_table_version, dose.given_at)
            record_event(session, self.ctx.destinations, event, dose.id, now)
            audit(session, dose.vaccinator, "dose.recorded", dose.id, f"dose {dose.dose_number} {dose.product} lot {dose.lot}",
                  now, self.ctx.station_id)
            return dose

    def issue_card(self, visit_id: uuid.UUID) -> Card:
        """Issue the signed local card and queue its print job."""
        self.ctx.require_role("card")
        now = self.ctx.clock.now()
        with self.ctx.db.write() as session:
            visit, person = _visit_and_person(session, visit_id)
            _move(visit, VisitState.CARD_ISSUED, now)
            short_id = new_short_id()
            card = Card(short_id=short_id, visit_id=visit.id, issued_at=now,
                        payload=sign_card(self.ctx.keys, short_id, visit.service_day, visit.dose_number))
            session.add(card)
            session.flush()
            session.add(PrintJob(kind="card", subject_id=card.id, created_at=now))
            record_event(session, self.ctx.destinations, CardIssued(card.id, short_id, visit.id, person.id), card.id, now)
            audit(session, "card desk", "card.issued", card.id, short_id, now, self.ctx.station_id)
            return card

    def reprint_card(self, card_id: uuid.UUID, staff: str) -> PrintJob:
        """Queue a reprint: same card id, the counter goes up, the slip says REPRINT."""
        self.ctx.require_role("card")
        now = self.ctx.clock.now()
        with self.ctx.db.write() as session:
            card = session.get(Card, card_id)
            if card is None:
                raise NotFound(_("no such card"))
            card.reprints += 1
            job = PrintJob(kind="card", subject_id=card.id, reprint_no=card.reprints, created_at=now)
            session.add(job)
            audit(session, staff, "card.reprint", card.id, f"reprint {card.reprints}", now, self.ctx.station_id)
            return job


def _visit_and_person(session: Session, visit_id: uuid.UUID) -> tuple[Visit, Registration]:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound(_("no such visit: scan the attendee again"))
    person = session.get(Registration, visit.registration_id)
    assert person is not None
    return visit, person


def _move(visit: Visit, target: VisitState, now: dt.datetime) -> None:
    visit.state = transition(VisitState(visit.state), target)
    visit.updated_at = now
