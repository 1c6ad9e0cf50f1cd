"""A small ESC/POS parser for tests: what would the printer put on paper?

Reads the command stream python-escpos produces: text with bold/size/alignment state, native
QR (GS ( k) payloads, raster images (GS v 0) as numpy arrays, feeds and cuts. Unknown
commands raise, so a layout that emits something unexpected is noticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Line:
    text: str
    bold: bool
    large: bool
    align: str


@dataclass
class Paper:
    lines: list[Line] = field(default_factory=list)
    qr_payloads: list[str] = field(default_factory=list)
    images: list[np.ndarray] = field(default_factory=list)
    cuts: int = 0
    feeds: int = 0

    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


def parse(data: bytes) -> Paper:
    """Interpret ``data``; raises ValueError on a command this parser does not know."""
    paper, state, buf, i = Paper(), {"bold": False, "large": False, "align": "left"}, bytearray(), 0
    while i < len(data):
        b = data[i]
        if b == 0x0A:
            paper.lines.append(Line(buf.decode("cp437"), state["bold"], state["large"], state["align"]))
            buf.clear()
            i += 1
        elif b == 0x1B:
            i = _esc(data, i, state, paper)
        elif b == 0x1D:
            i = _gs(data, i, state, paper)
        elif b >= 0x20:
            buf.append(b)
            i += 1
        else:
            raise ValueError(f"unexpected control byte {b:#x} at {i}")
    if buf:
        paper.lines.append(Line(buf.decode("cp437"), state["bold"], state["large"], state["align"]))
    return paper


def _esc(data: bytes, i: int, state: dict, paper: Paper) -> int:
    cmd = data[i + 1]
    if cmd == ord("@"):
        return i + 2
    if cmd == ord("!"):
        state["large"] = bool(data[i + 2] & 0x30)
        state["bold"] = bool(data[i + 2] & 0x08) or state["bold"]
        return i + 3
    if cmd == ord("E"):
        state["bold"] = bool(data[i + 2])
        return i + 3
    if cmd == ord("a"):
        state["align"] = _ALIGN[data[i + 2]]
        return i + 3
    if cmd in b"t-MGV{3":  # one-argument settings: code page, underline, font, spacing
        return i + 3
    if cmd == ord("d"):
        paper.feeds += data[i + 2]
        return i + 3
    if cmd == ord("2"):  # default line spacing
        return i + 2
    raise ValueError(f"unknown ESC {chr(cmd)!r} at {i}")


def _gs(data: bytes, i: int, state: dict, paper: Paper) -> int:
    cmd = data[i + 1]
    if cmd == ord("!"):
        state["large"] = data[i + 2] != 0
        return i + 3
    if cmd == ord("(") and data[i + 2] == ord("k"):
        length = data[i + 3] | data[i + 4] << 8
        body = data[i + 5:i + 5 + length]
        if body[:3] == b"1P0":
            paper.qr_payloads.append(body[3:].decode("latin-1"))
        return i + 5 + length
    if cmd == ord("v") and data[i + 2] == ord("0"):
        width_bytes = data[i + 4] | data[i + 5] << 8
        height = data[i + 6] | data[i + 7] << 8
        raw = np.frombuffer(data[i + 8:i + 8 + width_bytes * height], dtype=np.uint8).reshape(height, width_bytes)
        bits = np.unpackbits(raw, axis=1)
        paper.images.append(np.where(bits == 1, 0, 255).astype(np.uint8))
        return i + 8 + width_bytes * height
    if cmd == ord("V"):
        paper.cuts += 1
        return i + 3 if data[i + 2] in (0, 1, 48, 49) else i + 4
    if cmd in (ord("L"), ord("W")):
        return i + 4
    raise ValueError(f"unknown GS {chr(cmd)!r} at {i}")
