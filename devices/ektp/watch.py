"""The e-KTP on the camera loop: read attempts on a side thread, a NIK passed on once two reads agree.

The camera loop offers every frame in which it found no code. An attempt takes about 200 ms, so it
runs on its own low-priority thread, one frame at a time, at most every ``ATTEMPT_EVERY_S``; the
loop and the preview go on meanwhile. A still view with no card in it is looked at once, not again
until it changes (an idle station stays cool); while a card is in view it is read again and again.

A NIK goes on (to be checked in, exactly as if typed) only when two attempts on two different frames
read the same valid NIK that agrees with the card's printed birth date and sex: a misread that still
makes a valid NIK is unlikely to repeat itself on the next frame. While a card is in view but not
read, the attendee is asked to hold it still and closer; after ``TYPE_AFTER_S``, or at once when the
card's NIK twice disagrees with its own printed birth date or sex (holding it closer will not help),
to type their NIK.

Privacy: the frame handed over is a copy that lives only until its attempt ends; only the NIK leaves.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import cv2
import numpy as np

from devices.decode.gray import to_gray
from devices.decode.pipeline import yield_cpu
from devices.decode.view import ViewChange
from devices.ektp.reader import CardRead, EktpReader
from devices.ektp.text import DISAGREES
from kiosk.ports import DeviceError

ATTEMPT_EVERY_S = 0.3   # at most one attempt started this often
CONFIRM = 2             # agreeing reads of different frames before a NIK goes on
CONFIRM_WITHIN_S = 4.0  # ...within this long
SEEN_HOLD_S = 1.5       # a card counts as in view this long after an attempt last saw one
TYPE_AFTER_S = 6.0      # a card in view this long without a read: ask the attendee to type

log = logging.getLogger("kiosk.ektp")

HOLD_CLOSER = "closer"
TYPE_NIK = "type"


class CardWatcher:
    """Turns camera frames into NIKs read off an e-KTP; ``hint()`` says what to tell the attendee."""

    def __init__(self, reader: EktpReader, monotonic: Callable[[], float] = time.monotonic,
                 side_thread: bool = True) -> None:
        self.reader = reader
        self.side_thread = side_thread
        self._now = monotonic
        self._side: ThreadPoolExecutor | None = None
        self._pending: Future[CardRead] | None = None
        self._last_attempt = float("-inf")
        self._view = ViewChange()
        self._reads: list[tuple[str, float]] = []
        self._seen_since: float | None = None
        self._seen_last = float("-inf")
        self._disagreed = 0  # attempts on the card in view whose NIK disagreed with what it prints
        if side_thread:  # the models load (about a second) before the first card, not while it is held up
            self._executor().submit(self._warm)

    def offer(self, frame: Any) -> str | None:
        """One camera frame without a code: a confirmed NIK, or None."""
        nik = self._collect()
        now = self._now()
        if self._pending is None and now - self._last_attempt >= ATTEMPT_EVERY_S and self._worth_a_look(frame, now):
            self._last_attempt = now
            if self.side_thread:
                self._pending = self._executor().submit(self.reader.read, np.array(frame, copy=True))
            else:
                nik = self._take(self.reader.read(frame)) or nik
        return nik

    def hint(self) -> str:
        """"" (nothing to say), ``HOLD_CLOSER`` or ``TYPE_NIK``."""
        now = self._now()
        if self._seen_since is None or now - self._seen_last > SEEN_HOLD_S:
            return ""
        late = now - self._seen_since >= TYPE_AFTER_S or self._disagreed >= CONFIRM
        return TYPE_NIK if late else HOLD_CLOSER

    def close(self) -> None:
        """Stop the side thread (with the camera)."""
        if self._side is not None:
            self._side.shutdown(wait=False, cancel_futures=True)
        self._side, self._pending = None, None

    def _warm(self) -> None:
        try:
            self.reader.engine()
        except DeviceError as exc:
            log.warning("e-KTP reader: %s", exc)

    def _collect(self) -> str | None:
        if self._pending is None or not self._pending.done():
            return None
        future, self._pending = self._pending, None
        try:
            return self._take(future.result())
        except Exception:  # noqa: BLE001 - an engine fault is a frame not read, never a stopped camera
            return None

    def _take(self, read: CardRead) -> str | None:
        now = self._now()
        if read.card_seen:
            if self._seen_since is None or now - self._seen_last > SEEN_HOLD_S:
                self._seen_since, self._disagreed = now, 0
            self._seen_last = now
            self._disagreed += read.verdict.reason == DISAGREES
        if read.nik is None:
            return None
        self._reads = [(n, t) for n, t in self._reads if now - t <= CONFIRM_WITHIN_S] + [(read.nik, now)]
        if sum(n == read.nik for n, _t in self._reads) < CONFIRM:
            return None
        self._reads, self._seen_since = [], None  # the next card starts afresh
        return read.nik

    def _worth_a_look(self, frame: Any, now: float) -> bool:
        """A card in view (keep reading), or a view that changed since the last look."""
        if now - self._seen_last <= SEEN_HOLD_S:
            return True
        try:
            return self._view.changed(to_gray(frame))
        except (ValueError, cv2.error):
            return False

    def _executor(self) -> ThreadPoolExecutor:
        if self._side is None:
            self._side = ThreadPoolExecutor(1, thread_name_prefix="ektp-read", initializer=yield_cpu)
        return self._side
