"""The station's decode pipeline: cheap first, stronger passes only when a frame looks like it
holds a code. Built on zxing-cpp, read in Plain text mode (the default HRI mode turns an ID
barcode's control characters into symbols); only valid, checksum-correct reads are returned.

Passes, in order (what each buys is measured by ``kiosk diag decode`` and tests/bench):
  qr       QR codes only, on the luminance image: the common case, and the cheap one
  all      every format zxing-cpp reads (PDF417 and 1-D codes on ID cards, DataMatrix, ...)
  global   the same with a global-histogram binarizer (uneven light, low contrast)
  upscale  2x cubic upscale, for small modules (frames up to 960 px on the long side)
A frame with almost no strong edges (an empty camera view) stops after ``all``.

In the camera loop (``decode_live``) a frame gets only the cheap QR pass (under 3 ms at 720p),
and the whole pipeline when that pass saw a QR-like region it could not read, or on every
``full_every``-th frame: an ID card's PDF417 or 1-D code is then read within a few frames,
while an empty view costs little.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import zxingcpp

from devices.decoders import to_gray
from kiosk.ports import DecodedCode

EDGE_THRESHOLD = 60        # Sobel magnitude that counts as a strong edge (0-255 image)
EDGE_SHARE = 0.02          # share of strong-edge pixels that makes a frame "code-like"
UPSCALE_MAX_SIDE = 960


@dataclass(frozen=True)
class PipelineResult:
    """The codes found and the pass that found them ("" when none did)."""

    codes: list[DecodedCode]
    decoded_by: str


class ScanPipeline:
    """A ``Decoder`` that tries cheap passes first."""

    name = "zxingcpp"

    def __init__(self, full_every: int = 4) -> None:
        self._qr = zxingcpp.barcode_formats_from_str("QRCode|MicroQRCode")
        self._plain = zxingcpp.TextMode.Plain
        self.full_every = full_every
        self._frames = 0
        self._width = 0  # of the frame being decoded: corners of upscaled passes are mapped back

    def decode(self, frame: Any) -> list[DecodedCode]:
        """Every valid code found by the first pass that finds any."""
        return self.run(frame).codes

    def run(self, frame: Any) -> PipelineResult:
        """Decode ``frame`` and say which pass succeeded; never raises on odd input."""
        gray = _gray_or_none(frame)
        if gray is None:
            return PipelineResult([], "")
        self._width = gray.shape[1]
        for name, image, options in self._passes(gray):
            codes = self._read(image, options)
            if codes:
                return PipelineResult(codes, name)
        return PipelineResult([], "")

    def decode_live(self, frame: Any) -> list[DecodedCode]:
        """One camera frame: the quick QR pass, and the full pipeline only when worth it."""
        gray = _gray_or_none(frame)
        if gray is None:
            return []
        self._frames += 1
        try:
            quick = zxingcpp.read_barcodes(gray, formats=self._qr, text_mode=self._plain, try_rotate=False,
                                           try_invert=False, return_errors=True)
        except (ValueError, RuntimeError, TypeError):
            quick = []
        codes = [_code(r) for r in quick if r.valid]
        if codes:
            return codes
        if quick or self._frames % self.full_every == 0:  # a QR-like region, or this frame's turn
            return self.run(gray).codes
        return []

    def _passes(self, gray: np.ndarray):  # type: ignore[no-untyped-def]
        yield "qr", gray, {"formats": self._qr}
        yield "all", gray, {}
        if not looks_like_code(gray):
            return
        yield "global", gray, {"binarizer": zxingcpp.Binarizer.GlobalHistogram}
        if max(gray.shape) <= UPSCALE_MAX_SIDE:
            yield "upscale", cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC), {}

    def _read(self, image: np.ndarray, options: dict[str, Any]) -> list[DecodedCode]:
        try:
            results = zxingcpp.read_barcodes(image, text_mode=self._plain, **options)
        except (ValueError, RuntimeError, TypeError):
            return []
        scale = image.shape[1] / self._width if self._width else 1.0
        return [_code(r, scale) for r in results if r.valid]


def _code(result: Any, scale: float = 1.0) -> DecodedCode:
    p = result.position
    corners = tuple((int(c.x / scale), int(c.y / scale)) for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left))
    return DecodedCode(result.text, str(result.format), bytes(result.bytes), corners)


def looks_like_code(gray: np.ndarray) -> bool:
    """Cheap test on a 160-px-wide copy: enough strong edges for a code to be there."""
    scale = 160 / max(gray.shape[1], 1)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    gx = cv2.Sobel(small, cv2.CV_16S, 1, 0)
    gy = cv2.Sobel(small, cv2.CV_16S, 0, 1)
    magnitude = cv2.convertScaleAbs(gx) // 2 + cv2.convertScaleAbs(gy) // 2
    return float(np.count_nonzero(magnitude > EDGE_THRESHOLD)) / magnitude.size >= EDGE_SHARE


def _gray_or_none(frame: Any) -> np.ndarray | None:
    try:
        gray = to_gray(frame)
    except (cv2.error, ValueError, TypeError):
        return None
    if gray.ndim != 2 or gray.size == 0 or min(gray.shape) < 2:
        return None
    return np.ascontiguousarray(gray, dtype=np.uint8)
