"""One read attempt on one camera frame: find the e-KTP's NIK line and the rows beneath it, read them.

The engine is RapidOCR (PP-OCR detection and recognition models on ONNX Runtime, shipped inside
the ``rapidocr-onnxruntime`` wheel; nothing is downloaded). Used plainly, it detects and reads every
line of a 720p frame, about 650 ms on a 2-core mini-PC. Here, for one attempt under 300 ms:

1. Detect text on the frame scaled to ``DET_SIDE`` px (the card's lines stay tall enough to find).
2. The NIK line is one of the largest lines (the card prints it in large bold type across most of its
   width): read only the ``NIK_CANDIDATES`` largest by area, cut from the full-resolution frame,
   rotation and tilt undone.
3. The rows beneath it (name, place and date of birth, sex): read only the value column of the
   next few rows, located from the NIK line's own size and direction. When they do not give a
   birth date and sex, the band under the NIK line is detected again at the camera's resolution
   (the small rows blur together at 640 px) and its value boxes read too.
4. ``text.verdict`` takes the NIK only when it is valid and agrees with the printed birth date and sex.

Privacy: the frame and the crops live only in this call's local variables; nothing is written or logged.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from devices.ektp.text import NO_DATE, NO_TEXT, CardText, Verdict, nik_digits, verdict
from kiosk.i18n import _
from kiosk.ports import DeviceError

DET_SIDE = 640          # the frame's long side for detection (720p frames are halved)
NIK_CANDIDATES = 3      # the largest lines read in search of the NIK line
LONG = 5.0              # a line at least this many times as wide as it is tall
MIN_HEIGHT = 0.012      # of the frame's height: smaller text is too far to read
ROW_BAND = (0.5, 3.8)   # the rows read beneath the NIK line, in NIK-line heights
VALUE_COLUMN = 0.45     # a row's box reaching past this share of the NIK line's width holds a value, not a label
ROWS = 4                # name, place and date of birth, sex, address (one to spare)
ROWS_AGAIN = 8          # boxes read on the second look, where a row's words may be boxes of their own
log = logging.getLogger("kiosk.ektp")


@dataclass(frozen=True)
class CardRead:
    """One attempt: the verdict, whether something like an e-KTP was in view, and what it cost."""

    verdict: Verdict
    card_seen: bool  # a NIK-like line was in view (the attendee is told to hold still / closer)
    ms: float

    @property
    def nik(self) -> str | None:
        return self.verdict.nik


class EktpReader:
    """Reads e-KTP frames with RapidOCR; thread-safe (one read at a time), the models loaded on first use."""

    name = "rapidocr"

    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    def engine(self) -> Any:
        """The loaded engine; DeviceError with the fix when it cannot load."""
        if self._engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:
                raise DeviceError(_("the e-KTP reader cannot load ({exc}): run uv sync", exc=exc)) from None
            logging.getLogger("RapidOCR").setLevel(logging.WARNING)
            self._engine = RapidOCR(det_limit_side_len=960, det_limit_type="max")
        return self._engine

    def read(self, frame: Any) -> CardRead:
        """One attempt on ``frame`` (BGR or grey); never raises on an odd frame."""
        started = time.perf_counter()
        image = _bgr(frame)
        with self._lock:
            try:
                card, seen = self._card_text(image) if image is not None else (None, False)
            except (cv2.error, ValueError, IndexError) as exc:  # an engine fault is a frame not read
                log.warning("e-KTP reader: %s", type(exc).__name__)
                card, seen = None, False
        found = verdict(card) if card is not None else Verdict(None, NO_TEXT)
        return CardRead(found, seen, (time.perf_counter() - started) * 1000)

    def _card_text(self, image: np.ndarray) -> tuple[CardText | None, bool]:
        engine = self.engine()
        height, width = image.shape[:2]
        scale = DET_SIDE / max(height, width)
        small = cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
        boxes, _elapsed = engine.text_det(small)
        if boxes is None or len(boxes) == 0:
            return None, False
        lines = [Line(np.asarray(b, np.float32) / scale) for b in boxes]
        wide = sorted((ln for ln in lines if ln.width >= LONG * ln.height and ln.height >= MIN_HEIGHT * height),
                      key=lambda ln: -ln.width * ln.height)[:NIK_CANDIDATES]
        texts = self._recognise(image, wide[:1])  # the largest is the NIK line on most frames: read it alone first
        if not (texts and nik_digits(texts[0])):
            texts += self._recognise(image, wide[1:])
        nik_at = next((i for i, t in enumerate(texts) if nik_digits(t)), None)
        seen = any("NIK" in t.upper() or sum(c.isdigit() for c in t) >= 8 for t in texts)
        if nik_at is None:
            return CardText(texts, []), seen
        nik_line = wide[nik_at]
        card = CardText([texts[nik_at]], self._recognise(image, nik_line.rows_beneath(lines)))
        if verdict(card).reason == NO_DATE:  # the small rows blurred together at 640 px: look again at full size
            more = nik_line.rows_beneath(self._band_lines(image, nik_line), limit=ROWS_AGAIN)
            card = CardText(card.nik_lines, card.rows + self._recognise(image, more))
        return card, True

    def _band_lines(self, image: np.ndarray, nik_line: Line) -> list[Line]:
        """Text lines detected at the camera's own resolution in the band under the NIK line."""
        reach = nik_line.normal * nik_line.height * (ROW_BAND[1] + 0.7)
        corners = np.vstack([nik_line.corners[:2], nik_line.corners[:2] + reach])
        x0, y0 = np.floor(corners.min(axis=0)).astype(int).clip(0)
        x1, y1 = np.ceil(corners.max(axis=0)).astype(int)
        band = image[y0:max(y0, min(y1, image.shape[0])), x0:max(x0, min(x1, image.shape[1]))]
        if min(band.shape[:2]) < 16:
            return []
        boxes, _elapsed = self.engine().text_det(band)
        origin = np.array([x0, y0], np.float32)
        return [Line(np.asarray(b, np.float32) + origin) for b in boxes] if boxes is not None else []

    def _recognise(self, image: np.ndarray, lines: list[Line]) -> list[str]:
        if not lines:
            return []
        engine = self.engine()
        crops = engine.get_crop_img_list(image, [ln.corners for ln in lines])
        results, _elapsed = engine.text_rec(crops)
        return [str(text) for text, _score in results]


