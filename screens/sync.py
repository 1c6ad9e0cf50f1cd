"""Sync status and the records the central server refused: read the server's words, resend after fixing."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Label, Static

from kiosk.errors import KioskError
from kiosk.i18n import N_, _
from kiosk.services.sync_desk import AttentionItem, status_lines
from screens.host import HostedScreen

TOPICS = {"visit.checked_in": N_("check-in"), "screening.recorded": N_("screening"),
          "vaccination.recorded": N_("dose"), "card.issued": N_("card"), "pass.issued": N_("priority pass"),
          "registration.created": N_("registration"), "visit.no_show": N_("no-show")}




class SyncScreen(HostedScreen, Screen[None]):
    """Backlog and last error at the top; the needs-attention list with the server's message below."""

    CSS_PATH = "sync.tcss"
    BINDINGS = [Binding("escape", "back", "Back", id="sync-back"), Binding("f5", "refresh", "Refresh", id="sync-refresh")]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[AttentionItem] = []

    def compose(self) -> ComposeResult:
        """Status, table, the selected record's error, actions."""
        yield Static(_("Sync to the central server"), id="sync-title")
        yield Static("", id="sync-status")
        yield Label(_("Needs attention"), id="sync-attention-title")
        yield DataTable(id="sync-attention", cursor_type="row")
        yield Static("", id="sync-error")
        yield Label("", id="form-error")
        with Horizontal(id="sync-buttons"):
            yield Input(placeholder=_("Your name"), id="sync-by")
            yield Button(_("Resend"), id="sync-resend", variant="primary")
            yield Button(_("Back"), id="sync-back-button")

    def on_mount(self) -> None:
        """Columns and rows; refresh while open (the sender works in the background)."""
        self.query_one(DataTable).add_columns("#", _("Kind"), _("Person"), _("Tries"), _("Made"))
        self.action_refresh()
        self.set_interval(5, self.action_refresh)
        self.fill_operator("#sync-by")

    def on_synced(self) -> None:
        """The sender finished a pass."""
        self.action_refresh()

    def action_refresh(self) -> None:
        """Reload status and the list (local reads)."""
        station = self.kiosk.station
        now = station.ctx.clock.now()
        lines = status_lines(station.sync.status(), now, station.ctx.clock.tz)
        if self.kiosk.settings.sync.server == "none":
            lines.insert(0, _("sync is not configured (sync.server = none): records wait on this station"))
        self.query_one("#sync-status", Static).update("\n".join(lines))
        self.items = station.sync.attention()
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for item in self.items:
            table.add_row(str(item.seq), _(TOPICS.get(item.topic, item.topic)), item.person or "-", str(item.attempts),
                          f"{station.ctx.clock.local(item.created_at):%d-%m %H:%M}")
        if self.items:
            table.move_cursor(row=min(row or 0, len(self.items) - 1))
        self._show_error()

    @on(DataTable.RowHighlighted)
    def _show_error(self) -> None:
        item = self._selected()
        self.query_one("#sync-error", Static).update(f"Server: {item.error}" if item else "")

    def _selected(self) -> AttentionItem | None:
        row = self.query_one(DataTable).cursor_row
        return self.items[row] if self.items and row is not None and 0 <= row < len(self.items) else None

    @on(Button.Pressed, "#sync-resend")
    def _resend(self) -> None:
        item = self._selected()
        by = self.query_one("#sync-by", Input).value.strip()
        if item is None:
            return
        if not by:
            self.query_one("#form-error", Label).update(_("Type your name (it goes in the audit log)"))
            return
        try:
            self.kiosk.station.sync.resend(item.row_id, by)
        except KioskError as exc:
            self.query_one("#form-error", Label).update(str(exc))
            return
        self.query_one("#form-error", Label).update(f"#{item.seq} dikirim ulang / queued again")
        self.action_refresh()

    @on(Button.Pressed, "#sync-back-button")
    def action_back(self) -> None:
        """Back."""
        self.dismiss()
