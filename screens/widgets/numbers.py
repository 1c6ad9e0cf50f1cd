"""Today's numbers for the staff dashboard."""

from __future__ import annotations

from textual.widgets import Static

from kiosk.services.desk import DayNumbers


class DayNumbersPanel(Static):
    """Cap, used, free, held for passes, and the flow of the day."""

    DEFAULT_CSS = """
    DayNumbersPanel { border: round $primary; padding: 0 1; height: auto; width: 100%; }
    """

    def on_click(self) -> None:
        """A tap on the numbers opens the day hour by hour (where the screen offers it)."""
        hours = getattr(self.screen, "action_hours", None)
        if hours is not None:
            hours()

    def show(self, numbers: DayNumbers, station_only: bool = False) -> None:
        """Render ``numbers``; ``station_only``: a venue station's own share (the venue's line is shown apart)."""
        self.border_title = f"Hari ini / Today {numbers.day:%d-%m-%Y}" + (" — stasiun ini / this station" if station_only else "")
        self.update(
            f"Kuota/cap [b]{numbers.cap}[/]   dipakai/used [b]{numbers.used}[/]   sisa/free [b]{numbers.free}[/]   "
            f"tiket prioritas/held for passes [b]{numbers.held_for_passes}[/]\n"
            f"check-in [b]{numbers.checked_in}[/]   divaksin/vaccinated [b]{numbers.vaccinated}[/]   "
            f"ditunda/postponed [b]{numbers.postponed}[/]   ditolak/turned away [b]{numbers.turned_away}[/]   "
            f"tiket/passes issued [b]{numbers.passes_issued}[/]   walk-in [b]{numbers.walkin_used}/{numbers.walkin_slots}[/]"
        )
