"""The station's decode pipeline: cheap first, stronger passes only when a frame looks like it
holds a code. Built on zxing-cpp, read in Plain text mode (the default HRI mode turns an ID
barcode's control characters into symbols); only valid, checksum-correct reads are returned.

Passes, in order (what each buys is measured by ``kiosk diag decode`` and tests/bench):
  qr       QR codes only, on the luminance image: the common case, and the cheap one
  all      every format zxing-cpp reads (PDF417 and 1-D codes on ID cards, DataMatrix, ...)
  global   the same with a global-histogram binarizer (uneven light, low contrast)
  upscale  2x cubic upscale, for small modules (frames up to 960 px on the long side)
  roi      regions dense in corners (a code's texture, unlike clutter's long edges), each cut
           out and enlarged to ~600 px, as it is and sharpened at three strengths (blur, low contrast);
           then the region's bright quadrilateral (the slip or screen), or the outline of the
           code itself, rectified to a square (steep tilt). QR only, as its error correction
           rules out reading noise.
A frame with almost no strong edges (an empty camera view) stops after ``all``.

In the camera loop (``decode_live``) a frame gets only the cheap QR pass (under 3 ms at 720p).
When that pass saw a QR-like region it could not read, and when the view changed (an ID card's
PDF417 or 1-D code, a code too blurred to look QR-like; a still, empty view is not looked at
again), the frame goes to a side thread for the whole pipeline, one frame at a time: a hard frame can take a few hundred ms, and
the loop and the preview go on meanwhile; the result comes with a later frame. Without the side
thread (``side_thread=False``) the loop runs the whole pipeline itself on a QR-like frame, and
the passes up to ``upscale`` on its turn.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import zxingcpp

from devices.decode.gray import to_gray
from devices.decode.view import ViewChange
from kiosk.ports import DecodedCode

EDGE_THRESHOLD = 30        # Sobel magnitude that counts as a strong edge (0-255; a blurred, dim code passes)
ROI_TARGET = 600           # a region is enlarged so its long side is about this many pixels...
ROI_SCALES = (2.0, 4.0)    # ...by at least 2x and at most 4x
SHARPEN = ((0.8, 1.5), (1.2, 2.0), (1.6, 3.0))  # unsharp mask (sigma in source pixels, amount)
EDGE_SHARE = 0.02          # share of strong-edge pixels that makes a frame "code-like"
UPSCALE_MAX_SIDE = 960
SIDE_MAX_AGE_S = 2.0       # a side-thread result about an older frame than this is dropped


@dataclass(frozen=True)
class PipelineResult:
    """The codes found and the pass that found them ("" when none did)."""

    codes: list[DecodedCode]
    decoded_by: str


class ScanPipeline:
    """A ``Decoder`` that tries cheap passes first."""

    name = "zxingcpp"

    def __init__(self, full_every: int = 8, side_thread: bool = True, on_change: bool = True) -> None:
        """``on_change``: the side thread gets a frame when the view changed (an idle station stays cool);
        without it, every ``full_every``-th frame (the behaviour before, kept as the benchmark's peer)."""
        self._qr = zxingcpp.barcode_formats_from_str("QRCode|MicroQRCode")
        self._plain = zxingcpp.TextMode.Plain
        self.full_every = full_every
        self.side_thread, self.on_change = side_thread, on_change
        self._frames = 0
        self._side: ThreadPoolExecutor | None = None  # made on first use, shut down by close()
        self._pending: tuple[float, Future[PipelineResult]] | None = None
        self._view = ViewChange()
        self._unseen_change = False  # the view changed while the side thread was busy: send the next frame

    def close(self) -> None:
        """Stop the side thread (with the camera); the next camera frame starts a new one."""
        if self._side is not None:
            self._side.shutdown(wait=False, cancel_futures=True)
        self._side, self._pending = None, None
        self._view.forget()

    def decode(self, frame: Any) -> list[DecodedCode]:
        """Every valid code found by the first pass that finds any."""
        return self.run(frame).codes

    def run(self, frame: Any, deep: bool = True) -> PipelineResult:
        """Decode ``frame`` and say which pass succeeded; never raises on odd input.

        ``deep=False`` leaves out the region passes (the camera loop's routine look at a frame).
        """
        gray = _gray_or_none(frame)
        if gray is None:
            return PipelineResult([], "")
        for name, image, options, to_frame in self._passes(gray, deep):
            codes = self._read(image, options, to_frame)
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
        codes = [_code(r) for r in quick if r.valid] or self._side_result()
        if codes:
            return codes
        # a QR-like region the quick pass could not read, or a changed view (an ID card's PDF417 or
        # 1-D code, a code too blurred to look QR-like): the whole pipeline, on the side thread if free
        if quick or self._worth_a_deep_look(gray):
            if not self.side_thread:
                return self.run(gray, deep=bool(quick)).codes
            if self._pending is None:  # the camera loop and preview go on meanwhile
                self._pending = (time.monotonic(), self._executor().submit(self.run, gray.copy()))
                self._unseen_change = False
            elif self.on_change:
                self._unseen_change = True
        return []

    def _worth_a_deep_look(self, gray: np.ndarray) -> bool:
        """The view changed since the last look (or, without ``on_change``, this frame's turn by count)."""
        if not self.on_change:
            return self._frames % self.full_every == 0
        return self._view.changed(gray) or self._unseen_change

    def _executor(self) -> ThreadPoolExecutor:
        if self._side is None:
            self._side = ThreadPoolExecutor(1, thread_name_prefix="deep-decode", initializer=yield_cpu)
        return self._side

    def _side_result(self) -> list[DecodedCode]:
        """What the side thread found, once it is done (nothing when it came too late to matter)."""
        if self._pending is None or not self._pending[1].done():
            return []
        started, future = self._pending
        self._pending = None
        if time.monotonic() - started > SIDE_MAX_AGE_S:
            return []
        try:
            return future.result().codes
        except Exception:  # noqa: BLE001 - a decoder fault is a frame not read, never a stopped camera
            return []

    def _passes(self, gray: np.ndarray, deep: bool = True):  # type: ignore[no-untyped-def]
        same = _scaled(1.0)
        yield "qr", gray, {"formats": self._qr}, same
        yield "all", gray, {}, same
        if not looks_like_code(gray):
            return
        yield "global", gray, {"binarizer": zxingcpp.Binarizer.GlobalHistogram}, same
        if max(gray.shape) <= UPSCALE_MAX_SIDE:
            yield "upscale", cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC), {}, _scaled(2.0)
        if not deep:
            return
        for x0, y0, region in code_regions(gray):
            scale = float(np.clip(ROI_TARGET / max(region.shape), *ROI_SCALES))
            big = cv2.resize(region, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
            enlarged = [big] + [_unsharp(big, sigma * scale, amount) for sigma, amount in SHARPEN]
            for image in enlarged:
                yield "roi", image, {"formats": self._qr}, _scaled(scale, x0, y0)
            for quad in code_quadrilaterals(region):
                square, back = _rectify(region, quad)
                for image in (square, _unsharp(square, 2.0, 2.0), _unsharp(square, 4.0, 3.0)):
                    yield "roi", image, {"formats": self._qr}, _warped(back, x0, y0)

    def _read(self, image: np.ndarray, options: dict[str, Any], to_frame: Any) -> list[DecodedCode]:
        try:
            results = zxingcpp.read_barcodes(image, text_mode=self._plain, **options)
        except (ValueError, RuntimeError, TypeError):
            return []
        return [_code(r, to_frame) for r in results if r.valid]


def yield_cpu() -> None:
    """The side thread runs at a lower priority: the camera loop and the screen come first."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)  # Linux: a thread's own nice value
    except (AttributeError, OSError):  # not Linux, or not allowed: it runs at the normal priority
        pass


def _code(result: Any, to_frame: Any = None) -> DecodedCode:
    p = result.position
    points = [(c.x, c.y) for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
    corners = tuple((int(x), int(y)) for x, y in (to_frame(points) if to_frame is not None else points))
    return DecodedCode(result.text, str(result.format), bytes(result.bytes), corners)


def _scaled(scale: float, x0: int = 0, y0: int = 0) -> Any:
    """Map points of an image enlarged ``scale`` times from the frame region at (x0, y0) back to the frame."""
    return lambda points: [(x / scale + x0, y / scale + y0) for x, y in points]


def _warped(back: np.ndarray, x0: int, y0: int) -> Any:
    def to_frame(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        mapped = cv2.perspectiveTransform(np.float32(points).reshape(-1, 1, 2), back).reshape(-1, 2)
        return [(float(x) + x0, float(y) + y0) for x, y in mapped]
    return to_frame


def _unsharp(image: np.ndarray, sigma: float, amount: float) -> np.ndarray:
    return cv2.addWeighted(image, 1 + amount, cv2.GaussianBlur(image, (0, 0), sigma), -amount, 0)


def code_regions(gray: np.ndarray, limit: int = 3, pad: float = 0.2) -> list[tuple[int, int, np.ndarray]]:
    """Up to ``limit`` regions dense in Harris corners, largest count first, each with its offset.

    A code is a tight grid of corners; clutter (long lines, large shapes) has corners only at its
    ends, so the count separates them where edge density does not.
    """
    scale = 0.5 if max(gray.shape) > 800 else 1.0
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale != 1.0 else gray
    response = cv2.cornerHarris(np.float32(small), 2, 3, 0.04)
    top = float(response.max())
    if top <= 0:
        return []
    block = 8
    h, w = small.shape[0] // block, small.shape[1] // block
    counts = (response[:h * block, :w * block] > 0.01 * top).reshape(h, block, w, block).sum(axis=(1, 3))
    mask = cv2.morphologyEx((counts >= 3).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    found = []
    for i in range(1, n):
        total = int(counts[labels == i].sum())
        if total < 12:
            continue
        x, y, bw, bh = (int(v) for v in stats[i, :4])
        x0, y0 = x * block / scale, y * block / scale
        x1, y1 = (x + bw) * block / scale, (y + bh) * block / scale
        px, py = pad * (x1 - x0), pad * (y1 - y0)
        left, top_ = int(max(0, x0 - px)), int(max(0, y0 - py))
        right, bottom = int(min(gray.shape[1], x1 + px)), int(min(gray.shape[0], y1 + py))
        if min(right - left, bottom - top_) >= 16:
            found.append((total, left, top_, gray[top_:bottom, left:right]))
    found.sort(key=lambda f: -f[0])
    return [(left, top_, region) for _, left, top_, region in found[:limit]]


def code_quadrilaterals(region: np.ndarray) -> list[np.ndarray]:
    """Four-cornered outlines to rectify: bright convex shapes filling much of the region (the slip
    or screen a code is on), then the hull of its largest dark cluster (the code itself), widened
    by 15% so the quiet zone comes along."""
    quads = []
    _, binary = cv2.threshold(cv2.GaussianBlur(region, (5, 5), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    contours, _ = cv2.findContours(binary, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        if cv2.contourArea(contour) < 0.15 * region.size:
            break
        approx = cv2.approxPolyDP(contour, 0.03 * cv2.arcLength(contour, True), True)
        if len(approx) == 4 and cv2.isContourConvex(approx):
            quads.append(approx.reshape(4, 2).astype(np.float32))
    h, w = region.shape
    dark = cv2.adaptiveThreshold(region, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                 max(15, (min(h, w) // 8) | 1), 10)
    side = max(3, min(h, w) // 25)
    dark = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones((side, side), np.uint8))
    contours, _ = cv2.findContours(dark, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:2]:
        if cv2.contourArea(contour) < 0.05 * region.size:
            break
        hull = cv2.convexHull(contour)
        perimeter = cv2.arcLength(hull, True)
        for epsilon in (0.02, 0.04, 0.06, 0.1):
            approx = cv2.approxPolyDP(hull, epsilon * perimeter, True)
            if len(approx) == 4:
                corners = approx.reshape(4, 2).astype(np.float32)
                centre = corners.mean(axis=0)
                quads.append((centre + (corners - centre) * 1.15).astype(np.float32))
                break
    return quads


def _rectify(region: np.ndarray, quad: np.ndarray, side: int = 480, margin: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """The quadrilateral warped to a square (with a margin), and the matrix mapping back into the region."""
    sums, diffs = quad.sum(axis=1), np.diff(quad, axis=1).ravel()
    ordered = np.float32([quad[np.argmin(sums)], quad[np.argmin(diffs)], quad[np.argmax(sums)], quad[np.argmax(diffs)]])
    target = np.float32([[margin, margin], [side + margin, margin], [side + margin, side + margin], [margin, side + margin]])
    forward = cv2.getPerspectiveTransform(ordered, target)
    square = cv2.warpPerspective(region, forward, (side + 2 * margin,) * 2, flags=cv2.INTER_CUBIC,
                                 borderMode=cv2.BORDER_REPLICATE)
    return square, np.linalg.inv(forward)


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
