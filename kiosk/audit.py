"""The audit chain: every row carries the hash of the row before it, so an edit, a removal or an insertion shows.

``hash = sha256(prev_hash | seq | at | station | actor | action | subject | detail)``. Rows are
numbered 1, 2, 3… inside the write transaction that adds them (SQLite's write lock makes the
numbering safe). ``verify`` walks the chain and names the first broken link: a row whose content
no longer matches its hash (altered), a number that skips (removed), or a row whose previous hash
is not its predecessor's (inserted). Removing the newest rows leaves a shorter valid chain; the
count of rows is on every day report, and a venue hub keeps a copy of each station's records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from kiosk import logs
from kiosk.i18n import _
from kiosk.storage.tables import AuditEntry

GENESIS = "0" * 64


def link_hash(prev: str, seq: int, at: dt.datetime, station: str, actor: str, action: str,
              subject: uuid.UUID | None, detail: str) -> str:
    stamp = (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).isoformat(timespec="microseconds")
    text = "|".join((prev, str(seq), stamp, station, actor, action, str(subject or ""), detail))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def append(session: Session, station: str, actor: str, action: str, subject_id: uuid.UUID | None, detail: str,
           now: dt.datetime) -> AuditEntry:
    """Add the next row of the chain (in the caller's write transaction)."""
    last = session.exec(select(AuditEntry).order_by(col(AuditEntry.seq).desc()).limit(1)).first()
    seq, prev = (last.seq + 1, last.hash) if last is not None else (1, GENESIS)
    entry = AuditEntry(seq=seq, station_id=station, actor=actor, action=action, subject_id=subject_id, detail=detail,
                       at=now, prev_hash=prev, hash=link_hash(prev, seq, now, station, actor, action, subject_id, detail))
    session.add(entry)
    session.flush()
    logs.on_commit(session, "%s %s station %s", action, subject_id or "-", station)  # ids only: never detail or actor
    return entry


@dataclass(frozen=True)
class Verdict:
    rows: int
    broken_at: int | None = None  # the seq (or position) of the first broken link
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(session: Session) -> Verdict:
    """Walk the chain from the first row; the first broken link and why."""
    rows = list(session.exec(select(AuditEntry).order_by(col(AuditEntry.seq), col(AuditEntry.at))).all())
    prev, expected = GENESIS, 1
    for row in rows:
        if row.seq != expected:
            why = (_("row {row} is missing (the chain jumps from {before} to {after})", row=expected, before=expected - 1,
                     after=row.seq) if row.seq > expected else _("row {row} appears twice or out of order", row=row.seq))
            return Verdict(len(rows), expected, why)
        if row.prev_hash != prev:
            return Verdict(len(rows), row.seq, _("row {row} does not follow row {before} (inserted, or its predecessor "
                                                 "was replaced)", row=row.seq, before=row.seq - 1))
        if link_hash(prev, row.seq, row.at, row.station_id, row.actor, row.action, row.subject_id, row.detail) != row.hash:
            return Verdict(len(rows), row.seq, _("row {row} was altered after it was written ({action})", row=row.seq,
                                                 action=row.action))
        prev, expected = row.hash, expected + 1
    return Verdict(len(rows))
