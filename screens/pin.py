"""The PIN prompt that unlocks staff or technician mode."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from kiosk.i18n import LANGUAGE_NAMES, LANGUAGES, N_, say
from screens.host import HostedScreen
from screens.widgets.keypad import Keypad, edit

TITLES = {"staff": N_("Staff PIN"), "technician": N_("Technician PIN")}


class PinScreen(HostedScreen, ModalScreen[bool]):
    """Dismisses with True when the PIN of its mode was typed."""

    CSS_PATH = "pin.tcss"
    AUTO_FOCUS = "#pin-input"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pin-cancel")]

    def __init__(self, mode: str, lang: str) -> None:
        super().__init__()
        self.mode = mode
        self.lang = lang  # the language the desk opens in; the staff member picks theirs here
        self.counting = False  # a lockout's countdown is on screen

    def compose(self) -> ComposeResult:
        """Language choice, title, masked input, keypad, cancel."""
        with Vertical(id="pin-box"):
            with Horizontal(id="pin-languages"):
                for lang in LANGUAGES:
                    yield Button(LANGUAGE_NAMES[lang], id=f"pin-lang-{lang}", compact=True,
                                 variant="primary" if lang == self.lang else "default")
            yield Label(say(TITLES[self.mode], self.lang), id="pin-title")
            yield Input(password=True, restrict=r"[0-9]*", max_length=12, id="pin-input")
            yield Label("", id="pin-error")
            yield Keypad()
            yield Button(say(N_("Cancel"), self.lang), id="pin-cancel-button")

    @on(Button.Pressed, "#pin-languages Button")
    def _language(self, event: Button.Pressed) -> None:
        """The staff member's language for this desk session: the pad's own words change at once."""
        self.lang = str(event.button.id).removeprefix("pin-lang-")
        for lang in LANGUAGES:
            self.query_one(f"#pin-lang-{lang}", Button).variant = "primary" if lang == self.lang else "default"
        self.query_one("#pin-title", Label).update(say(TITLES[self.mode], self.lang))
        self.query_one("#pin-cancel-button", Button).label = say(N_("Cancel"), self.lang)
        self.query_one("#pin-input", Input).focus()

    @on(Keypad.Pressed)
    def _key(self, event: Keypad.Pressed) -> None:
        box = self.query_one("#pin-input", Input)
        if edit(box, event.key):
            self._check(box.value)

    @on(Input.Submitted, "#pin-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self._check(event.value)

    @on(Button.Pressed, "#pin-cancel-button")
    def action_cancel(self) -> None:
        """Close without unlocking."""
        self.dismiss(False)

    def on_mount(self) -> None:
        """A pad still locked from earlier tries shows its countdown at once."""
        self.set_interval(1.0, self._tick)
        self._tick()

    def _check(self, pin: str) -> None:
        pins = self.kiosk.settings.pins
        people = [(p.name, p.hash) for p in pins.people if p.role == self.mode]
        verdict = self.kiosk.station.access.check(self.mode, pin, getattr(pins, self.mode), people)
        if verdict.ok:
            self.kiosk.operator = verdict.who  # the audit names them until the desk locks
            self.kiosk.staff_lang = self.lang
            self.dismiss(True)
            return
        self.query_one("#pin-input", Input).value = ""
        if verdict.wait_seconds <= 0:
            self.query_one("#pin-error", Label).update(say(N_("Wrong PIN ({left} left)"), self.lang, left=verdict.tries_left))
        self._tick()

    def _tick(self) -> None:
        """Count a lockout down on screen; the pad takes keys again when it ends."""
        wait = self.kiosk.station.access.wait_seconds()
        box = self.query_one("#pin-input", Input)
        box.disabled = self.query_one(Keypad).disabled = wait > 0
        if wait > 0:
            self.set_focus(None)  # typing (and Enter) while locked lands nowhere, not on Cancel
            self.query_one("#pin-error", Label).update(say(N_("Locked: {seconds} s"), self.lang, seconds=f"{wait:.0f}"))
            self.counting = True
        elif self.counting:  # the lockout just ended: clear its countdown, the pad is yours again
            self.counting = False
            self.query_one("#pin-error", Label).update("")
            box.focus()
