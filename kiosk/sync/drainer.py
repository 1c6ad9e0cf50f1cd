"""The drainer: sends the outbox to the central server, exactly once in effect, through any outage.

- Each row has its own state: pending -> in_flight (with a lease time) -> acknowledged (with the
  server's ids) | needs_attention (refused, with the server's words) | skipped (nothing to send).
- One sender per station database: the sender holds a lease row (``SyncState``) and renews it
  (a holder whose process is gone from this machine is not waited for).
  Taking the lease over from a sender that died puts its in-flight rows back to pending; they are
  sent again, and the server recognises them by their station-minted ids.
- A record is claimed only when no earlier record of the same person is still pending or in
  flight, so each person's records reach the server in the order they were made.
- Transient failures are retried forever with capped exponential backoff and jitter (a server's
  Retry-After wins). A server-wide failure (unreachable, 5xx, 429) pauses the whole sender; a
  refused record goes to the needs-attention list and never blocks the others.
- Results are written once per batch: a crash loses at most one batch of acknowledgements, and
  those records are sent again and recognised. Batches start at one record and double up to the
  batch size, so the first acknowledgement after an outage is written within one round trip.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from kiosk.i18n import _
from kiosk.states import UNSETTLED, OutboxState
from kiosk.storage.db import Database
from kiosk.storage.tables import OutboxRow, SyncState
from kiosk.sync.port import Ack, AuthFailure, CentralServer, DrainReport, PermanentFailure, SyncRecord, TransientFailure
from kiosk.sync.records import Venue, load_record

log = logging.getLogger("kiosk.sync")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff with jitter: attempt n waits base * 2**(n-1), at most cap, times 0.5..1."""

    base: float = 2.0
    cap: float = 300.0

    def delay(self, attempt: int, retry_after: float | None = None, rng: Callable[[], float] = random.random) -> float:
        if retry_after is not None:
            return retry_after
        ceiling = min(self.cap, self.base * 2 ** min(max(attempt - 1, 0), 30))
        return float(ceiling * (0.5 + 0.5 * rng()))


