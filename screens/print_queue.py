"""Staff view of the print queue: what is waiting and why, print now, cancel with a reason."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Label, Static

from kiosk.errors import KioskError
from kiosk.i18n import N_, _
from kiosk.services.spooler import SpoolReport
from screens.host import HostedScreen
from screens.messages import Printed
from screens.widgets.slip_preview import SlipPreview

KINDS = {"summary": N_("day summary"), "card": N_("card"), "pass": N_("priority pass"), "ticket": N_("queue ticket")}


class PrintQueueScreen(HostedScreen, Screen[None]):
    """Waiting and failed slips, the printer's own status, and what staff can do about them."""

    CSS_PATH = "print_queue.tcss"
    BINDINGS = [Binding("escape", "back", "Back", id="printq-back"), Binding("f5", "refresh", "Refresh", id="printq-refresh")]

    def __init__(self) -> None:
        super().__init__()
        self.jobs: list = []

    def compose(self) -> ComposeResult:
        """Status, job table, preview of the selected slip, actions."""
        yield Static(_("Print queue"), id="printq-title")
        yield Label(_("Printer: …"), id="printq-status")
        yield DataTable(id="printq-jobs", cursor_type="row")
        yield SlipPreview("", id="printq-preview")
        yield Label("", id="form-error")
        with Horizontal(id="printq-buttons"):
            yield Button(_("Print now"), id="printq-print", variant="primary")
            yield Input(placeholder=_("Reason to cancel"), id="printq-reason")
            yield Button(_("Cancel job"), id="printq-cancel", variant="error")
            yield Button(_("Back"), id="printq-back-button")

    def on_mount(self) -> None:
        """Columns, rows, and ask the printer how it is."""
        self.query_one(DataTable).add_columns(_("Kind"), _("Status"), _("Tries"), _("Made"), _("Reason"))
        self.action_refresh()

    def action_refresh(self) -> None:
        """Reload the jobs and the printer status."""
        self._reload_jobs()
        self.check_printer()

    def _reload_jobs(self) -> None:
        self.jobs = self.kiosk.station.printing.outstanding()
        table = self.query_one(DataTable)
        table.clear()
        for job in self.jobs:
            kind = _(KINDS.get(job.kind, job.kind)) + (_(" (reprint {number})", number=job.reprint_no) if job.reprint_no else "")
            table.add_row(kind, job.state, str(job.attempts), f"{job.created_at:%H:%M}", _(job.last_error) if job.last_error else "-")

    def on_printed(self, message: Printed) -> None:
        """The printer's owner finished a pass: its status and what is left."""
        self._show_status(message.report)
        self._reload_jobs()

    @on(DataTable.RowHighlighted)
    def _preview(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.jobs):
            self.query_one(SlipPreview).show(self.kiosk.station.printing.slip_for(self.jobs[event.cursor_row].job_id))

    def check_printer(self) -> None:
        """Ask the printer's owner for a fresh status (it answers with its next report)."""
        self._show_status(self.kiosk.last_print)
        self.kiosk.print_pending()

    def _show_status(self, report: SpoolReport) -> None:
        self.query_one("#printq-status", Label).update(_("Printer: {state}", state=_(report.state)))

    @on(Button.Pressed, "#printq-print")
    def _print(self) -> None:
        self.kiosk.print_pending()

    @on(Button.Pressed, "#printq-cancel")
    def _cancel(self) -> None:
        table = self.query_one(DataTable)
        if not self.jobs or table.cursor_row is None or table.cursor_row >= len(self.jobs):
            return
        try:
            self.kiosk.station.printing.cancel(self.jobs[table.cursor_row].job_id, "staff",
                                             self.query_one("#printq-reason", Input).value)
        except KioskError as exc:
            self.query_one("#form-error", Label).update(str(exc))
            return
        self.query_one("#form-error", Label).update("")
        self.query_one("#printq-reason", Input).value = ""
        self.action_refresh()

    @on(Button.Pressed, "#printq-back-button")
    def action_back(self) -> None:
        """Back to the staff screen."""
        self.dismiss()
