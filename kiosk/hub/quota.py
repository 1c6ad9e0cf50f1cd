"""Escrow leases: the hub owns each day's cap; a station spends the block it leased, on its own database.

The station's day row (``DayQuota``) holds what the hub granted it as ``cap``; a check-in takes one
of them with the same conditional UPDATE as a lone station, in the same local transaction as the
visit. While the hub is reachable the check-in is also confirmed there (``sentra_admit``: the
person's claim for the day, and the slot spent against the station's own lease row), so the hub
always knows what an online station spent, and a lease it reclaims can never be one the station
is still spending. While cut off, the station may spend at most ``hub.offline_slots`` between two
contacts — exactly the part of its lease the hub never reclaims without hearing from it. So the
venue's cap holds in every interleaving, crash and partition:

    hub:      leased + held_for_passes <= cap                       (a CHECK constraint)
    lease:    spent - released <= granted                           (sentra_admit's fence)
    reclaim:  granted' = (spent - released) + offline_allowance     (what an expired lease keeps)
    station:  offline check-ins since the last report <= offline_allowance

Slots move hub -> station only inside the station's write transaction (the station adopts the
hub's ``granted`` as its cap), and station -> hub only after the station's own commit, so a crash
between the two strands slots at worst (they come back at the next renewal), never doubles them. A
check-in rolled back after it leased (the person was in already at another station) renews at once,
so the block it leased is not stranded while the next person is turned away.
"""

from __future__ import annotations

import collections
import datetime as dt
import math
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from kiosk.errors import KioskError
from kiosk.hub.link import AdmitAnswer, HubLink, HubRefused, HubUnavailable, LeaseAnswer
from kiosk.i18n import _
from kiosk.services.ledger import QuotaLedger
from kiosk.states import OutboxState
from kiosk.storage.db import Database, after_rollback
from kiosk.storage.tables import DayQuota, OutboxRow, Vaccination, VenueDose, Visit

DRY_RETRY_S = 1.0  # after the hub said the day has nothing free, check-ins turn away without asking again for this long
ONLINE = "hub_online"  # session.info key: this transaction's slot was taken while the hub was reachable


class ClaimedElsewhere(KioskError):
    """The hub says this person was admitted today already (at another station)."""

    def __init__(self, answer: AdmitAnswer) -> None:
        super().__init__(_("already checked in today at station {station}", station=answer.station))
        self.answer = answer


class LeaseShrank(KioskError):
    """The hub no longer covers the slot this station took (its lease was reclaimed): renew, then retry."""


@dataclass(frozen=True)
class DoseSeen:
    """A dose of this person, given here or at another station of the venue."""

    id: uuid.UUID
    product: str
    dose_number: int
    given_at: dt.datetime


