"""The attendee's result: where to go, or why not, in both languages; back by itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from kiosk.i18n import both

if TYPE_CHECKING:
    from kiosk.services.checkin import CheckInOutcome

GOOD = {"admitted"}
WAIT = {"already_checked_in", "full", "pass_held", "too_early", "pass_not_today"}


def outcome_lines(outcome: CheckInOutcome, lang: str) -> tuple[str, str]:
    """The two lines (venue language first) that tell the attendee what happened."""
    fields = {"queue": outcome.queue_number, "time": f"{outcome.at:%H:%M}" if outcome.at else "",
              "date": f"{outcome.day:%d-%m-%Y}" if outcome.day else ""}
    return both(outcome.kind, lang, **fields)


class ResultScreen(Screen[None]):
    """Shown after a scan; a tap or the timer returns to the scan screen."""

    CSS_PATH = "result.tcss"

    def __init__(self, outcome: CheckInOutcome) -> None:
        super().__init__()
        self.outcome = outcome

    def compose(self) -> ComposeResult:
        """Name, queue number (big), message in both languages."""
        first, second = outcome_lines(self.outcome, self.app.lang)
        tone = "good" if self.outcome.kind in GOOD else "wait" if self.outcome.kind in WAIT else "stop"
        with Vertical(id="result-box", classes=tone):
            if self.outcome.name:
                yield Static(self.outcome.name, id="result-name")
            if self.outcome.kind == "admitted":
                yield Static(self.outcome.queue_number, id="result-queue")
            yield Static(first, id="result-message")
            yield Static(second, id="result-message-2")
            if self.outcome.kind == "full" and self.outcome.pass_id:
                yield Static(" / ".join(both("full_pass", self.app.lang)), id="result-pass")

    def on_mount(self) -> None:
        """Return to the scan screen after the configured seconds."""
        self.set_timer(self.app.settings.result_seconds, self.back)

    def on_click(self, event: events.Click) -> None:
        """A tap anywhere returns at once."""
        self.back()

    def back(self) -> None:
        """Return to the scan screen (once, whether by tap or by timer)."""
        if self.is_current:
            self.dismiss()
