"""The print queue. Printing happens after the commit; a failure loses nothing.

A job is ``pending`` until tried, ``printing`` while its bytes go out (claimed with a conditional
UPDATE, committed first, so a crash mid-slip is visible on restart and no two passes print it), then ``done``, or ``failed`` with the printer's reason
and retried when the printer is back. Staff may ``cancel`` a job with a reason (audited).
Nothing is ever printed twice by itself: a done job is only printed again by a staff reprint.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import col, select

from kiosk.errors import KioskError, NotFound
from kiosk.i18n import N_, _
from kiosk.ports import DeviceError, Printer, Slip
from kiosk.services.context import StationContext
from kiosk.services.outbox import audit
from kiosk.services.slips import SlipBuilder
from kiosk.states import WAITING_JOBS, PrintJobState
from kiosk.storage.tables import PrintJob

INTERRUPTED = N_("interrupted: the station stopped while this slip was printing; check for a torn slip")


@dataclass(frozen=True)
class JobView:
    """A job as the staff print-queue screen lists it."""

    job_id: uuid.UUID
    kind: str
    state: str
    attempts: int
    last_error: str
    reprint_no: int
    created_at: dt.datetime


class PrintQueue:
    """Sends waiting jobs to a printer and records what happened."""

    def __init__(self, ctx: StationContext, lang: str = "id") -> None:
        self.ctx = ctx
        self.slips = SlipBuilder(ctx, lang)

    def pending(self) -> list[PrintJob]:
        """Jobs waiting to print (never tried, or failed and to be retried), oldest first."""
        with self.ctx.db.read() as session:
            return list(session.exec(select(PrintJob).where(col(PrintJob.state).in_(WAITING_JOBS))
                                     .order_by(col(PrintJob.created_at))).all())

    def outstanding(self) -> list[JobView]:
        """What staff should know about: every job not done and not cancelled."""
        with self.ctx.db.read() as session:
            jobs = session.exec(select(PrintJob).where(col(PrintJob.state).in_([*WAITING_JOBS, PrintJobState.PRINTING]))
                                .order_by(col(PrintJob.created_at))).all()
        return [JobView(j.id, j.kind, j.state, j.attempts, j.last_error, j.reprint_no, self.ctx.clock.local(j.created_at))
                for j in jobs]

    def recover_interrupted(self) -> int:
        """At start: a job left 'printing' was cut off by a crash or power cut; it prints again."""
        with self.ctx.db.write() as session:
            jobs = session.exec(select(PrintJob).where(PrintJob.state == PrintJobState.PRINTING)).all()
            for job in jobs:
                job.state, job.last_error = PrintJobState.FAILED, INTERRUPTED
        return len(jobs)

    def run_pending(self, printer: Printer) -> list[PrintJob]:
        """Print every waiting job; stop at the first failure (the printer needs a person)."""
        printed = []
        for job in self.pending():
            if not self.print_job(printer, job.id):
                break
            printed.append(job)
        return printed

    def print_job(self, printer: Printer, job_id: uuid.UUID) -> bool:
        """Print one job; True when the printer took it (or another pass already had). Stored either way."""
        slip = self.slip_for(job_id)
        if not self._claim(job_id):
            return True  # another pass claimed it first: it prints there, once
        try:
            printer.print_slip(slip)
        except DeviceError as exc:
            self._set(job_id, PrintJobState.FAILED, str(exc) or exc.__class__.__name__)
            return False
        self._set(job_id, PrintJobState.DONE)
        return True

    def note_waiting(self, reason: str) -> None:
        """Record why waiting slips cannot print now (the printer's own words); they stay waiting."""
        with self.ctx.db.write() as session:
            session.execute(update(PrintJob).where(col(PrintJob.state).in_(WAITING_JOBS), col(PrintJob.last_error) != reason)
                            .values(state=PrintJobState.FAILED, last_error=reason))

    def _claim(self, job_id: uuid.UUID) -> bool:
        """Mark a waiting job ``printing`` with one conditional UPDATE; False when it is no longer waiting."""
        claim = (update(PrintJob).where(col(PrintJob.id) == job_id, col(PrintJob.state).in_(WAITING_JOBS))
                 .values(state=PrintJobState.PRINTING, attempts=PrintJob.attempts + 1))
        with self.ctx.db.write() as session:
            claimed: bool = session.execute(claim).rowcount == 1  # type: ignore[attr-defined]
            return claimed

    def _set(self, job_id: uuid.UUID, state: str, error: str = "") -> None:
        with self.ctx.db.write() as session:
            job = session.get(PrintJob, job_id)
            assert job is not None
            job.state, job.last_error = state, error
            if state == PrintJobState.DONE:
                job.printed_at = self.ctx.clock.now()

    def cancel(self, job_id: uuid.UUID, staff: str, reason: str) -> None:
        """Stop a waiting job from printing (e.g. the attendee left); needs a reason, audited."""
        if not reason.strip():
            raise KioskError(_("cancelling a print job needs a reason"))
        now = self.ctx.clock.now()
        with self.ctx.db.write() as session:
            job = session.get(PrintJob, job_id)
            if job is None:
                raise NotFound(_("no such print job"))
            if job.state not in WAITING_JOBS:
                raise KioskError(_("this job is {state}; only a waiting job can be cancelled", state=job.state))
            job.state = PrintJobState.CANCELLED
            audit(session, staff, "print.cancel", job.id, f"{job.kind}: {reason.strip()}", now, self.ctx.station_id)

    def slip_for(self, job_id: uuid.UUID) -> Slip:
        """The slip a job prints, built from the stored card, pass or visit."""
        with self.ctx.db.read() as session:
            job = session.get(PrintJob, job_id)
            assert job is not None
            return self.slips.for_job(session, job)


def job_for_subject(ctx: StationContext, subject_id: uuid.UUID) -> PrintJob | None:
    """The newest print job of a card or pass."""
    with ctx.db.read() as session:
        return session.exec(select(PrintJob).where(PrintJob.subject_id == subject_id)
                            .order_by(col(PrintJob.created_at).desc(), col(PrintJob.reprint_no).desc())).first()
