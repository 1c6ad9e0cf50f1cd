"""Check-in: from a scanned or typed payload to a visit with a queue number, or a clear refusal.

Lookup, duplicate check, interval check, slot reservation, the visit, its queue number and
its outbox row are one transaction. A full day issues a priority pass in that same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from kiosk.credentials import Verdict, new_short_id, sign_pass, verify
from kiosk.domain.visit import VisitState
from kiosk.errors import KioskError
from kiosk.events import PassIssued, VisitCheckedIn
from kiosk.hub.link import AdmitAnswer
from kiosk.hub.quota import ClaimedElsewhere, DoseSeen, LeaseShrank, VenueQuota
from kiosk.identity import Nik, RegistrationCode, SignedCredential, Unrecognised, parse_payload
from kiosk.services.context import StationContext
from kiosk.services.ledger import QuotaLedger, unused_pass
from kiosk.services.outbox import audit, record_event
from kiosk.states import OutcomeKind
from kiosk.storage.tables import PrintJob, PriorityPass, QueueCounter, Registration, Vaccination, Visit

PREFIX_REGISTERED, PREFIX_WALKIN, PREFIX_PRIORITY = "A", "W", "P"


@dataclass(frozen=True)
class CheckInOutcome:
    """What the attendee is told. ``kind`` is a stable code; ``kiosk.i18n`` words it."""

    kind: OutcomeKind
    name: str = ""
    queue_number: str = ""
    visit_id: object = None
    dose_number: int = 0
    at: dt.datetime | None = None
    day: dt.date | None = None
    pass_id: object = None
    detail: str = ""
    details: dict[str, object] = field(default_factory=dict)
    slip_queued: bool = False  # a print job (pass or queue ticket) was made with this outcome: print it


class _Decided(Exception):  # noqa: N818 - control flow: roll the transaction back and answer this
    def __init__(self, outcome: CheckInOutcome) -> None:
        self.outcome = outcome


class CheckInService:
    """Checks attendees in against the day's quota (the venue's, through the hub, on a venue station)."""

    def __init__(self, ctx: StationContext) -> None:
        self.ctx = ctx
        self.ledger = QuotaLedger(ctx.plan, ctx.destinations, venue=ctx.hub is not None)
        self.venue = VenueQuota(ctx.db, self.ledger, ctx.hub, block_max=ctx.hub_block_max, low_water=ctx.hub_low_water,
                                poll_s=ctx.hub_poll_seconds) if ctx.hub is not None else None

    def check_in(self, raw: str | bytes) -> CheckInOutcome:
        """Check in whoever ``raw`` identifies; never raises for bad input."""
        payload = parse_payload(raw)
        if isinstance(payload, Unrecognised):
            return CheckInOutcome(OutcomeKind.UNRECOGNISED, detail=payload.reason)
        if isinstance(payload, SignedCredential):
            return self._credential(payload)

        def admit(session: Session) -> CheckInOutcome:
            registration = _find(session, payload)
            if registration is None:
                return CheckInOutcome(OutcomeKind.NOT_REGISTERED)
            return self._admit(session, registration, walkin=registration.source == "walkin")
        return self._transaction(admit)

    def check_in_registration(self, registration_id: object) -> CheckInOutcome:
        """Check in a registration staff picked (walk-ins right after registering them)."""
        def admit(session: Session) -> CheckInOutcome:
            registration = session.get(Registration, registration_id)
            if registration is None:
                return CheckInOutcome(OutcomeKind.NOT_REGISTERED)
            return self._admit(session, registration, walkin=registration.source == "walkin")
        return self._transaction(admit)

    def _transaction(self, work: Callable[[Session], CheckInOutcome]) -> CheckInOutcome:
        """Run a check-in in one write transaction; a venue station retries once after its lease was renewed."""
        for attempt in range(3):
            try:
                with self.ctx.db.write() as session:
                    outcome = work(session)
                    self._audit(session, outcome)
                    return outcome
            except _Decided as decided:
                with self.ctx.db.write() as session:
                    self._audit(session, decided.outcome)
                return decided.outcome
            except LeaseShrank:
                if self.venue is None or attempt == 2:
                    raise
                self.venue.renew(self.ctx.clock.today())
        raise AssertionError("unreachable")

    def _audit(self, session: Session, outcome: CheckInOutcome) -> None:
        """Every admission and every refusal with its reason, in the audit chain (record ids, never a NIK)."""
        subject = outcome.visit_id or outcome.pass_id
        detail = " ".join(part for part in (outcome.queue_number, f"{outcome.day}" if outcome.day else "",
                                             outcome.detail) if part)
        audit(session, "kiosk", f"checkin.{outcome.kind.value}", subject if isinstance(subject, uuid.UUID) else None,
              detail, self.ctx.clock.now(), self.ctx.station_id)

    def _admit(self, session: Session, person: Registration, walkin: bool, pass_: PriorityPass | None = None) -> CheckInOutcome:
        now, today = self.ctx.clock.now(), self.ctx.clock.today()
        self.ledger.open_day(session, today, now)
        doses = self._doses(session, person)
        refusal = self._refusal(session, person, today, doses)
        if refusal is not None:
            return refusal
        visit_id = uuid.uuid4()
        priority = False
        if self.venue is not None:  # the venue's passes are the hub's: honoured at any station
            held = None
            reserved = self.venue.reserve(session, today, walkin)
            answer = self._confirm_at_hub(session, person, today, visit_id, now, reserved)
            local = session.get(PriorityPass, answer.pass_id) if answer is not None and answer.pass_id else None
            if local is not None:
                local.used_at = now
            if answer is not None and answer.status == "pass":
                reserved = priority = True
                pass_ = local
        else:
            held = pass_ or unused_pass(session, person.id, today)  # the held slot is theirs however they identify
            if held is not None and held.valid_on == today:
                pass_ = held
                reserved = self.ledger.use_pass_hold(session, today) or self.ledger.reserve(session, today, walkin)
            else:
                reserved = self.ledger.reserve(session, today, walkin)
        if not reserved:
            return self._turn_away(session, person, today, now, held)
        if held is not None and pass_ is None:  # came before their pass's day and found room: free that slot
            self.ledger.release_pass_hold(session, held.valid_on)
            held.used_at, pass_ = now, held
        priority = priority or (pass_ is not None and pass_.valid_on == today)
        prefix = PREFIX_PRIORITY if priority else (PREFIX_WALKIN if walkin else PREFIX_REGISTERED)
        visit = Visit(id=visit_id, registration_id=person.id, service_day=today, state=VisitState.CHECKED_IN,
                      queue_number=_next_queue_number(session, today, prefix), dose_number=len(doses) + 1,
                      walkin=walkin, priority_pass_id=pass_.id if pass_ else None, station_id=self.ctx.station_id,
                      checked_in_at=now, updated_at=now)
        session.add(visit)
        if pass_ is not None and pass_.used_at is None:
            pass_.used_at = now
        if self.ctx.print_queue_tickets:
            session.add(PrintJob(kind="ticket", subject_id=visit.id, created_at=now))
        record_event(session, self.ctx.destinations, _visit_event(visit, person), visit.id, now)
        return CheckInOutcome(OutcomeKind.ADMITTED, name=person.name, queue_number=visit.queue_number, visit_id=visit.id,
                              dose_number=visit.dose_number, at=now, slip_queued=self.ctx.print_queue_tickets)

    def _confirm_at_hub(self, session: Session, person: Registration, today: dt.date, visit_id: uuid.UUID,
                        now: dt.datetime, reserved: bool) -> AdmitAnswer | None:
        assert self.venue is not None
        try:
            return self.venue.confirm(session, today, person.id, visit_id, now, reserved)
        except ClaimedElsewhere as elsewhere:
            at = elsewhere.answer.at
            raise _Decided(CheckInOutcome(OutcomeKind.ALREADY_CHECKED_IN, name=person.name, visit_id=elsewhere.answer.visit_id,
                                          at=self.ctx.clock.local(at) if at else None,
                                          detail=f"station {elsewhere.answer.station}")) from None

    def _doses(self, session: Session, person: Registration) -> list[Vaccination] | list[DoseSeen]:
        return self.venue.doses(session, person.id) if self.venue is not None else _doses(session, person)

    def _refusal(self, session: Session, person: Registration, today: dt.date,
                 doses: list[Vaccination] | list[DoseSeen]) -> CheckInOutcome | None:
        earlier = session.exec(select(Visit).where(Visit.registration_id == person.id, Visit.service_day == today)).first()
        if earlier is not None:
            return CheckInOutcome(OutcomeKind.ALREADY_CHECKED_IN, name=person.name, queue_number=earlier.queue_number,
                                  visit_id=earlier.id, at=self.ctx.clock.local(earlier.checked_in_at))
        appointment = person.appointment_date
        if appointment is not None and self.ctx.appointments != "any_day" and today != appointment:
            if today < appointment:
                return CheckInOutcome(OutcomeKind.APPOINTMENT_LATER, name=person.name, day=appointment)
            if self.ctx.appointments == "exact":
                return CheckInOutcome(OutcomeKind.APPOINTMENT_MISSED, name=person.name, day=appointment)
        if doses:
            last = doses[-1]
            given_on = self.ctx.clock.local(last.given_at).date()
            earliest = self.ctx.products.earliest_next_dose(last.product, given_on)
            if today < earliest:
                return CheckInOutcome(OutcomeKind.TOO_EARLY, name=person.name, day=earliest, detail=last.product)
        return None

    def _turn_away(self, session: Session, person: Registration, today: dt.date, now: dt.datetime,
                   held: PriorityPass | None) -> CheckInOutcome:
        if held is not None:  # already sent home once with a pass: the truth again, no second pass, counted once
            return CheckInOutcome(OutcomeKind.PASS_HELD, name=person.name, day=held.valid_on, pass_id=held.id)
        self.ledger.count_turned_away(session, today)
        short_id, pass_id = new_short_id(), uuid.uuid4()
        if self.venue is not None:
            reached, valid_on, held_id, already = self.venue.hold_pass(today, pass_id, short_id, person.id) \
                if self.venue.link.online else (False, None, None, False)
            if not reached:  # no pass can hold a slot without the hub: the truth, and see staff
                return CheckInOutcome(OutcomeKind.FULL_NO_PASS, name=person.name)
            if already:  # sent home with a pass before, at this station or another
                return CheckInOutcome(OutcomeKind.PASS_HELD, name=person.name, day=valid_on, pass_id=held_id)
        else:
            valid_on = self.ledger.hold_for_pass(session, today)
        if valid_on is None:
            return CheckInOutcome(OutcomeKind.PLAN_OVER, name=person.name)
        pass_ = PriorityPass(id=pass_id, short_id=short_id, registration_id=person.id, issued_on=today, valid_on=valid_on,
                             payload=sign_pass(self.ctx.keys, short_id, valid_on), issued_at=now)
        session.add(pass_)
        session.flush()
        session.add(PrintJob(kind="pass", subject_id=pass_.id, created_at=now))
        record_event(session, self.ctx.destinations, PassIssued(pass_.id, person.id, valid_on), pass_.id, now)
        return CheckInOutcome(OutcomeKind.FULL, name=person.name, day=valid_on, pass_id=pass_.id, slip_queued=True)

    def _credential(self, credential: SignedCredential) -> CheckInOutcome:
        verdict, _ = verify(self.ctx.keys, credential)
        if verdict is not Verdict.VALID:
            forged = CheckInOutcome(OutcomeKind.FORGED, detail=verdict.value)
            with self.ctx.db.write() as session:
                self._audit(session, forged)
            return forged
        if credential.kind == "card":
            return CheckInOutcome(OutcomeKind.CARD_SCANNED, detail=credential.credential_id)
        def admit(session: Session) -> CheckInOutcome:
            pass_: PriorityPass | None = session.exec(
                select(PriorityPass).where(PriorityPass.short_id == credential.credential_id)).first()
            found = pass_ or self._venue_pass(credential.credential_id)
            if found is None:
                return CheckInOutcome(OutcomeKind.PASS_UNKNOWN)
            person = session.get(Registration, found.registration_id)
            if person is None:  # a pass from another station for someone this station has not pulled yet
                return CheckInOutcome(OutcomeKind.NOT_REGISTERED)
            if found.used_at is not None:
                return CheckInOutcome(OutcomeKind.PASS_USED, name=person.name, at=self.ctx.clock.local(found.used_at))
            if found.valid_on != self.ctx.clock.today():
                return CheckInOutcome(OutcomeKind.PASS_NOT_TODAY, name=person.name, day=found.valid_on)
            return self._admit(session, person, walkin=person.source == "walkin", pass_=pass_)
        return self._transaction(admit)

    def _venue_pass(self, short_id: str) -> PriorityPass | None:
        """A pass another station of the venue issued, as the hub knows it (None when unknown or cut off)."""
        if self.venue is None or not self.venue.link.online:
            return None
        try:
            row = self.venue.link.pass_by_short_id(short_id)
        except KioskError:
            return None
        if row is None:
            return None
        return PriorityPass(id=row.id, short_id=row.short_id, registration_id=row.registration_id, issued_on=row.issued_on,
                            valid_on=row.valid_on, payload="", used_at=row.used_at, issued_at=self.ctx.clock.now())


def _find(session: Session, payload: RegistrationCode | Nik) -> Registration | None:
    if isinstance(payload, Nik):
        return session.exec(select(Registration).where(Registration.nik == payload.number)).first()
    return session.exec(select(Registration).where(Registration.code == payload.code)).first()


def _doses(session: Session, person: Registration) -> list[Vaccination]:
    """The person's doses so far, oldest first."""
    return list(session.exec(select(Vaccination).where(Vaccination.registration_id == person.id)
                             .order_by(col(Vaccination.given_at))).all())


def _next_queue_number(session: Session, day: dt.date, prefix: str) -> str:
    counter = session.get(QueueCounter, (day, prefix))
    if counter is None:
        counter = QueueCounter(service_day=day, prefix=prefix, last=0)
        session.add(counter)
    counter.last += 1
    return f"{prefix}-{counter.last}"


def _visit_event(visit: Visit, person: Registration) -> VisitCheckedIn:
    return VisitCheckedIn(visit.id, person.id, person.nik, person.name, visit.service_day, visit.queue_number,
                          visit.dose_number, visit.station_id, visit.checked_in_at)
