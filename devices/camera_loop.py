"""The camera loop: one camera's frames turned into codes, at the configured pace, reopened when it fails.

It reads a frame, decodes it, hands the frame (with the codes found) to whoever shows a preview,
and reports a code once while it is held in view (``debounce_s``). An unplugged camera is reported
and opened again every ``reopen_s``. It needs no UI: the scan screen runs it in its worker and
only shows what it yields; tests run it on a thread.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kiosk.ports import Camera, DecodedCode, DeviceError

if TYPE_CHECKING:
    from devices.ektp.watch import CardWatcher

DEBOUNCE_S = 2.0  # the same code held in front of the camera counts once
REOPEN_S = 2.0    # how soon an unplugged or busy camera is tried again
log = logging.getLogger("kiosk.camera")


MIN_FPS = 5.0  # below this a code held up is read late or not while it moves


class CameraStats:
    """What the camera's owner has seen lately, for the technician's line: resolution, frame rate, last code.

    The loop writes it from its worker and the technician screen reads it on the UI thread; the fields are
    replaced whole, so a reader sees an old or a new value, never half of one."""

    def __init__(self, window: int = 30) -> None:
        self.window = window
        self.times: tuple[float, ...] = ()
        self.size = (0, 0)
        self.last_format, self.last_at = "", float("-inf")

    def frame(self, frame: Any, codes: list[DecodedCode], now: float) -> None:
        """Count one frame (and what it held)."""
        self.times = (*self.times[-(self.window - 1):], now)
        shape = getattr(frame, "shape", None)
        if shape is not None and len(shape) >= 2:
            self.size = (int(shape[1]), int(shape[0]))
        if codes:
            self.last_format, self.last_at = codes[0].format, now

    @property
    def fps(self) -> float:
        """Frames a second over the window."""
        times = self.times
        return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0

    def describe(self, now: float) -> tuple[str, bool, str]:
        """(detail, ok, what to do) for the diagnostics line."""
        from kiosk.i18n import _, number

        if self.last_at > float("-inf"):
            seen = _("read a {format} {seconds} s ago", format=self.last_format, seconds=round(now - self.last_at))
        else:
            seen = _("no code seen: hold a QR to the camera to test it")
        detail = _("{width}x{height}, {fps} frames/s; {seen}", width=self.size[0], height=self.size[1],
                   fps=number(round(self.fps, 1)), seen=seen)
        if self.size == (0, 0):
            return detail, False, _("the camera gives no picture: check its cable, or choose another devices.camera_source")
        if self.fps < MIN_FPS:
            return detail, False, _("the camera is too slow to scan: use a lower resolution or a USB port of its own, and more light")
        return detail, True, ""


class CameraLoop:
    """Runs ``camera`` through ``decoder`` at ``fps`` frames a second until told to stop."""

    def __init__(self, camera: Camera, decoder: Any, fps: float, debounce_s: float = DEBOUNCE_S,
                 reopen_s: float = REOPEN_S, monotonic: Callable[[], float] = time.monotonic,
                 cards: CardWatcher | None = None) -> None:
        """``cards``: read an e-KTP's NIK off frames without a code (devices/ektp/watch.py)."""
        self.camera, self.decoder, self.cards = camera, decoder, cards
        self._hint = ""
        self._on_hint: Callable[[str], None] | None = None
        self.period = 1.0 / fps
        self.debounce_s, self.reopen_s = debounce_s, reopen_s
        self._now = monotonic
        self._last_text, self._last_seen = "", float("-inf")
        self.stats = CameraStats()

    def run(self, stop: threading.Event, on_code: Callable[[str], None], on_status: Callable[[str], None],
            on_frame: Callable[[Any, list[DecodedCode]], None] | None = None,
            on_hint: Callable[[str], None] | None = None) -> None:
        """Until ``stop`` is set: codes (and NIKs read off an e-KTP) to ``on_code``, camera state to ``on_status``,
        frames to ``on_frame``, what to tell someone holding up a card to ``on_hint`` when it changes."""
        self._on_hint = on_hint
        said = ""  # the camera's state as last logged: a change is logged, not every retry
        try:
            while not stop.is_set():
                try:
                    self.camera.open()
                    log.info("camera opened (pid %d)", os.getpid())
                    said = "ready"
                    on_status("ready")
                    self._frames(stop, on_code, on_frame)
                except DeviceError as exc:
                    if str(exc) != said:
                        log.warning("camera: %s", exc)
                        said = str(exc)
                    on_status(str(exc))
                    stop.wait(self.reopen_s)  # then try to reopen: the camera may be back
                finally:
                    self.camera.close()
        finally:
            close = getattr(self.decoder, "close", None)
            if close is not None:
                close()  # the decoder's side thread ends with the camera
            if self.cards is not None:
                self.cards.close()

    def _frames(self, stop: threading.Event, on_code: Callable[[str], None],
                on_frame: Callable[[Any, list[DecodedCode]], None] | None) -> None:
        next_at = self._now()
        while not stop.is_set():
            frame = self.camera.read()
            codes = self.decoder.decode_live(frame) if frame is not None else []
            if frame is not None:
                self.stats.frame(frame, codes, self._now())
            if on_frame is not None and frame is not None:
                on_frame(frame, codes)
            for code in codes[:1]:
                if self.fresh(code.text):
                    on_code(code.text)
            if self.cards is not None and frame is not None and not codes:
                self._card(frame, on_code)
            next_at = max(next_at + self.period, self._now())
            stop.wait(max(next_at - self._now(), 0.0))

    def _card(self, frame: Any, on_code: Callable[[str], None]) -> None:
        assert self.cards is not None
        nik = self.cards.offer(frame)
        if nik is not None and self.fresh(nik):
            on_code(nik)
        hint = self.cards.hint()
        if hint != self._hint:
            self._hint = hint
            if self._on_hint is not None:
                self._on_hint(hint)

    def fresh(self, text: str) -> bool:
        """Whether a code is news: a different one, or the same after it was out of view a while."""
        now = self._now()
        news = text != self._last_text or now - self._last_seen > self.debounce_s
        self._last_text, self._last_seen = text, now
        return news
