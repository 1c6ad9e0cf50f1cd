"""Today's numbers for the staff dashboard."""

from __future__ import annotations

from textual.widgets import Static

from kiosk.i18n import _
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
        self.border_title = _("Today {day:%d-%m-%Y}", day=numbers.day) + (" — " + _("this station") if station_only else "")
        self.update(
            _("cap [b]{cap}[/]   used [b]{used}[/]   free [b]{free}[/]   held for passes [b]{held}[/]", cap=numbers.cap,
              used=numbers.used, free=numbers.free, held=numbers.held_for_passes) + "\n"
            + _("checked in [b]{checked_in}[/]   vaccinated [b]{vaccinated}[/]   postponed [b]{postponed}[/]   "
                "turned away [b]{turned_away}[/]   passes issued [b]{passes}[/]   walk-in [b]{walkin}[/]",
                checked_in=numbers.checked_in, vaccinated=numbers.vaccinated, postponed=numbers.postponed,
                turned_away=numbers.turned_away, passes=numbers.passes_issued, walkin=f"{numbers.walkin_used}/{numbers.walkin_slots}")
        )
