"""The day hour by hour for staff: arrivals, doses, postponed, turned away, passes, cards, used and free."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, DataTable, Static

from kiosk.i18n import N_, _
from screens.host import HostedScreen

COLUMNS = (N_("Hour"), N_("Check-in"), N_("Dosed"), N_("Postponed"), N_("Turned away"),
           N_("Passes"), N_("Honoured"), N_("Cards"), N_("Used"), N_("Free"))


class HoursScreen(HostedScreen, Screen[None]):
    """Read-only; refreshed every 30 seconds while open."""

    CSS_PATH = "sync.tcss"
    BINDINGS = [Binding("escape", "back", "Back", id="hours-back")]

    def compose(self) -> ComposeResult:
        yield Static(_("Today by the hour"), id="sync-title")
        yield DataTable(id="hours-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="sync-buttons"):
            # left of Back: the bottom right is where the answers' toasts appear, over whatever is there
            yield Button(_("Close the day"), id="hours-close-day", variant="warning")
            yield Button(_("Back"), id="hours-back-button")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*(_(c) for c in COLUMNS))
        self.refresh_hours()
        self.set_interval(30, self.refresh_hours)

    def refresh_hours(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for h in self.kiosk.station.desk.hourly():
            table.add_row(f"{h.hour:02d}:00", *(str(v) for v in (h.checked_in, h.vaccinated, h.postponed, h.turned_away,
                                                                  h.passes_issued, h.passes_honoured, h.cards_printed,
                                                                  h.used, h.free)))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "hours-back-button":
            self.action_back()
        elif event.button.id == "hours-close-day":
            self._close_day(event.button)

    _armed = False

    def _close_day(self, button: Button) -> None:
        """First tap asks, a second tap within 10 s closes: no-shows, lapsed holds, the leftover carried, a summary slip."""
        from kiosk.errors import KioskError
        from kiosk.services.dayclose import close_day

        if not self._armed:
            self._armed = True
            button.label = _("Sure? Close the day")
            self.set_timer(10, self._disarm)
            return
        self._disarm()
        station = self.kiosk.station
        try:
            closed = close_day(station.ctx, station.ctx.clock.today(), self.kiosk.operator or "staff")
        except KioskError as exc:
            self.notify(str(exc), title=_("Not closed yet"), severity="warning", timeout=10)
            return
        if closed.already:
            self.notify(_("{day} was already closed", day=closed.day), timeout=6)
            return
        self.kiosk.print_pending()
        self.notify(_("Day closed: {no_shows} no-shows; the summary slip is printing", no_shows=closed.no_shows),
                    timeout=10)
        self.refresh_hours()

    def _disarm(self) -> None:
        self._armed = False
        self.query_one("#hours-close-day", Button).label = _("Close the day")

    def action_back(self) -> None:
        self.dismiss()
