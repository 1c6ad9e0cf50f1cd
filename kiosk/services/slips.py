"""What each slip says, built from the stored rows: card, priority pass, queue ticket.

Plain ``Slip`` objects (kiosk.ports); the layout for a given paper width and the ESC/POS bytes
are the printer adapter's business (devices/slip_layout.py).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypeVar

from sqlmodel import Session, select

from kiosk.config import Settings
from kiosk.credentials import format_short_id
from kiosk.i18n import N_, both
from kiosk.ports import Slip, SlipLine
from kiosk.privacy import attendee_nik, short_name
from kiosk.services.context import StationContext
from kiosk.storage.tables import Card, DayQuota, PrintJob, PriorityPass, Registration, Vaccination, Visit

if TYPE_CHECKING:
    from kiosk.services.desk import DayNumbers

T = TypeVar("T")


class SlipBuilder:
    """Turns a print job into the slip it prints."""

    def __init__(self, ctx: StationContext, lang: str = "id") -> None:
        self.ctx = ctx
        self.lang = lang

    def for_job(self, session: Session, job: PrintJob) -> Slip:
        """The slip of ``job`` (card, pass or ticket)."""
        builders = {"card": self._card_slip, "pass": self._pass_slip, "ticket": self._ticket_slip,
                    "summary": self._summary_slip}
        return builders[job.kind](session, job)

    def _card_slip(self, session: Session, job: PrintJob) -> Slip:
        card = _row(session, Card, job.subject_id)
        visit = _row(session, Visit, card.visit_id)
        person = _row(session, Registration, visit.registration_id)
        dose = session.exec(select(Vaccination).where(Vaccination.visit_id == card.visit_id)).first()
        assert dose is not None  # a card is only issued after the dose
        product = self.ctx.products.get(dose.product)
        given = self.ctx.clock.local(dose.given_at)
        title, subtitle = both("card_title", self.lang)
        lines = [SlipLine(title, bold=True, center=True), SlipLine(subtitle, center=True),
                 SlipLine(self.ctx.venue_name, center=True), SlipLine(short_name(person.name), bold=True),
                 SlipLine(f"NIK: {attendee_nik(person.nik)}"), SlipLine(f"{label('born', self.lang)}: {person.birth_date:%d-%m-%Y}"),
                 SlipLine(f"{label('vaccine', self.lang)}: {product.name if product else dose.product}"),
                 SlipLine(f"Lot: {dose.lot}  {label('dose', self.lang)}: {dose.dose_number}"),
                 SlipLine(f"{given:%d-%m-%Y %H:%M}  {label('station', self.lang)}: {visit.station_id}")]
        if dose.dose_number == 1 and product is not None:
            due = self.ctx.products.earliest_next_dose(product.code, given.date())
            lines.append(SlipLine(f"{label('next_dose', self.lang)}: {due:%d-%m-%Y}", bold=True))
        lines.append(SlipLine(f"ID: {format_short_id(card.short_id)}", bold=True, large=True, center=True))
        if job.reprint_no:
            lines.append(SlipLine(f"{label('reprint', self.lang)} {job.reprint_no}", bold=True, center=True))
        footer = [SlipLine(t, center=True) for t in both("card_note", self.lang)]
        if self.ctx.adverse_event_contact:
            footer.append(SlipLine(f"KIPI: {self.ctx.adverse_event_contact}", center=True))
        return Slip("card", tuple(lines), qr=card.payload, footer=tuple(footer))

    def _pass_slip(self, session: Session, job: PrintJob) -> Slip:
        pass_ = _row(session, PriorityPass, job.subject_id)
        person = _row(session, Registration, pass_.registration_id)
        title, subtitle = both("pass_title", self.lang)
        day = f"{pass_.valid_on:%d-%m-%Y}"
        lines = (SlipLine(title, bold=True, large=True, center=True), SlipLine(subtitle, center=True),
                 SlipLine(self.ctx.venue_name, center=True), SlipLine(short_name(person.name), bold=True),
                 SlipLine(f"NIK: {attendee_nik(person.nik)}"), SlipLine(day, bold=True, large=True, center=True),
                 SlipLine(f"ID: {format_short_id(pass_.short_id)}", center=True))
        footer = tuple(SlipLine(t, center=True) for t in both("pass_note", self.lang, date=day))
        return Slip("pass", lines, qr=pass_.payload, footer=footer)

    def _summary_slip(self, session: Session, job: PrintJob) -> Slip:
        from kiosk.services.dayclose import summary_id
        from kiosk.services.desk import StaffDesk

        row = session.exec(select(DayQuota).where(DayQuota.closed)).all()
        day = next(r.service_day for r in row if summary_id(r.service_day) == job.subject_id)
        lines = _summary_lines(StaffDesk(self.ctx).day_numbers(day), self.ctx.venue_name, self.ctx.station_id, self.lang)
        if job.reprint_no:
            lines += (SlipLine(f"{label('reprint', self.lang)} {job.reprint_no}", bold=True, center=True),)
        return Slip("summary", lines)

    def _ticket_slip(self, session: Session, job: PrintJob) -> Slip:
        visit = _row(session, Visit, job.subject_id)
        person = _row(session, Registration, visit.registration_id)
        first, second = both("ticket_next", self.lang)
        lines = (SlipLine(self.ctx.venue_name, center=True),
                 SlipLine(" / ".join(both(N_("QUEUE"), self.lang)), bold=True, center=True),
                 SlipLine(visit.queue_number, bold=True, huge=True, center=True),
                 SlipLine(short_name(person.name), center=True),
                 SlipLine(f"{self.ctx.clock.local(visit.checked_in_at):%d-%m-%Y %H:%M}", center=True))
        return Slip("ticket", lines, footer=(SlipLine(first, center=True), SlipLine(second, center=True)))


LABELS = {"born": N_("Born"), "vaccine": N_("Vaccine"), "dose": N_("Dose"), "station": N_("Station"), "reprint": N_("REPRINT"),
          "cap": N_("Cap"), "used": N_("Used"), "vaccinated": N_("Vaccinated"), "postponed": N_("Postponed"),
          "released": N_("Released"), "turned_away": N_("Turned away"), "passes": N_("Passes"), "next_dose": N_("Next dose")}


def label(key: str, lang: str) -> str:
    """A slip's label in both languages, the venue's first ("Lahir/Born")."""
    return "/".join(both(LABELS[key], lang))


def _summary_lines(n: DayNumbers, venue: str, station: str, lang: str) -> tuple[SlipLine, ...]:
    return (SlipLine(" / ".join(both(N_("DAY SUMMARY"), lang)), bold=True, center=True), SlipLine(f"{venue} / {station}", center=True),
            SlipLine(f"{n.day:%d-%m-%Y}", bold=True, large=True, center=True),
            SlipLine(f"{label('cap', lang)}: {n.cap}  {label('used', lang)}: {n.used}"),
            SlipLine(f"Check-in: {n.checked_in}  {label('vaccinated', lang)}: {n.vaccinated}"),
            SlipLine(f"{label('postponed', lang)}: {n.postponed}  {label('released', lang)}: {n.released}"),
            SlipLine(f"{label('turned_away', lang)}: {n.turned_away}  {label('passes', lang)}: {n.passes_issued}"),
            SlipLine(f"Walk-in: {n.walkin_used}/{n.walkin_slots}"))


def _row(session: Session, model: type[T], key: object) -> T:
    """A row a print job refers to; foreign keys guarantee it exists."""
    row = session.get(model, key)
    assert row is not None, f"{model.__name__} {key} missing"
    return row


def diagnostic_slip(settings: Settings) -> Slip:
    """A slip that shows the layout, the code page and the QR work (nothing is recorded)."""
    now = dt.datetime.now(dt.UTC)
    return Slip("test", (
        SlipLine("SENTRA TEST", bold=True, large=True, center=True),
        SlipLine(f"{settings.venue.name} / {settings.station.id}", center=True),
        SlipLine(f"{settings.devices.printer_url} ({settings.devices.printer_profile})"),
        SlipLine(f"{now:%Y-%m-%d %H:%M:%S} UTC"),
        SlipLine("Transliterasi: Pérez Ñandú -> Perez Nandu"),
    ), qr="SENTRA TEST " + now.strftime("%Y%m%d%H%M%S"))
