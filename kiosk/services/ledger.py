"""The day's quota on the station's own database (the single-station QuotaAuthority).

Every change is one conditional UPDATE, so the cap holds under any interleaving of
writers: a reservation that would pass the cap matches no row and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from kiosk.domain.quota import QuotaPlan
from kiosk.domain.visit import VisitState
from kiosk.events import VisitNoShow
from kiosk.services.outbox import record_event
from kiosk.storage.tables import DayQuota, PriorityPass, Visit


class QuotaLedger:
    """Opens, spends, releases and closes service days."""

    def __init__(self, plan: QuotaPlan, destinations: tuple[str, ...] = ("central",), venue: bool = False) -> None:
        self.plan = plan
        self.destinations = destinations
        self.venue = venue  # a venue station: a day's cap is what it leased from the hub (kiosk.hub.quota)

    def open_day(self, session: Session, day: dt.date, now: dt.datetime) -> None:
        """Make sure the day's row exists, closing earlier open days first so their leftover carries.

        Decided by the database, never remembered in the process: a first check-in whose commit failed
        (a full disk) must leave the next one to open the day again. Closing is idempotent.
        """
        if session.get(DayQuota, day) is not None:
            return
        for earlier in session.exec(select(DayQuota).where(DayQuota.service_day < day, col(DayQuota.closed).is_(False))
                                    .order_by(col(DayQuota.service_day))).all():
            self.close_day(session, earlier.service_day, now)
        self._row(session, day)

    def _row(self, session: Session, day: dt.date) -> DayQuota:
        row = session.get(DayQuota, day)
        if row is None:
            cap = 0 if self.venue else self.plan.base_caps().get(day, 0)
            row = DayQuota(service_day=day, cap=cap, walkin_slots=self.plan.walkin_slots(cap))
            session.add(row)
            session.flush()
        return row

    def reserve(self, session: Session, day: dt.date, walkin: bool, extra_condition: Any = None,
                extra_values: Mapping[str, object] | None = None) -> bool:
        """Take one slot for a check-in; False when the day (or its registered share) is full."""
        q = DayQuota
        room = (q.used + q.held_for_passes < q.cap) & q.closed.is_(False)  # type: ignore[attr-defined]  # closed: its leftover has carried
        values: dict[str, object] = {"used": q.used + 1, "spends": q.spends + 1}
        if walkin:
            values["walkin_used"] = q.walkin_used + 1
            condition = room
        else:
            condition = room & (q.used - q.walkin_used < q.cap - q.walkin_slots)
        if extra_condition is not None:
            condition = condition & extra_condition
        values.update(extra_values or {})
        return self.apply(session, day, condition, values)

    def use_pass_hold(self, session: Session, day: dt.date) -> bool:
        """Turn a slot held for a priority pass into a used one."""
        q = DayQuota
        return self.apply(session, day, q.held_for_passes > 0, {"used": q.used + 1, "held_for_passes": q.held_for_passes - 1})

    def release_pass_hold(self, session: Session, day: dt.date) -> None:
        """Give back a slot held for a pass whose holder was served earlier."""
        q = DayQuota
        self.apply(session, day, q.held_for_passes > 0, {"held_for_passes": q.held_for_passes - 1})

    def release(self, session: Session, day: dt.date, walkin: bool) -> None:
        """Give back a slot of a visit that ended without a dose."""
        q = DayQuota
        values = {"used": q.used - 1, "released": q.released + 1, "releases": q.releases + 1}
        if walkin:
            values["walkin_used"] = q.walkin_used - 1
        self.apply(session, day, q.used > 0, values)

    def hold_for_pass(self, session: Session, after: dt.date) -> dt.date | None:
        """Hold a slot on the first later plan day with room; None when the plan has none left."""
        day = self.plan.next_service_day(after)
        while day is not None:
            self._row(session, day)
            q = DayQuota
            if self.apply(session, day, q.used + q.held_for_passes < q.cap, {"held_for_passes": q.held_for_passes + 1}):
                return day
            day = self.plan.next_service_day(day)
        return None

    def count_turned_away(self, session: Session, day: dt.date) -> None:
        """Count one person sent home because the day was full."""
        self.apply(session, day, DayQuota.cap >= 0, {"turned_away": DayQuota.turned_away + 1})

    def close_day(self, session: Session, day: dt.date, now: dt.datetime) -> None:
        """End a day: unfinished visits become no-shows, unused pass holds lapse, leftover carries."""
        row = self._row(session, day)
        for visit in session.exec(select(Visit).where(Visit.service_day == day, col(Visit.state).in_(
                [VisitState.CHECKED_IN, VisitState.SCREENED]))).all():
            visit.state, visit.updated_at = VisitState.NO_SHOW, now
            record_event(session, self.destinations, VisitNoShow(visit.id), visit.id, now)
            self.release(session, day, visit.walkin)
        session.refresh(row)
        row.held_for_passes = 0
        row.closed = True
        following = self.plan.next_service_day(day)
        if self.plan.carry_forward and following is not None and not self.venue:  # the hub carries a venue's leftover
            leftover = max(row.cap - row.used, 0)
            nxt = self._row(session, following)
            nxt.cap += leftover
            nxt.walkin_slots = self.plan.walkin_slots(nxt.cap)
        session.flush()

    def apply(self, session: Session, day: dt.date, condition: object, values: Mapping[str, object]) -> bool:
        stmt = update(DayQuota).where(col(DayQuota.service_day) == day, condition).values(values)  # type: ignore[arg-type]
        changed: bool = session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]
        row = session.identity_map.get(session.identity_key(DayQuota, (day,)))  # type: ignore[arg-type]
        if row is not None:  # the UPDATE bypassed the ORM: reload only this row, not the attendee's
            session.expire(row)
        return changed


def unused_pass(session: Session, registration_id: object, today: dt.date) -> PriorityPass | None:
    """A pass this person already holds for today or later, so a re-scan does not issue another."""
    return session.exec(select(PriorityPass).where(PriorityPass.registration_id == registration_id,
                                                   PriorityPass.valid_on >= today,
                                                   col(PriorityPass.used_at).is_(None))).first()
