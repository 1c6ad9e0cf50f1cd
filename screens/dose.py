"""The dose form: product, lot, expiry, site, vaccinator."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Select, Static

from kiosk.errors import KioskError
from kiosk.i18n import N_, _
from kiosk.services.clinic import DoseEntry
from kiosk.services.desk import VisitView
from screens import forms
from screens.card import CardScreen
from screens.host import HostedScreen

SITES = [(N_("Left deltoid"), "left deltoid"), (N_("Right deltoid"), "right deltoid")]


class DoseScreen(HostedScreen, Screen[None]):
    """Records the dose given, then offers the card."""

    CSS_PATH = "dose.tcss"
    AUTO_FOCUS = "#dose-lot"
    BINDINGS = [Binding("escape", "back", "Back", id="dose-back"), Binding("ctrl+s", "save", "Save", id="dose-save")]

    def __init__(self, visit: VisitView) -> None:
        super().__init__()
        self.visit = visit

    def on_mount(self) -> None:
        """Whoever unlocked with their own PIN is named in the form already."""
        self.fill_operator("#dose-vaccinator")

    def compose(self) -> ComposeResult:
        """Header and the five fields."""
        products = [(p.name, code) for code, p in self.kiosk.station.ctx.products.products.items()]
        yield Static(_("{queue_number}  {name}  dose {dose_number}",
                       queue_number=self.visit.queue_number, name=self.visit.name, dose_number=self.visit.dose_number), id="dose-title")
        with Vertical(id="dose-form"):
            yield Select(products, value=products[0][1], id="dose-product", allow_blank=False)
            with Horizontal(classes="dose-row"):
                yield Input(placeholder=_("Lot"), id="dose-lot")
                yield Input(placeholder=_("Expiry DD-MM-YYYY"), id="dose-expiry")
            yield Select([(_(words), site) for words, site in SITES], value=SITES[0][1], id="dose-site", allow_blank=False)
            yield Input(placeholder=_("Vaccinator"), id="dose-vaccinator")
            yield Label("", id="form-error")
        with Horizontal(id="dose-buttons"):
            yield Button(_("Save & card"), id="dose-save-button", variant="primary")
            yield Button(_("Back"), id="dose-back-button")

    @on(Button.Pressed, "#dose-save-button")
    def action_save(self) -> None:
        """Record the dose and open the card screen."""
        try:
            entry = DoseEntry(str(self.query_one("#dose-product", Select).value), forms.text(self, "#dose-lot"),
                              forms.date(self, "#dose-expiry", _("Expiry")),
                              str(self.query_one("#dose-site", Select).value), forms.text(self, "#dose-vaccinator"))
            self.kiosk.station.clinic.record_dose(self.visit.visit_id, entry)
        except (forms.FormError, KioskError) as exc:
            forms.show_error(self, str(exc))
            return
        fresh = self.kiosk.station.desk.get(self.visit.visit_id)
        self.dismiss()
        if fresh is not None:
            self.app.push_screen(CardScreen(fresh))

    @on(Button.Pressed, "#dose-back-button")
    def action_back(self) -> None:
        """Leave without saving."""
        self.dismiss()
