"""The PIN prompt that unlocks staff or technician mode."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from screens.host import HostedScreen
from screens.widgets.keypad import Keypad, edit

TITLES = {"staff": "PIN petugas / Staff PIN", "technician": "PIN teknisi / Technician PIN"}


class PinScreen(HostedScreen, ModalScreen[bool]):
    """Dismisses with True when the PIN of its mode was typed."""

    CSS_PATH = "pin.tcss"
    AUTO_FOCUS = "#pin-input"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pin-cancel")]

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    def compose(self) -> ComposeResult:
        """Title, masked input, keypad, cancel."""
        with Vertical(id="pin-box"):
            yield Label(TITLES[self.mode], id="pin-title")
            yield Input(password=True, restrict=r"[0-9]*", max_length=12, id="pin-input")
            yield Label("", id="pin-error")
            yield Keypad()
            yield Button("Batal / Cancel", id="pin-cancel-button")

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
            self.dismiss(True)
            return
        self.query_one("#pin-input", Input).value = ""
        if verdict.wait_seconds <= 0:
            self.query_one("#pin-error", Label).update(f"PIN salah / Wrong PIN ({verdict.tries_left} lagi / left)")
        self._tick()

    def _tick(self) -> None:
        """Count a lockout down on screen; the pad takes keys again when it ends."""
        wait = self.kiosk.station.access.wait_seconds()
        box = self.query_one("#pin-input", Input)
        box.disabled = self.query_one(Keypad).disabled = wait > 0
        if wait > 0:
            self.set_focus(None)  # typing (and Enter) while locked lands nowhere, not on Cancel
            self.query_one("#pin-error", Label).update(f"Terkunci / Locked: {wait:.0f} s")
        elif str(self.query_one("#pin-error", Label).render()).startswith("Terkunci"):
            self.query_one("#pin-error", Label).update("")
            box.focus()
