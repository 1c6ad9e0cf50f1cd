"""Slips and the print queue. Printing happens after the commit; a failure loses nothing.

A job is marked done only after the printer took the slip; a failed attempt leaves it pending
with the reason, so it prints when the printer is back, and is never printed twice by itself.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from kiosk.credentials import format_short_id
from kiosk.i18n import both
from kiosk.identity import mask_nik
from kiosk.ports import DeviceError, Printer, Slip, SlipLine
from kiosk.services.context import StationContext
from kiosk.storage.tables import Card, PrintJob, PriorityPass, Registration, Vaccination, Visit


class PrintQueue:
    """Builds slips from stored rows and sends pending jobs to a printer."""

    def __init__(self, ctx: StationContext, lang: str = "id") -> None:
        self.ctx = ctx
        self.lang = lang

    def pending(self) -> list[PrintJob]:
        """Jobs not printed yet, oldest first."""
        with self.ctx.db.read() as session:
            return list(session.exec(select(PrintJob).where(PrintJob.state == "pending")
                                     .order_by(col(PrintJob.created_at))).all())

    def run_pending(self, printer: Printer) -> list[PrintJob]:
        """Print every pending job; stop at the first failure (the printer needs a person)."""
        printed = []
        for job in self.pending():
            if not self.print_job(printer, job.id):
                break
            printed.append(job)
        return printed

    def print_job(self, printer: Printer, job_id: uuid.UUID) -> bool:
        """Print one job; True when the printer took it. The outcome is stored either way."""
        slip = self.slip_for(job_id)
        error = ""
        try:
            printer.print_slip(slip)
        except DeviceError as exc:
            error = str(exc) or exc.__class__.__name__
        with self.ctx.db.write() as session:
            job = session.get(PrintJob, job_id)
            assert job is not None
            job.attempts += 1
            job.last_error = error
            if not error:
                job.state, job.printed_at = "done", self.ctx.clock.now()
        return not error

    def slip_for(self, job_id: uuid.UUID) -> Slip:
        """The slip a job prints, built from the stored card or pass."""
        with self.ctx.db.read() as session:
            job = session.get(PrintJob, job_id)
            assert job is not None
            if job.kind == "pass":
                return self._pass_slip(session, job)
            return self._card_slip(session, job)

    def _card_slip(self, session: Session, job: PrintJob) -> Slip:
        card = session.get(Card, job.subject_id)
        assert card is not None
        visit = session.get(Visit, card.visit_id)
        person = session.get(Registration, visit.registration_id) if visit else None
        dose = session.exec(select(Vaccination).where(Vaccination.visit_id == card.visit_id)).first()
        assert visit is not None and person is not None and dose is not None
        product = self.ctx.products.get(dose.product)
        given = self.ctx.clock.local(dose.given_at)
        title, subtitle = both("card_title", self.lang)
        lines = [SlipLine(title, bold=True, center=True), SlipLine(subtitle, center=True),
                 SlipLine(self.ctx.venue_name, center=True), SlipLine(person.name, bold=True),
                 SlipLine(f"NIK: {mask_nik(person.nik)}"), SlipLine(f"Lahir/Born: {person.birth_date:%d-%m-%Y}"),
                 SlipLine(f"Vaksin/Vaccine: {product.name if product else dose.product}"),
                 SlipLine(f"Lot: {dose.lot}  Dosis/Dose: {dose.dose_number}"),
                 SlipLine(f"{given:%d-%m-%Y %H:%M}  Pos/Station: {visit.station_id}")]
        if dose.dose_number == 1 and product is not None:
            due = self.ctx.products.earliest_next_dose(product.code, given.date())
            lines.append(SlipLine(f"{'/'.join(both('next_dose', self.lang))}: {due:%d-%m-%Y}", bold=True))
        lines.append(SlipLine(f"ID: {format_short_id(card.short_id)}", bold=True, large=True, center=True))
        if job.reprint_no:
            lines.append(SlipLine(f"REPRINT {job.reprint_no}", bold=True, center=True))
        footer = [SlipLine(t, center=True) for t in both("card_note", self.lang)]
        if self.ctx.adverse_event_contact:
            footer.append(SlipLine(f"KIPI: {self.ctx.adverse_event_contact}", center=True))
        return Slip("card", tuple(lines), qr=card.payload, footer=tuple(footer))

    def _pass_slip(self, session: Session, job: PrintJob) -> Slip:
        pass_ = session.get(PriorityPass, job.subject_id)
        assert pass_ is not None
        person = session.get(Registration, pass_.registration_id)
        assert person is not None
        title, subtitle = both("pass_title", self.lang)
        day = f"{pass_.valid_on:%d-%m-%Y}"
        lines = (SlipLine(title, bold=True, large=True, center=True), SlipLine(subtitle, center=True),
                 SlipLine(self.ctx.venue_name, center=True), SlipLine(person.name, bold=True),
                 SlipLine(f"NIK: {mask_nik(person.nik)}"), SlipLine(day, bold=True, large=True, center=True),
                 SlipLine(f"ID: {format_short_id(pass_.short_id)}", center=True))
        footer = tuple(SlipLine(t, center=True) for t in both("pass_note", self.lang, date=day))
        return Slip("pass", lines, qr=pass_.payload, footer=footer)


def job_for_subject(ctx: StationContext, subject_id: uuid.UUID) -> PrintJob | None:
    """The newest print job of a card or pass."""
    with ctx.db.read() as session:
        return session.exec(select(PrintJob).where(PrintJob.subject_id == subject_id)
                            .order_by(col(PrintJob.created_at).desc(), col(PrintJob.reprint_no).desc())).first()

