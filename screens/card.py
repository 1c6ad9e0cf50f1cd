"""The card desk: issue the signed local card, see the slip, print or reprint it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Label, Static

from kiosk.domain.visit import VisitState
from kiosk.errors import KioskError
from kiosk.i18n import _
from kiosk.services.desk import VisitView
from kiosk.services.printing import job_for_subject
from kiosk.states import PrintJobState
from screens.host import HostedScreen
from screens.widgets.slip_preview import SlipPreview


class CardScreen(HostedScreen, Screen[None]):
    """Shows the visit's card slip as it prints, with its print state."""

    CSS_PATH = "card.tcss"
    BINDINGS = [Binding("escape", "back", "Back", id="card-back")]

    def __init__(self, visit: VisitView) -> None:
        super().__init__()
        self.visit = visit

    def compose(self) -> ComposeResult:
        """Title, slip preview, print state, buttons."""
        yield Static(f"{self.visit.queue_number}  {self.visit.name}", id="card-title")
        with VerticalScroll(id="card-body"):
            yield Label("", id="card-print-state")
            yield Label("", id="form-error")
            yield SlipPreview("", id="card-slip")
        with Horizontal(id="card-buttons"):
            yield Button(_("Issue & print"), id="card-issue", variant="primary")
            yield Button(_("Reprint"), id="card-reprint")
            yield Button(_("Back"), id="card-back-button")

    def on_mount(self) -> None:
        """Show what exists already."""
        self.refresh_card()

    def on_printed(self) -> None:
        """The print worker finished: show the job's new state."""
        self.refresh_card()

    def refresh_card(self) -> None:
        """Slip preview and print state from the database."""
        view = self.kiosk.station.desk.get(self.visit.visit_id) or self.visit
        self.visit = view
        self.query_one("#card-issue", Button).disabled = view.card_id is not None or view.state != VisitState.VACCINATED
        self.query_one("#card-reprint", Button).disabled = view.card_id is None
        if view.card_id is None:
            hint = _("Record the dose first") if view.state != VisitState.VACCINATED else _("No card yet")
            self.query_one("#card-slip", SlipPreview).update(hint)
            return
        job = job_for_subject(self.kiosk.station.ctx, view.card_id)
        if job is not None:
            slip = self.kiosk.station.printing.slip_for(job.id)
            self.query_one("#card-slip", SlipPreview).show(slip)
            state = {PrintJobState.PENDING: _("waiting for the printer"),
                     PrintJobState.DONE: _("printed")}.get(PrintJobState(job.state), job.state)
            error = f" — {job.last_error}" if job.last_error else ""
            self.query_one("#card-print-state", Label).update(_("Print: {state}", state=state) + error)

    @on(Button.Pressed, "#card-issue")
    def _issue(self) -> None:
        try:
            self.kiosk.station.clinic.issue_card(self.visit.visit_id)
        except KioskError as exc:
            self.query_one("#form-error", Label).update(str(exc))
            return
        self.refresh_card()
        self.kiosk.print_pending()

    @on(Button.Pressed, "#card-reprint")
    def _reprint(self) -> None:
        if self.visit.card_id is not None:
            self.kiosk.station.clinic.reprint_card(self.visit.card_id, "staff")
            self.refresh_card()
            self.kiosk.print_pending()

    @on(Button.Pressed, "#card-back-button")
    def action_back(self) -> None:
        """Back to the staff screen."""
        self.dismiss()