class Line:
    """A detected text line: its four corners (clockwise from top-left) in frame pixels."""

    def __init__(self, corners: np.ndarray) -> None:
        self.corners = corners
        along = corners[1] - corners[0]
        self.width = float(np.linalg.norm(along))
        self.height = float(np.linalg.norm(corners[3] - corners[0]))
        self.direction = along / max(self.width, 1e-6)
        self.normal = np.array([-self.direction[1], self.direction[0]], np.float32)
        self.centre = corners.mean(axis=0)

    def rows_beneath(self, lines: list[Line], limit: int = ROWS) -> list[Line]:
        """The value boxes of the next rows under this line, nearest first, at most ``limit``."""
        below = []
        for ln in lines:
            offset = float((ln.centre - self.centre) @ self.normal) / max(self.height, 1.0)
            reach = float(((ln.corners - self.corners[0]) @ self.direction).max()) / max(self.width, 1.0)
            if ROW_BAND[0] <= offset <= ROW_BAND[1] and reach >= VALUE_COLUMN:
                below.append((offset, ln))
        return [ln for _offset, ln in sorted(below, key=lambda pair: pair[0])[:limit]]


def _bgr(frame: Any) -> np.ndarray | None:
    """The frame as 8-bit BGR, or None for what is not an image."""
    if not isinstance(frame, np.ndarray) or frame.ndim not in (2, 3) or frame.size == 0 or min(frame.shape[:2]) < 32:
        return None
    image = frame if frame.dtype == np.uint8 else np.clip(frame, 0, 255).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image if image.shape[2] == 3 else None
