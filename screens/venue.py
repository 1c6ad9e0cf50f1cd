"""The venue at a glance (a venue station only): the day's numbers at the hub, a line per station, and the
conflicts staff must look at — people admitted or dosed at two stations while one was cut off."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, DataTable, Label, Static

from kiosk.i18n import N_, _
from screens.host import HostedScreen
from screens.messages import HubUpdated

KINDS = {"visit": N_("admitted twice"), "dose": N_("dose"), "registration": N_("registered twice")}


class VenueScreen(HostedScreen, Screen[None]):
    """Refreshed by the hub duty's reports (every ``hub.poll_seconds``); nothing here writes."""

    CSS_PATH = "sync.tcss"
    BINDINGS = [Binding("escape", "back", "Back", id="venue-back")]

    def compose(self) -> ComposeResult:
        yield Static(_("Venue"), id="sync-title")
        yield Static("", id="venue-status", classes="venue-box")
        yield DataTable(id="venue-stations", cursor_type="row")
        yield Label(_("Conflicts for staff"), id="sync-attention-title")
        yield DataTable(id="venue-conflicts", cursor_type="row")
        yield Static("", id="sync-error")
        with Horizontal(id="sync-buttons"):
            yield Button(_("Back"), id="venue-back-button")

    def on_mount(self) -> None:
        self.query_one("#venue-stations", DataTable).add_columns(
            _("Station"), _("Holds"), _("Spent"), _("Last seen"), _("To send"), _("Lease"))
        self.query_one("#venue-conflicts", DataTable).add_columns(
            "#", _("Kind"), _("Day"), _("First"), _("Second"), _("Detail"))
        self.show()

    def on_hub_updated(self, message: HubUpdated) -> None:
        self.show()

    def show(self) -> None:
        report = self.kiosk.hub_report
        tz = self.kiosk.station.ctx.clock.tz
        status = self.query_one("#venue-status", Static)
        if report is None:
            status.update(_("Reaching the hub…"))
            return
        status.update(report.line())
        stations = self.query_one("#venue-stations", DataTable)
        stations.clear()
        if report.venue is not None:
            for s in report.venue.stations:
                seen = f"{s.last_contact.astimezone(tz):%H:%M:%S}" if s.last_contact else "-"
                stations.add_row(s.station_id, str(s.held), str(s.spent), seen, str(s.backlog),
                                 _("expired") if s.expired else "ok")
        conflicts = self.query_one("#venue-conflicts", DataTable)
        conflicts.clear()
        for c in report.conflicts:
            conflicts.add_row(str(c.id), _(KINDS.get(c.kind, c.kind)), f"{c.service_day or ''}",
                              f"{c.first_station} {str(c.first_id or '')[:8]}", f"{c.second_station} {str(c.second_id)[:8]}",
                              c.detail)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "venue-back-button":
            self.action_back()

    def action_back(self) -> None:
        self.dismiss()
