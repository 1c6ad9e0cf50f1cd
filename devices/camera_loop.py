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
from typing import Any

from kiosk.ports import Camera, DecodedCode, DeviceError

DEBOUNCE_S = 2.0  # the same code held in front of the camera counts once
REOPEN_S = 2.0    # how soon an unplugged or busy camera is tried again
log = logging.getLogger("kiosk.camera")


class CameraLoop:
    """Runs ``camera`` through ``decoder`` at ``fps`` frames a second until told to stop."""

    def __init__(self, camera: Camera, decoder: Any, fps: float, debounce_s: float = DEBOUNCE_S,
                 reopen_s: float = REOPEN_S, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.camera, self.decoder = camera, decoder
        self.period = 1.0 / fps
        self.debounce_s, self.reopen_s = debounce_s, reopen_s
        self._now = monotonic
        self._last_text, self._last_seen = "", float("-inf")

    def run(self, stop: threading.Event, on_code: Callable[[str], None], on_status: Callable[[str], None],
            on_frame: Callable[[Any, list[DecodedCode]], None] | None = None) -> None:
        """Until ``stop`` is set: codes to ``on_code``, camera state to ``on_status``, frames to ``on_frame``."""
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

    def _frames(self, stop: threading.Event, on_code: Callable[[str], None],
                on_frame: Callable[[Any, list[DecodedCode]], None] | None) -> None:
        next_at = self._now()
        while not stop.is_set():
            frame = self.camera.read()
            codes = self.decoder.decode_live(frame) if frame is not None else []
            if on_frame is not None and frame is not None:
                on_frame(frame, codes)
            for code in codes[:1]:
                if self.fresh(code.text):
                    on_code(code.text)
            next_at = max(next_at + self.period, self._now())
            stop.wait(max(next_at - self._now(), 0.0))

    def fresh(self, text: str) -> bool:
        """Whether a code is news: a different one, or the same after it was out of view a while."""
        now = self._now()
        news = text != self._last_text or now - self._last_seen > self.debounce_s
        self._last_text, self._last_seen = text, now
        return news
