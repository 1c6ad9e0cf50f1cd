"""A page of `kiosk serve` in Debian's Chromium (playwright), read back through a terminal emulator.

The station draws on a canvas, so the test cannot read the page's text from the DOM. It reads what
the browser was sent instead: every byte of the station's websocket goes through pyte (a VT
emulator) as it goes to xterm.js, so ``screen()`` is the text the page shows. A tap lands on the
middle of a label's cell: the page's terminal size (from the websocket URL) divides its canvas.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyte

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"


class StationPage:
    """One Chromium page (touch enabled) on the served station."""

    def __init__(self, context: Any, url: str) -> None:
        self.page = context.new_page()
        self.size = (0, 0)
        self._screen = pyte.Screen(80, 24)
        self._stream = pyte.ByteStream(self._screen)
        self.page.on("websocket", self._connected)
        self.page.goto(url)

    def _connected(self, ws: Any) -> None:
        found = re.search(r"width=(\d+)&height=(\d+)", ws.url)
        assert found, ws.url
        self.size = (int(found[1]), int(found[2]))
        self._screen.reset()
        self._screen.resize(self.size[1], self.size[0])
        ws.on("framereceived", lambda frame: self._stream.feed(bytes(frame)) if isinstance(frame, bytes) else None)

    def screen(self) -> str:
        return "\n".join(self._screen.display)

    def wait_for(self, text: str, seconds: float = 30.0) -> str:
        for _ in range(int(seconds * 4)):
            self.page.wait_for_timeout(250)  # playwright delivers websocket frames while it waits
            if text in self.screen():
                return self.screen()
        raise AssertionError(f"{text!r} never appeared in the page; it shows:\n{self.screen()}")

    def tap(self, label: str) -> None:
        """A finger on the first place ``label`` shows on its own."""
        box = self.page.locator(".xterm-screen").bounding_box()
        assert box is not None and self.size[0], "the page has no terminal yet"
        cell_w, cell_h = box["width"] / self.size[0], box["height"] / self.size[1]
        pattern = re.compile(rf"(?<= ){re.escape(label)}(?= |$)")
        for row, line in enumerate(self._screen.display):
            found = pattern.search(line)
            if found:
                self.page.touchscreen.tap(box["x"] + (found.start() + 0.5) * cell_w, box["y"] + (row + 0.5) * cell_h)
                return
        raise AssertionError(f"{label!r} is not on the page:\n{self.screen()}")

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path))
        return path
