"""Barcode decoders behind the ``Decoder`` port, and the configured chain.

zxing-cpp is the default (it reads far more of real-world samples than pyzbar or OpenCV);
pyzbar is supported where the system's libzbar is installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from devices.decode.gray import to_gray
from kiosk.i18n import _
from kiosk.ports import DecodedCode, DeviceError

_FORMATS = "QRCode|PDF417|Code128|Code39|DataMatrix"


class ZxingDecoder:
    """zxing-cpp in one plain pass (the benchmarks' peer; the station uses devices.pipeline)."""

    name = "zxingcpp (one pass)"

    def __init__(self, formats: str = _FORMATS) -> None:
        import zxingcpp

        self._zxing = zxingcpp
        self._formats = zxingcpp.barcode_formats_from_str(formats)

    def decode(self, frame: Any) -> list[DecodedCode]:
        """Every valid code in ``frame``; never raises on odd content."""
        try:
            results = self._zxing.read_barcodes(to_gray(frame), formats=self._formats)
        except (ValueError, RuntimeError):
            return []
        return [DecodedCode(r.text, str(r.format).split(".")[-1], bytes(r.bytes)) for r in results if r.valid]


class PyzbarDecoder:
    """pyzbar over the system's libzbar."""

    name = "pyzbar"

    def __init__(self) -> None:
        try:
            from pyzbar import pyzbar
        except (ImportError, OSError) as exc:  # the Python package is installed, libzbar may not be
            raise DeviceError(_("pyzbar unavailable: install libzbar0 (apt-get install libzbar0)")) from exc
        self._pyzbar = pyzbar

    def decode(self, frame: Any) -> list[DecodedCode]:
        """Every code libzbar finds; bytes it cannot read as UTF-8 are kept raw."""
        try:
            results = self._pyzbar.decode(to_gray(frame))
        except Exception:  # libzbar wraps many failures in generic errors; a bad frame is no code
            return []
        return [DecodedCode(r.data.decode("utf-8", "replace"), r.type, bytes(r.data)) for r in results]


class OpenCVDecoder:
    """OpenCV's QRCodeDetector: an optional last fallback (it reads fewer codes, and slower)."""

    name = "opencv"

    def __init__(self, live_every: int = 8) -> None:
        import cv2

        self._detector = cv2.QRCodeDetector()
        self._cv2 = cv2
        self.live_every = live_every
        self._frames = 0

    def decode(self, frame: Any) -> list[DecodedCode]:
        """The QR code OpenCV finds; content that is not UTF-8 (OpenCV raises on it) reads as nothing."""
        try:
            text, points, _straight = self._detector.detectAndDecode(to_gray(frame))
        except (self._cv2.error, UnicodeDecodeError, ValueError, TypeError):
            return []
        if not text:
            return []
        corners = tuple((int(x), int(y)) for x, y in points.reshape(-1, 2)) if points is not None else ()
        return [DecodedCode(text, "QRCode", text.encode("utf-8"), corners)]

    def decode_live(self, frame: Any) -> list[DecodedCode]:
        """In the camera loop only every ``live_every``-th frame (about 30 ms a 720p frame)."""
        self._frames += 1
        return self.decode(frame) if self._frames % self.live_every == 0 else []


class DecoderChain:
    """Tries each decoder in order and returns the first one's codes."""

    name = "chain"

    def __init__(self, decoders: Sequence[Any]) -> None:
        self.decoders = list(decoders)

    def decode(self, frame: Any) -> list[DecodedCode]:
        """Codes from the first decoder that finds any (a still image: every pass)."""
        for decoder in self.decoders:
            found = decoder.decode(frame)
            if found:
                return found
        return []

    def close(self) -> None:
        """Stop any decoder's helper threads (with the camera)."""
        for decoder in self.decoders:
            if hasattr(decoder, "close"):
                decoder.close()

    def decode_live(self, frame: Any) -> list[DecodedCode]:
        """The same for one frame of a running camera (decoders may spread costly passes over frames)."""
        for decoder in self.decoders:
            found = getattr(decoder, "decode_live", decoder.decode)(frame)
            if found:
                return found
        return []
