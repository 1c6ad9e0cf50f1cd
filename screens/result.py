"""The attendee's result: where to go, or why not, in both languages; back by itself."""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING, Protocol

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from kiosk.i18n import both, day, other, say
from kiosk.privacy import short_name
from kiosk.states import OutcomeKind
from screens.messages import Scanned

if TYPE_CHECKING:
    from textual.timer import Timer

    from kiosk.services.checkin import CheckInOutcome


from screens.host import HostedScreen


class ResultOwner(Protocol):
    """The screen that checks attendees in (the scan screen): scans made on the result go to it."""

    def submit(self, text: str) -> None: ...

    def typed(self, key: str) -> None:
        """A keypad key ("0".."9", a letter, "back", "ok") the next attendee typed while a result showed."""

GOOD = {OutcomeKind.ADMITTED}
SEE_STAFF = {OutcomeKind.NOT_REGISTERED, OutcomeKind.UNRECOGNISED, OutcomeKind.PLAN_OVER, OutcomeKind.APPOINTMENT_MISSED,
             OutcomeKind.PASS_UNKNOWN, OutcomeKind.FORGED}
WAIT = {OutcomeKind.ALREADY_CHECKED_IN, OutcomeKind.FULL, OutcomeKind.PASS_HELD, OutcomeKind.TOO_EARLY,
        OutcomeKind.PASS_NOT_TODAY, OutcomeKind.FULL_NO_PASS, OutcomeKind.APPOINTMENT_LATER}


def feedback(outcome: CheckInOutcome) -> str:
    """Which sound goes with the result: "admitted", "refused" (come back, wait, another desk) or "see_staff"."""
    if outcome.kind in GOOD:
        return "admitted"
    return "see_staff" if outcome.kind in SEE_STAFF else "refused"


def outcome_lines(outcome: CheckInOutcome, lang: str) -> tuple[str, str]:
    """The two lines (venue language first) that tell the attendee what happened."""
    elsewhere = outcome.kind == OutcomeKind.ALREADY_CHECKED_IN and not outcome.queue_number  # at another station
    key = "already_elsewhere" if elsewhere else outcome.kind

    def words(lang: str) -> str:
        return say(key, lang, queue=outcome.queue_number, time=f"{outcome.at:%H:%M}" if outcome.at else "",
                   date=day(outcome.day, lang, "full") if outcome.day else "")
    return words(lang), words(other(lang))


class ResultScreen(HostedScreen, Screen[None]):
    """Shown after a scan, one result at a time; a tap or the timer returns to the scan screen.

    Attendees keep coming while a result shows: a scan here (camera or scanner) is checked in
    at once by the scan screen beneath, and its result replaces this one once this one has been
    up for ``MIN_SHOW_S`` (so the person before can still read their queue number).
    """

    CSS_PATH = "result.tcss"
    TAKES_SCANS = True
    MIN_SHOW_S = 2.0

    def __init__(self, outcome: CheckInOutcome, owner: ResultOwner | None = None) -> None:
        super().__init__()
        self.outcome = outcome
        self.owner = owner
        self.waiting: deque[CheckInOutcome] = deque()
        self.shown_at = time.monotonic()
        self._clear_timer: Timer | None = None
        self._next_timer: Timer | None = None
        self._leaving = False

    def compose(self) -> ComposeResult:
        """Name, queue number (big), message in both languages."""
        first, second = outcome_lines(self.outcome, self.kiosk.attendee_lang)
        tone = "good" if self.outcome.kind in GOOD else "wait" if self.outcome.kind in WAIT else "stop"
        with Vertical(id="result-box", classes=tone):
            if self.outcome.name:  # enough for them to recognise themselves, not a NIK-to-name lookup for anyone
                yield Static(short_name(self.outcome.name), id="result-name")
            if self.outcome.kind == OutcomeKind.ADMITTED:
                yield Static(self.outcome.queue_number, id="result-queue")
            yield Static(first, id="result-message")
            yield Static(second, id="result-message-2")
            if self.outcome.kind == OutcomeKind.FULL and self.outcome.pass_id:
                yield Static(" / ".join(both("full_pass", self.kiosk.attendee_lang)), id="result-pass")

    def on_mount(self) -> None:
        """Sound the result; return to the scan screen after the configured seconds."""
        self.kiosk.sound.play(feedback(self.outcome))
        self._restart_clear_timer()

    def offer(self, outcome: CheckInOutcome) -> None:
        """A newer attendee's result: shown now, or once the current one has been up long enough."""
        self.waiting.append(outcome)
        shown_for = time.monotonic() - self.shown_at
        if shown_for >= self.MIN_SHOW_S:
            self._show_next()
        elif self._next_timer is None:
            self._next_timer = self.set_timer(self.MIN_SHOW_S - shown_for, self._show_next)

    def _show_next(self) -> None:
        self._next_timer = None
        if not self.waiting or self._leaving:
            return
        self.outcome = self.waiting.popleft()
        self.kiosk.sound.play(feedback(self.outcome))
        self.shown_at = time.monotonic()
        self.refresh(recompose=True)
        self._restart_clear_timer()
        if self.waiting:  # a third came meanwhile: its turn after the minimum
            self._next_timer = self.set_timer(self.MIN_SHOW_S, self._show_next)

    def _restart_clear_timer(self) -> None:
        if self._clear_timer is not None:
            self._clear_timer.stop()
        self._clear_timer = self.set_timer(self.kiosk.settings.result_seconds, self._timed_out)

    def _timed_out(self) -> None:
        if self.waiting:
            self._show_next()
        else:
            self.back()

    def on_click(self, event: events.Click) -> None:
        """A tap: the next waiting result, or back to the scan screen."""
        if self.waiting:
            self._show_next()
        else:
            self.back()

    def on_scanned(self, message: Scanned) -> None:
        """A scanner read a code while this shows: the next attendee, checked in at once."""
        if self.owner is not None:
            self.owner.submit(message.text)

    def on_key(self, event: events.Key) -> None:
        """The next attendee typing while this shows: their keys go on into the scan screen's box (Enter checks
        them in), as if they had waited for it."""
        key = {"enter": "ok", "backspace": "back"}.get(event.key) or (event.character if event.is_printable else None)
        if self.owner is not None and key:
            event.stop()
            self.owner.typed(key)

    def back(self) -> None:
        """Return to the scan screen (once, whether by tap or by timer; never when another screen is on top)."""
        if self._leaving or self.app.screen is not self:
            return
        self._leaving = True
        self.dismiss()
