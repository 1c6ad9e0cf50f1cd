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
            # left of Back: the bottom right is where the answers' toasts appear, over whatever is there
            yield Button("Tutup hari / Close the day", id="hours-close-day", variant="warning")
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
        elif event.button.id == "hours-close-day":
            self._close_day(event.button)

    _armed = False

    def _close_day(self, button: Button) -> None:
        """First tap asks, a second tap within 10 s closes: no-shows, lapsed holds, the leftover carried, a summary slip."""
        from kiosk.errors import KioskError
        from kiosk.services.dayclose import close_day

        if not self._armed:
            self._armed = True
            button.label = "Yakin? Tutup hari / Sure? Close the day"
            self.set_timer(10, self._disarm)
            return
        self._disarm()
        station = self.kiosk.station
        try:
            closed = close_day(station.ctx, station.ctx.clock.today(), self.kiosk.operator or "staff")
        except KioskError as exc:
            self.notify(str(exc), title="Belum bisa ditutup / Not closed yet", severity="warning", timeout=10)
            return
        if closed.already:
            self.notify(f"Hari {closed.day} sudah ditutup / {closed.day} was already closed", timeout=6)
            return
        self.kiosk.print_pending()
        self.notify(f"Hari ditutup / Day closed: {closed.no_shows} tidak hadir / no-shows; ringkasan dicetak / summary slip printing",
                    timeout=10)
        self.refresh_hours()

    def _disarm(self) -> None:
        self._armed = False
        self.query_one("#hours-close-day", Button).label = "Tutup hari / Close the day"

    def action_back(self) -> None:
        self.dismiss()
