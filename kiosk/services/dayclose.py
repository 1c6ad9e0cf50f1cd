"""The end-of-day close staff run when the doors shut: no-shows, lapsed holds, the leftover carried, a summary slip.

Closing happens by itself when the next day's first check-in opens that day; closing at the end of
the day instead gives staff the day's summary on paper while they are still there, and stops
check-ins on a day whose leftover has already gone to the next one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlmodel import func, select

from kiosk.domain.visit import VisitState
from kiosk.errors import KioskError
from kiosk.i18n import _
from kiosk.services.context import StationContext
from kiosk.services.ledger import QuotaLedger
from kiosk.services.outbox import audit
from kiosk.storage.tables import DayQuota, PrintJob, Visit

IN_PROGRESS = (VisitState.CHECKED_IN, VisitState.SCREENED)
SUMMARY_IDS = uuid.UUID("6f1c1c8e-5d35-4c55-9a55-2d1f2a1e0d07")  # namespace of summary slips' ids


def summary_id(day: dt.date) -> uuid.UUID:
    """The id a day's summary slip prints under (one per day; reprints count up)."""
    return uuid.uuid5(SUMMARY_IDS, day.isoformat())


@dataclass(frozen=True)
class Closed:
    day: dt.date
    no_shows: int
    already: bool


def close_day(ctx: StationContext, day: dt.date, staff: str, force: bool = False) -> Closed:
    """Close ``day``; refused while visits of today are still in progress, unless ``force``."""
    now = ctx.clock.now()
    ledger = QuotaLedger(ctx.plan, ctx.destinations, venue=ctx.hub is not None)
    with ctx.db.write() as session:
        row = session.get(DayQuota, day)
        if row is not None and row.closed:
            return Closed(day, 0, already=True)
        waiting = session.exec(select(func.count()).select_from(Visit).where(
            Visit.service_day == day, Visit.state.in_(IN_PROGRESS))).one()  # type: ignore[attr-defined]
        if waiting and day == ctx.clock.today() and not force:
            raise KioskError(_("{waiting} visit(s) of today are still in progress: finish or postpone them first (or "
                               "close anyway with --force: they become no-shows)", waiting=waiting))
        ledger.open_day(session, day, now)
        ledger.close_day(session, day, now)
        reprints = session.exec(select(func.count()).select_from(PrintJob).where(
            PrintJob.subject_id == summary_id(day))).one()
        session.add(PrintJob(kind="summary", subject_id=summary_id(day), reprint_no=reprints, created_at=now))
        audit(session, staff, "day.close", None, f"{day}: {waiting} no-show(s)", now, ctx.station_id)
        return Closed(day, int(waiting), already=False)