class VenueQuota:
    """The station's side of the escrow protocol (see the module docstring)."""

    def __init__(self, db: Database, ledger: QuotaLedger, link: HubLink, *, block_max: int = 50,
                 low_water: int = 5, horizon_s: float = 60.0, poll_s: float = 5.0) -> None:
        self.db = db
        self.ledger = ledger
        self.link = link
        self.block_max = block_max
        self.low_water = low_water
        self.poll_s = poll_s
        self.horizon_s = horizon_s
        self._recent: collections.deque[tuple[dt.date, float]] = collections.deque(maxlen=512)  # (day, when) of spends
        self.last_free_at_hub: int | None = None
        self._dry_until = 0.0

    # ------------------------------------------------------------------ in the check-in transaction
    def reserve(self, session: Session, day: dt.date, walkin: bool) -> bool:
        """Take one of this station's slots; when none is left and the hub is there, lease more and try again."""
        taken = self._take(session, day, walkin)
        if not taken and self.link.online and time.monotonic() >= self._dry_until:
            answer = self._lease(session, day)
            if answer is not None:  # the hub counts these slots as ours whatever becomes of this check-in
                after_rollback(session, lambda: self.renew(day))
            if answer is not None and answer.got == 0:  # the venue's day is full: do not ask again for each person
                self._dry_until = time.monotonic() + DRY_RETRY_S
            elif answer is not None:
                taken = self._take(session, day, walkin)
        if taken:
            self._recent.append((day, time.monotonic()))
        return taken

    def _take(self, session: Session, day: dt.date, walkin: bool) -> bool:
        online = self.link.online
        session.info[ONLINE] = online
        extra = None if online else DayQuota.offline_used < self.link.offline_slots
        return self.ledger.reserve(session, day, walkin, extra_condition=extra,
                                   extra_values=None if online else {"offline_used": DayQuota.offline_used + 1})

    def confirm(self, session: Session, day: dt.date, registration_id: uuid.UUID, visit_id: uuid.UUID, at: dt.datetime,
                reserved: bool) -> AdmitAnswer | None:
        """Claim the person and spend the slot at the hub, before the local commit (one round trip).

        A priority pass for today is used wherever it was issued: its held slot becomes this station's
        (status "pass", even when this station had none left). Returns None for a check-in made cut off.
        Raises ClaimedElsewhere (roll back: admitted at another station already) or LeaseShrank (roll
        back, renew, retry). A hub lost mid-way turns a reserved check-in into an offline one, if the
        offline allowance has room.
        """
        if not session.info.get(ONLINE, self.link.online):
            return None
        q = DayQuota
        try:
            answer = self.link.admit(day, registration_id, visit_id, at, has_slot=reserved)
        except (HubUnavailable, HubRefused) as exc:
            if isinstance(exc, HubRefused):
                self.link.mark_down(str(exc))
            if not reserved:
                return None
            if self.ledger.apply(session, day, q.offline_used < self.link.offline_slots, {"offline_used": q.offline_used + 1}):
                return None
            raise LeaseShrank(_("the hub went out of reach and this station's offline allowance is used up")) from None
        if answer.status == "pass":  # the hub granted and spent one more slot for us: mirror it
            values = {"cap": q.cap + 1} if reserved else {"cap": q.cap + 1, "used": q.used + 1, "spends": q.spends + 1}
            self.ledger.apply(session, day, q.cap >= 0, values)
            return answer
        if answer.status in ("admitted", "again", "no_slot"):
            return answer
        if answer.status == "claimed":
            raise ClaimedElsewhere(answer)
        raise LeaseShrank(_("the hub no longer covers this station's slot"))

    def hold_pass(self, after: dt.date, pass_id: uuid.UUID, short_id: str,
                  registration_id: uuid.UUID) -> tuple[bool, dt.date | None, uuid.UUID | None, bool]:
        """Count the turn-away and hold a slot at the hub for a pass: (hub reached, the pass's day or None,
        the pass's id, whether the person already held a pass from any station)."""
        try:
            day, pass_, already = self.link.hold_pass(after, pass_id, short_id, registration_id)
        except (HubUnavailable, HubRefused):
            return False, None, None, False
        return True, day, pass_, already

    def doses(self, session: Session, registration_id: uuid.UUID) -> list[DoseSeen]:
        """The person's doses across the venue: the hub's when reachable, else the pulled copy, plus our own."""
        seen: dict[uuid.UUID, DoseSeen] = {}
        remote: list[Any]
        try:
            remote = self.link.doses(registration_id) if self.link.online else []
            if not self.link.online:
                raise HubUnavailable("offline")
        except (HubUnavailable, HubRefused):
            remote = list(session.exec(select(VenueDose).where(VenueDose.registration_id == registration_id)).all())
        for d in remote:
            seen[d.id] = DoseSeen(d.id, d.product, d.dose_number, _utc(d.given_at))
        for v in session.exec(select(Vaccination).where(Vaccination.registration_id == registration_id)).all():
            seen[v.id] = DoseSeen(v.id, v.product, v.dose_number, _utc(v.given_at))
        return sorted(seen.values(), key=lambda d: d.given_at)

    # ------------------------------------------------------------------ the station's numbers
    def free(self, session: Session, day: dt.date) -> int:
        row = session.get(DayQuota, day)
        if row is None:
            return 0
        session.refresh(row)
        room = row.cap - row.used - row.held_for_passes
        return room if self.link.online else min(room, self.link.offline_slots - row.offline_used)

    # ------------------------------------------------------------------ background: renew, refill, return
    def tick(self, day: dt.date, now: dt.datetime) -> LeaseAnswer | None:
        """Renew (report spends, adopt what the hub says we hold), give back closed days, refill below the mark."""
        with self.db.write() as session:
            self.ledger.open_day(session, day, now)
        self._give_back_past(day)  # before leasing today closes yesterday at the hub, so its leftover carries
        with self.db.write() as session:
            answer = self._renew(session, day)
            pace = self.pace(day)
            mark = max(self.low_water, math.ceil(pace * self.poll_s * 2))  # enough to last until the next two ticks
            if answer is not None and pace > 0 and self.free(session, day) < mark:
                answer = self._lease(session, day) or answer  # a quiet station leases when someone comes, not before
        return answer

    def renew(self, day: dt.date) -> LeaseAnswer | None:
        with self.db.write() as session:
            return self._renew(session, day)

    def give_back(self, day: dt.date) -> int:
        """Return this station's unused slots of ``day`` (closing, or the app stopping); the count returned."""
        with self.db.write() as session:
            row = session.get(DayQuota, day)
            if row is None:
                return 0
            spare = row.cap - row.used - row.held_for_passes
            q = DayQuota
            if spare <= 0 or not self.ledger.apply(session, day, q.cap - q.used - q.held_for_passes >= spare,
                                                   {"cap": q.cap - spare}):
                return 0
        try:  # after our commit: the slots are no longer ours to spend, so the hub may lend them again
            self.link.give_back(day, spare, uuid.uuid4())
        except (HubUnavailable, HubRefused):
            pass  # the next renewal adopts what the hub still counts as ours
        return spare

    def reconcile_claims(self, day: dt.date) -> int:
        """At start: claims the hub holds for us whose check-in never committed here are given back."""
        try:
            claims = self.link.my_claims(day)
        except (HubUnavailable, HubRefused):
            return 0
        with self.db.read() as session:
            local = set(session.exec(select(Visit.id).where(Visit.service_day == day)).all())
        orphans = [c for c in claims if c.visit_id not in local]
        for claim in orphans:
            try:
                self.link.unclaim(day, claim.registration_id, claim.visit_id)
            except (HubUnavailable, HubRefused):
                return 0
        return len(orphans)

    def _renew(self, session: Session, day: dt.date) -> LeaseAnswer | None:
        row = session.get(DayQuota, day)
        if row is None:
            return None
        session.refresh(row)
        backlog = session.exec(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.destination == "hub", col(OutboxRow.state).in_([OutboxState.PENDING, OutboxState.IN_FLIGHT]))).one()
        try:
            answer = self.link.renew(day, row.spends, row.releases, int(backlog))
        except (HubUnavailable, HubRefused):
            return None
        self._adopt(session, day, answer, reported=True)
        return answer

    def _lease(self, session: Session, day: dt.date) -> LeaseAnswer | None:
        try:
            answer = self.link.lease(day, self.block(day), uuid.uuid4())
        except (HubUnavailable, HubRefused):
            return None
        self._adopt(session, day, answer, reported=False)
        return answer

    def _adopt(self, session: Session, day: dt.date, answer: LeaseAnswer, reported: bool) -> None:
        values: dict[str, Any] = {"cap": answer.granted,
                                  "walkin_slots": self.ledger.plan.walkin_slots(answer.granted)}
        if reported:
            values["offline_used"] = 0  # the hub now counts every slot we spent
        self.ledger.apply(session, day, DayQuota.cap >= 0, values)
        self.last_free_at_hub = answer.free

    def pace(self, day: dt.date) -> float:
        """Check-ins per second here over the last ``horizon_s`` seconds of ``day``."""
        now = time.monotonic()
        recent = [t for d, t in self._recent if d == day and now - t <= self.horizon_s]
        if not recent:
            return 0.0
        return len(recent) / max(now - recent[0], 1.0)

    def block(self, day: dt.date) -> int:
        """Slots to ask for: about ``horizon_s`` seconds of this station's pace today, and at least the low-water
        mark, so a station that is being used holds something to work on if the hub goes (the hub shrinks the
        block as the day fills, so slots do not sit idle here while another station turns people away)."""
        return max(1, min(self.block_max, max(self.low_water, math.ceil(self.pace(day) * self.horizon_s))))

    def _give_back_past(self, today: dt.date) -> None:
        """Days before today that still hold unspent slots: close them here and return the slots."""
        with self.db.read() as session:
            past = [(r.service_day, r.cap - r.used - r.held_for_passes) for r in session.exec(
                select(DayQuota).where(DayQuota.service_day < today, DayQuota.cap > DayQuota.used + DayQuota.held_for_passes))]
        for day, spare in past:
            with self.db.write() as session:
                row = session.get(DayQuota, day)
                if row is None or not row.closed:
                    continue
                stmt = update(DayQuota).where(col(DayQuota.service_day) == day).values(cap=DayQuota.used + DayQuota.held_for_passes)
                session.execute(stmt)
            try:
                self.link.give_back(day, spare, uuid.uuid4())
            except (HubUnavailable, HubRefused):
                pass


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
