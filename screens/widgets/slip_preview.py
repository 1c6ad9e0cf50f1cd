"""A slip as it will print: its text lines and the QR drawn with half-block characters."""

from __future__ import annotations

import segno
from rich.text import Text
from textual.widgets import Static

from kiosk.ports import Slip


def qr_blocks(payload: str) -> str:
    """The QR as text: each character cell holds two modules (upper and lower half)."""
    matrix = [list(row) for row in segno.make_qr(payload, error="m").matrix]
    quiet = [[0] * (len(matrix[0]) + 4)] * 2
    rows = quiet + [[0, 0, *row, 0, 0] for row in matrix] + quiet
    if len(rows) % 2:
        rows.append([0] * len(rows[0]))
    chars = {(0, 0): " ", (1, 0): "▀", (0, 1): "▄", (1, 1): "█"}
    return "\n".join("".join(chars[(a, b)] for a, b in zip(top, bottom)) for top, bottom in zip(rows[::2], rows[1::2]))


class SlipPreview(Static):
    """Black on white, like thermal paper."""

    DEFAULT_CSS = """
    SlipPreview { width: auto; min-width: 50; background: white; color: black; padding: 1 2; }
    """

    def show(self, slip: Slip) -> None:
        """Render ``slip`` (plain text: names may contain brackets, which are not markup)."""
        body = Text()
        for line in slip.lines:
            body.append(line.text + "\n", style="bold" if line.bold else "")
        if slip.qr:
            body.append(qr_blocks(slip.qr) + "\n")
        for line in slip.footer:
            body.append(line.text + "\n")
        self.update(body)
