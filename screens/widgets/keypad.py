"""An on-screen numeric keypad with big touch targets."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Button

KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"]


class Keypad(Grid):
    """Posts ``Keypad.Pressed`` with "0"-"9", "back" or "ok"."""

    DEFAULT_CSS = """
    Keypad { grid-size: 3 4; grid-gutter: 0 1; width: 40; height: 16; }
    Keypad Button { width: 100%; height: 100%; min-width: 8; text-style: bold; }
    Keypad #key-ok { background: $success; }
    Keypad #key-back { background: $warning-darken-2; }
    """

    class Pressed(Message):
        """A key was tapped."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def compose(self) -> ComposeResult:
        """Twelve buttons: digits, backspace and OK."""
        for key in KEYS:
            name = {"⌫": "back", "OK": "ok"}.get(key, key)
            yield Button(key, id=f"key-{name}", classes="key", compact=False)

    @on(Button.Pressed, ".key")
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Pressed((event.button.id or "").removeprefix("key-")))
