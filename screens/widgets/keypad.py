"""An on-screen numeric keypad with big touch targets."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Button

KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"]


class KeyButton(Button):
    """A key that counts every tap.

    Textual's Button ignores a click while its 0.2 s press animation runs, so a fast double
    tap on "1" would type one digit: a NIK like 3215110310804423 would come out short.
    """

    async def _on_click(self, event: events.Click) -> None:
        event.stop()
        self.press()


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
            yield KeyButton(key, id=f"key-{name}", classes="key")

    @on(Button.Pressed, ".key")
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Pressed((event.button.id or "").removeprefix("key-")))
