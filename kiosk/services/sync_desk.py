"""What staff and technicians see of sync: the backlog, the records the server refused, and resending one.

Read views and one audited action over the station's outbox; the sender itself is ``kiosk.sync.drainer``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from kiosk.errors import KioskError, NotFound
from kiosk.i18n import _
from kiosk.services.context import StationContext
from kiosk.services.outbox import audit
from kiosk.states import UNSETTLED, OutboxState
from kiosk.storage.db import Database
from kiosk.storage.tables import OutboxRow, Registration, SyncState


class SyncDesk:
    """The station's sync, as the staff desk, the sync screen and `kiosk sync status|attention|resend` see it."""

    def __init__(self, ctx: StationContext, destination: str = "central") -> None:
        self.ctx = ctx
        self.destination = destination

    def status(self) -> SyncStatus:
        """Backlog, oldest waiting record, needing attention, last success and error."""
        return sync_status(self.ctx.db, self.destination)

    def attention(self, limit: int = 200) -> list[AttentionItem]:
        """The records the server refused, with its words."""
        return needing_attention(self.ctx.db, self.destination, limit)

    def resend(self, row_id: uuid.UUID | str, actor: str) -> OutboxRow:
        """Queue a refused record again (after its cause was fixed); audited."""
        return resend(self.ctx.db, row_id, actor, self.ctx.clock.now(), self.ctx.station_id)


@dataclass(frozen=True)
class SyncStatus:
    """What `kiosk sync status` and the staff desk show."""

    backlog: int
    in_flight: int
    needs_attention: int
    acknowledged: int
    oldest_pending_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_error: str
    last_error_at: dt.datetime | None
    holder: str
    lease_until: dt.datetime | None

    def oldest_age(self, now: dt.datetime) -> dt.timedelta | None:
        return now - self.oldest_pending_at if self.oldest_pending_at else None


def sync_status(db: Database, destination: str = "central") -> SyncStatus:
    with db.read() as session:
        counts = dict(session.exec(select(OutboxRow.state, func.count()).where(  # type: ignore[call-overload]
            col(OutboxRow.destination) == destination).group_by(col(OutboxRow.state))).all())
        oldest = session.exec(select(func.min(OutboxRow.created_at)).where(
            col(OutboxRow.destination) == destination, col(OutboxRow.state).in_(UNSETTLED))).one()
        state = session.get(SyncState, destination) or SyncState(destination=destination)
    if oldest is not None and oldest.tzinfo is None:  # an aggregate skips the column type
        oldest = dt.datetime.fromisoformat(str(oldest)).replace(tzinfo=dt.UTC)
    in_flight = counts.get(OutboxState.IN_FLIGHT, 0)
    return SyncStatus(backlog=counts.get(OutboxState.PENDING, 0) + in_flight, in_flight=in_flight,
                      needs_attention=counts.get(OutboxState.NEEDS_ATTENTION, 0),
                      acknowledged=counts.get(OutboxState.ACKNOWLEDGED, 0),
                      oldest_pending_at=oldest, last_success_at=state.last_success_at, last_error=state.last_error,
                      last_error_at=state.last_error_at, holder=state.holder, lease_until=state.lease_until)


@dataclass(frozen=True)
class AttentionItem:
    """A record the server refused: what it was and what the server said."""

    row_id: uuid.UUID
    seq: int
    topic: str
    person: str
    error: str
    attempts: int
    created_at: dt.datetime


def needing_attention(db: Database, destination: str = "central", limit: int = 200) -> list[AttentionItem]:
    with db.read() as session:
        rows = session.exec(select(OutboxRow).where(col(OutboxRow.destination) == destination,
                                                    col(OutboxRow.state) == OutboxState.NEEDS_ATTENTION)
                            .order_by(col(OutboxRow.seq)).limit(limit)).all()
        items = []
        for row in rows:
            person = session.get(Registration, uuid.UUID(row.patient_key)) if row.patient_key else None
            items.append(AttentionItem(row.id, row.seq, row.topic, f"{person.name} ({person.nik})" if person else "",
                                       row.last_error, row.attempts, row.created_at))
        return items


def resend(db: Database, row_id: uuid.UUID | str, actor: str, now: dt.datetime, station: str = "") -> OutboxRow:
    """Put a refused record back in the queue (after its cause was fixed); audited."""
    with db.write() as session:
        row = _find_row(session, str(row_id))
        if row is None:
            raise NotFound(_("no sync record {row_id}", row_id=row_id))
        if row.state != OutboxState.NEEDS_ATTENTION:
            raise KioskError(_("record {id} is {state}, not waiting for attention", id=row.id, state=row.state.replace("_", " ")))
        audit(session, actor, "sync.resend", row.id, f"{row.topic}: {row.last_error[:200]}", now, station)
        row.state, row.next_attempt_at = OutboxState.PENDING, None
        return row


def _find_row(session: Session, text: str) -> OutboxRow | None:
    """A row by its full id or a unique prefix of at least 8 characters (what the list shows)."""
    try:
        return session.get(OutboxRow, uuid.UUID(text))
    except ValueError:
        pass
    if len(text) < 8:
        return None
    matches = [r for r in session.exec(select(OutboxRow).where(col(OutboxRow.state) == OutboxState.NEEDS_ATTENTION)).all()
               if str(r.id).startswith(text)]
    return matches[0] if len(matches) == 1 else None


def status_lines(status: SyncStatus, now: dt.datetime, tz: dt.tzinfo | None = None) -> list[str]:
    """The same words on the CLI and the staff desk."""
    def at(when: dt.datetime | None) -> str:
        return when.astimezone(tz).strftime("%d-%m %H:%M:%S") if when else "never"

    age = status.oldest_age(now)
    lines = [_("waiting: {backlog}", backlog=status.backlog) + (_(" (oldest {age} old)", age=_duration(age)) if age is not None else ""),
             _("need attention: {count}", count=status.needs_attention),
             _("acknowledged by the server: {count}", count=status.acknowledged),
             _("last success: {at}", at=at(status.last_success_at))]
    if status.last_error:
        lines.append(_("last error ({last_error_at}): {last_error}", last_error_at=at(status.last_error_at), last_error=status.last_error))
    return lines


def _duration(delta: dt.timedelta) -> str:
    seconds = int(max(delta.total_seconds(), 0))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} days"
