"""Walk-in registration at the desk, followed by check-in."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Select, Static

from kiosk.errors import KioskError
from kiosk.i18n import N_, _
from kiosk.services.registrations import PersonDetails
from screens import forms
from screens.host import HostedScreen
from screens.result import outcome_lines

SEXES = [(N_("Female"), "F"), (N_("Male"), "M")]


class WalkinScreen(HostedScreen, Screen[None]):
    """NIK, name, birth date, sex, phone -> registration -> check-in."""

    CSS_PATH = "walkin.tcss"
    AUTO_FOCUS = "#walkin-nik"
    BINDINGS = [Binding("escape", "back", "Back", id="walkin-back")]

    def compose(self) -> ComposeResult:
        """The form."""
        yield Static(_("Walk-in registration"), id="walkin-title")
        with Vertical(id="walkin-form"):
            yield Input(placeholder=_("NIK (16 digits)"), id="walkin-nik", restrict=r"[0-9 ]*", max_length=19)
            yield Input(placeholder=_("Full name"), id="walkin-name")
            with Horizontal(classes="walkin-row"):
                yield Input(placeholder=_("Birth date DD-MM-YYYY"), id="walkin-birth")
                yield Select([(_(words), sex) for words, sex in SEXES], prompt=_("Sex"), id="walkin-sex")
            yield Input(placeholder=_("Phone"), id="walkin-phone")
            yield Label("", id="form-error")
            yield Label("", id="walkin-result")
        with Horizontal(id="walkin-buttons"):
            yield Button(_("Register & check in"), id="walkin-save", variant="primary")
            yield Button(_("Back"), id="walkin-back-button")

    @on(Button.Pressed, "#walkin-save")
    def _save(self) -> None:
        station = self.kiosk.station
        try:
            sex = self.query_one("#walkin-sex", Select).value
            details = PersonDetails(forms.text(self, "#walkin-nik"), forms.text(self, "#walkin-name"),
                                    forms.date(self, "#walkin-birth", _("Birth date")),
                                    sex if isinstance(sex, str) else "", forms.text(self, "#walkin-phone"))
            registration = station.registrations.register_walkin(details, "staff")
        except (forms.FormError, KioskError) as exc:
            forms.show_error(self, str(exc))
            return
        outcome = station.checkin.check_in_registration(registration.id)
        first, second = outcome_lines(outcome, "id")
        forms.show_error(self, "")
        self.query_one("#walkin-result", Label).update(f"{outcome.name}: {first} / {second}")
        if outcome.slip_queued:
            self.kiosk.print_pending()

    @on(Button.Pressed, "#walkin-back-button")
    def action_back(self) -> None:
        """Back to the staff screen."""
        self.dismiss()
