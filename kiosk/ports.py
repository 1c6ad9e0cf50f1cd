"""Ports the core defines; adapters in ``devices/`` implement them (fakes included).

The core never imports a device library: it hands plain data (frames as arrays, slips as
``Slip`` objects) across these Protocols.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from kiosk.i18n import N_, _


@dataclass(frozen=True)
class DecodedCode:
    """One code found in a frame."""

    text: str
    format: str
    raw: bytes = b""
    corners: tuple[tuple[int, int], ...] = ()  # where in the frame, for the preview's outline


class Camera(Protocol):
    """A frame source: a webcam, a video file, or a folder of images."""

    def open(self) -> None:
        """Start capturing; raises DeviceError when the camera is missing."""

    def read(self) -> Any | None:
        """The next frame (a numpy array), or None when there is none right now."""

    def close(self) -> None:
        """Release the device."""


class Decoder(Protocol):
    """Finds codes in a frame."""

    name: str

    def decode(self, frame: Any) -> list[DecodedCode]:
        """Every code found; an empty list when none (never raises on odd content)."""


class LiveDecoder(Decoder, Protocol):
    """A decoder a running camera feeds: it may spread costly passes over frames and keep a helper thread."""

    def decode_live(self, frame: Any) -> list[DecodedCode]:
        """Codes in one camera frame (may come from an earlier frame's deeper look)."""

    def close(self) -> None:
        """Stop helper threads (with the camera)."""


class PrinterState(Enum):
    """What the printer reports about itself."""

    @property
    def can_print(self) -> bool:
        """Whether a slip may be sent (UNKNOWN is tried: many connectors cannot report)."""
        return self in (PrinterState.READY, PrinterState.PAPER_NEAR_END, PrinterState.UNKNOWN)

    @property
    def words(self) -> str:
        """The state in the current language."""
        return _(PRINTER_WORDS.get(self.value, self.value))

    READY = "ready"
    PAPER_NEAR_END = "paper near end"
    PAPER_OUT = "paper out"
    COVER_OPEN = "cover open"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


PRINTER_WORDS = {"ready": N_("ready"), "paper near end": N_("paper near end"), "paper out": N_("paper out"),
                 "cover open": N_("cover open"), "offline": N_("offline"), "unknown": N_("unknown")}


@dataclass(frozen=True)
class SlipLine:
    """One line of a slip: text with emphasis and size, left or centred."""

    text: str
    bold: bool = False
    large: bool = False
    center: bool = False
    huge: bool = False  # readable at arm's length: queue numbers


@dataclass(frozen=True)
class Slip:
    """What to print, independent of paper width and printer language."""

    kind: str  # card | pass
    lines: tuple[SlipLine, ...]
    qr: str = ""
    footer: tuple[SlipLine, ...] = field(default_factory=tuple)

    def text(self) -> str:
        """The slip as plain text (on-screen preview, logs without personal data)."""
        body = [line.text for line in self.lines]
        if self.qr:
            body.append("[QR]")
        return "\n".join(body + [line.text for line in self.footer])


class Sound(Protocol):
    """Feedback sounds: ``kind`` is "admitted", "refused" or "see_staff"."""

    def check(self) -> None:
        """Raise DeviceError when the sound cannot be played (for diagnostics)."""
        ...

    def play(self, kind: str) -> None:
        """Start the sound and return at once."""
        ...


class Printer(Protocol):
    """A receipt printer."""

    def open(self) -> None:
        """Connect; raises DeviceError with a reason a person can act on."""

    def status(self) -> PrinterState:
        """The printer's own report, or UNKNOWN when it cannot tell."""

    def print_slip(self, slip: Slip) -> None:
        """Print one slip; raises DeviceError when it did not print."""

    def close(self) -> None:
        """Disconnect."""


class DeviceError(Exception):
    """A device failed in a way a technician can fix (unplugged, paper out, no permission)."""