class Drainer:
    """Sends due outbox rows for one destination; see the module docstring for the guarantees."""

    def __init__(self, db: Database, server: CentralServer, venue: Venue, *, destination: str = "central",
                 batch_size: int = 50, lease_seconds: float = 60.0, backoff: Backoff = Backoff(),
                 holder: str | None = None, now: Callable[[], dt.datetime] = utcnow,
                 rng: Callable[[], float] = random.random) -> None:
        self.db = db
        self.server = server
        self.venue = venue
        self.destination = destination
        self.batch_size = batch_size
        self.lease = dt.timedelta(seconds=lease_seconds)
        self.backoff = backoff
        self.holder = holder or f"{venue.station_id}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.now = now
        self.rng = rng
        self.paused_until: dt.datetime | None = None
        self._failures = 0  # consecutive server-wide failures
        self._lease_until: dt.datetime | None = None
        self._batch = 1  # slow start: 1, 2, 4 ... batch_size

    # ------------------------------------------------------------------ running

    def drain(self, stop: threading.Event | None = None, max_batches: int | None = None) -> DrainReport:
        """Send everything due now, batch after batch, until nothing is due, the server fails, or ``stop``."""
        report = DrainReport()
        if not self._take_lease(report):
            return report
        batches = 0
        while not (stop and stop.is_set()) and (max_batches is None or batches < max_batches):
            now = self.now()
            if self.paused_until and now < self.paused_until:
                report.paused_for = (self.paused_until - now).total_seconds()
                break
            batch = self._claim(self._batch)
            if not batch:
                break
            batches += 1
            if self._send_batch(batch, report, stop):
                self._batch = 1
                break
            self._batch = min(self._batch * 2, self.batch_size)
        return report

    def run(self, stop: threading.Event, poll_seconds: float = 5.0,
            on_report: Callable[[DrainReport], None] | None = None) -> None:
        """Drain until ``stop`` is set: immediately while there is work, else every ``poll_seconds``."""
        try:
            while not stop.is_set():
                try:
                    report = self.drain(stop)
                except Exception as exc:  # noqa: BLE001 - a full disk or a locked file must not end the sender
                    report = DrainReport(paused_for=poll_seconds, errors=[_("sending stopped for now: {exc}", exc=exc)])
                if on_report is not None:
                    on_report(report)
                wait = poll_seconds
                if report.paused_for:
                    wait = min(report.paused_for, max(poll_seconds, 1.0) * 60)
                elif report.sent or report.skipped or report.needs_attention or report.retrying:
                    wait = 0.0
                stop.wait(wait)
        finally:
            self.release()

    def release(self) -> None:
        """Give the lease up (at a clean shutdown) so another sender need not wait for it to run out."""
        with self.db.write() as session:
            state = session.get(SyncState, self.destination)
            if state is not None and state.holder == self.holder:
                state.lease_until = None
        self._lease_until = None

    # ------------------------------------------------------------------ lease

    def _take_lease(self, report: DrainReport) -> bool:
        now = self.now()
        with self.db.write() as session:
            state = session.get(SyncState, self.destination)
            if state is None:
                state = SyncState(destination=self.destination)
                session.add(state)
            if state.holder not in ("", self.holder) and state.lease_until is not None and state.lease_until > now \
                    and not _died_here(state.holder):
                report.lease_holder = state.holder
                return False
            # Whatever another (dead) sender had in flight, or this one left behind, is due again.
            stale = update(OutboxRow).where(col(OutboxRow.destination) == self.destination,
                                            col(OutboxRow.state) == OutboxState.IN_FLIGHT)
            if state.holder == self.holder:
                stale = stale.where(col(OutboxRow.lease_until) < now)
            session.execute(stale.values(state=OutboxState.PENDING, lease_until=None))
            state.holder = self.holder
            state.lease_until = now + self.lease
        self._lease_until = now + self.lease
        return True

    def _renew_lease_if_due(self) -> None:
        now = self.now()
        if self._lease_until is not None and self._lease_until - now > self.lease / 2:
            return
        with self.db.write() as session:
            state = session.get(SyncState, self.destination)
            assert state is not None
            if state.holder != self.holder:
                raise LeaseLost(_("the sending lease passed to {holder}", holder=state.holder))
            state.lease_until = now + self.lease
        self._lease_until = now + self.lease

    # ------------------------------------------------------------------ batches

    def _claim(self, limit: int) -> list[SyncRecord]:
        now = self.now()
        earlier = aliased(OutboxRow)
        blocked = exists().where(col(earlier.destination) == OutboxRow.destination,
                                 col(earlier.patient_key) == OutboxRow.patient_key,
                                 col(earlier.seq) < OutboxRow.seq, col(earlier.state).in_(UNSETTLED))
        stmt = (select(OutboxRow)
                .where(col(OutboxRow.destination) == self.destination, col(OutboxRow.state) == OutboxState.PENDING,
                       or_(col(OutboxRow.next_attempt_at).is_(None), col(OutboxRow.next_attempt_at) <= now),
                       or_(col(OutboxRow.patient_key) == "", ~blocked))
                .order_by(col(OutboxRow.seq)).limit(limit))
        with self.db.write() as session:
            state = session.get(SyncState, self.destination)
            if state is None or state.holder != self.holder:
                return []
            rows = list(session.exec(stmt).all())
            for row in rows:
                row.state, row.lease_until = OutboxState.IN_FLIGHT, now + self.lease
            state.lease_until = now + self.lease
            self._lease_until = state.lease_until
            return [self._record(session, row) for row in rows]

    def record(self, row_id: uuid.UUID) -> SyncRecord:
        """One stored record as the adapters see it (for a certificate lookup, say)."""
        with self.db.read() as session:
            row = session.get(OutboxRow, row_id)
            if row is None:
                raise LookupError(_("no outbox row {row_id}", row_id=row_id))
            return self._record(session, row)

    def _record(self, session: Session, row: OutboxRow) -> SyncRecord:
        return load_record(session, row, self.venue)

    def _send_batch(self, batch: list[SyncRecord], report: DrainReport, stop: threading.Event | None) -> bool:
        """Send each record; write the results once. True when the sender should pause."""
        results: list[_Result] = []
        pause = False
        together = getattr(self.server, "send_all", None)  # a server that takes a whole batch in one transaction
        if together is not None and len(batch) > 1 and not (stop and stop.is_set()):
            try:
                self._renew_lease_if_due()
                acks = together(batch)
            except Exception:  # noqa: BLE001 - any trouble: send them one by one, which sorts out whose it is
                acks = None
            if acks is not None:
                self._failures, self.paused_until = 0, None
                self._settle([_Result(r.row_id, "ack", ack=a) for r, a in zip(batch, acks, strict=True)], report)
                return False
        try:
            for record in batch:
                if pause or (stop and stop.is_set()):
                    results.append(_Result(record.row_id, "release"))
                    continue
                self._renew_lease_if_due()
                result = self._send_one(record)
                results.append(result)
                pause = result.pause
        except LeaseLost as exc:
            report.errors.append(str(exc))
            pause = True
        finally:
            done = {r.row_id for r in results}
            results += [_Result(r.row_id, "release") for r in batch if r.row_id not in done]
            self._settle(results, report)
        return pause or bool(stop and stop.is_set())

    def _send_one(self, record: SyncRecord) -> _Result:
        now = self.now()
        try:
            ack = self.server.send(record)
        except TransientFailure as failure:
            if failure.server_wide:
                self._failures += 1
                delay = self.backoff.delay(self._failures, failure.retry_after, self.rng)
                self.paused_until = now + dt.timedelta(seconds=delay)
                return _Result(record.row_id, "retry", str(failure), delay, pause=True)
            delay = self.backoff.delay(1, failure.retry_after, self.rng)
            return _Result(record.row_id, "retry", str(failure), delay)
        except AuthFailure as failure:
            self._failures += 1
            self.paused_until = now + dt.timedelta(seconds=self.backoff.delay(self._failures, None, self.rng))
            return _Result(record.row_id, "attention", str(failure), pause=True)
        except PermanentFailure as failure:
            return _Result(record.row_id, "attention", str(failure))
        except Exception as exc:  # noqa: BLE001 - a bug in an adapter must not lose the record or stop the sender
            delay = self.backoff.delay(1, None, self.rng)
            return _Result(record.row_id, "retry", f"unexpected {type(exc).__name__}: {exc}", delay)
        self._failures = 0
        self.paused_until = None
        return _Result(record.row_id, "ack", ack=ack)

    def _settle(self, results: list[_Result], report: DrainReport) -> None:
        now = self.now()
        with self.db.write() as session:
            state = session.get(SyncState, self.destination)
            assert state is not None
            if state.holder != self.holder:  # this sender stalled past its lease; the new holder resends
                report.errors.append(_("the sending lease passed to {holder}; results left to it", holder=state.holder))
                return
            for result in results:
                row = session.get(OutboxRow, uuid.UUID(result.row_id))
                if row is None or row.state != OutboxState.IN_FLIGHT:
                    continue
                row.lease_until = None
                if result.kind == "release":
                    row.state = OutboxState.PENDING
                elif result.kind == "ack":
                    assert result.ack is not None
                    row.state = OutboxState.SKIPPED if result.ack.skipped else OutboxState.ACKNOWLEDGED
                    row.server_ids = " ".join(result.ack.server_ids) or result.ack.skipped
                    row.acked_at, row.last_error, row.next_attempt_at = now, "", None
                    if result.ack.skipped:
                        report.skipped += 1
                    else:  # a success is the server's acknowledgement, never a record kept local
                        state.last_success_at = now
                        report.sent += 1
                elif result.kind == "retry":
                    row.state, row.attempts, row.last_error = OutboxState.PENDING, row.attempts + 1, result.message
                    row.next_attempt_at = now + dt.timedelta(seconds=result.delay)
                    state.last_error, state.last_error_at = result.message, now
                    report.retrying += 1
                    report.errors.append(result.message)
                else:  # attention
                    row.state, row.attempts, row.last_error = OutboxState.NEEDS_ATTENTION, row.attempts + 1, result.message
                    state.last_error, state.last_error_at = result.message, now
                    report.needs_attention += 1
                    report.errors.append(result.message)
        if self.paused_until is not None:
            report.paused_for = max((self.paused_until - now).total_seconds(), 0.0)
        for result in results:
            if result.kind == "attention":
                # the server's words may quote the person: they stay in the database for staff (F8), not in the log
                log.warning("%s: record %s refused, set aside for staff (kiosk sync attention)", self.destination, result.row_id)
        if report.sent:
            log.info("%s: %d records acknowledged", self.destination, report.sent)
        if report.retrying:
            log.warning("%s: %d records to retry: %s", self.destination, report.retrying, report.errors[-1])


def _died_here(holder: str) -> bool:
    """The lease's holder was a process on this machine that no longer runs (killed, crashed): no need to wait
    out its lease. A holder elsewhere, or a pid now used by another process, is waited for."""
    try:
        host, pid = holder.split("@", 1)[1].split(":")[:2]
        if host != socket.gethostname():
            return False
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (ValueError, IndexError, PermissionError, OSError):
        return False
    return False


class LeaseLost(Exception):
    """Another sender took the lease (this one stalled longer than the lease time)."""


@dataclass
class _Result:
    row_id: str
    kind: str  # ack | retry | attention | release
    message: str = ""
    delay: float = 0.0
    pause: bool = False
    ack: Ack | None = None
