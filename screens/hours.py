"""The day hour by hour for staff: arrivals, doses, postponed, turned away, passes, cards, used and free."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, DataTable, Static

from screens.host import HostedScreen

COLUMNS = ("Jam / Hour", "Check-in", "Divaksin / Dosed", "Ditunda / Postponed", "Ditolak / Turned away",
           "Tiket / Passes", "Tiket dipakai / Honoured", "Kartu / Cards", "Dipakai / Used", "Sisa / Free")


class HoursScreen(HostedScreen, Screen[None]):
    """Read-only; refreshed every 30 seconds while open."""

    CSS_PATH = "sync.tcss"
    BINDINGS = [Binding("escape", "back", "Back", id="hours-back")]

    def compose(self) -> ComposeResult:
        yield Static("Hari ini per jam / Today by the hour", id="sync-title")
        yield DataTable(id="hours-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="sync-buttons"):
            yield Button("Kembali / Back", id="hours-back-button")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)
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

    def action_back(self) -> None:
        self.dismiss()
