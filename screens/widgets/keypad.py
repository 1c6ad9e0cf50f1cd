"""An on-screen numeric keypad with big touch targets.

The keypad is one widget, not twelve buttons: Textual gives each widget its own message
queue, so two quick taps on two different Buttons could be handled out of order ("070"
came out as "007" in a real terminal). Here every tap goes through this widget's queue and
is mapped to its key by position, so taps are handled in the order they were made.
"""

from __future__ import annotations

from rich.segment import Segment
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input

KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"]
NAMES = {"⌫": "back", "OK": "ok"}
COLUMNS, ROWS, GAP = 3, 4, 1
FLASH_S = 0.15


class Keypad(Widget):
    """Posts ``Keypad.Pressed`` with "0"-"9", "back" or "ok", one per tap, in tap order."""

    DEFAULT_CSS = """
    Keypad { width: 41; height: 16; }
    Keypad > .keypad--key { background: $panel; color: $foreground; text-style: bold; }
    Keypad > .keypad--back { background: $warning-darken-2; color: $foreground; text-style: bold; }
    Keypad > .keypad--ok { background: $success; color: $foreground; text-style: bold; }
    Keypad > .keypad--lit { background: $accent; color: $foreground; text-style: bold; }
    """
    COMPONENT_CLASSES = {"keypad--key", "keypad--back", "keypad--ok", "keypad--lit"}

    lit: reactive[str] = reactive("")

    class Pressed(Message):
        """A key was tapped."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def _cell(self) -> tuple[int, int]:
        width = max((self.size.width - GAP * (COLUMNS - 1)) // COLUMNS, 1)
        return width, max(self.size.height // ROWS, 1)

    def render_line(self, y: int) -> Strip:
        """One screen line: three key cells (or gaps); the last line of each row is a gap."""
        width, height = self._cell()
        row, line = divmod(y, height)
        if row >= ROWS or (line == height - 1 and height > 1):
            return Strip.blank(self.size.width)
        segments = []
        for col in range(COLUMNS):
            key = KEYS[row * COLUMNS + col]
            label = key if line == (height - 1) // 2 else ""
            segments.append(Segment(label.center(width), self._style(key)))
            if col < COLUMNS - 1:
                segments.append(Segment(" " * GAP))
        return Strip(segments).extend_cell_length(self.size.width)

    def _style(self, key: str):  # type: ignore[no-untyped-def]
        name = "keypad--lit" if key == self.lit else f"keypad--{NAMES.get(key, 'key')}"
        return self.get_component_rich_style(name)

    def key_at(self, x: int, y: int) -> str | None:
        """The key under a point of this widget, or None for a gap."""
        width, height = self._cell()
        col, within_x = divmod(x, width + GAP)
        row, within_y = divmod(y, height)
        if col >= COLUMNS or row >= ROWS or within_x >= width or (within_y == height - 1 and height > 1):
            return None
        return KEYS[row * COLUMNS + col]

    def center_of(self, key: str) -> tuple[int, int]:
        """Where to tap for ``key`` (tests and on-screen hints)."""
        index = KEYS.index(key)
        width, height = self._cell()
        row, col = divmod(index, COLUMNS)
        return col * (width + GAP) + width // 2, row * height + (height - 1) // 2

    def on_click(self, event: events.Click) -> None:
        """Map the tap to its key, flash it, and report it."""
        key = self.key_at(event.x, event.y)
        if key is None:
            return
        event.stop()
        self.lit = key
        self.set_timer(FLASH_S, self._unlight)
        self.post_message(self.Pressed(NAMES.get(key, key)))

    def _unlight(self) -> None:
        self.lit = ""


def edit(box: Input, key: str) -> bool:
    """Apply a keypad key to an input box; True when the key was OK (submit)."""
    if key == "ok":
        return True
    box.value = box.value[:-1] if key == "back" else box.value + key
    box.cursor_position = len(box.value)  # keys typed on a keyboard next go on at the end, not before the taps
    return False
