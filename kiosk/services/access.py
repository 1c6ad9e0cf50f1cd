"""Who may leave attendee mode: PIN checks with a lockout that doubles, every failure audited.

Five wrong PINs in a row lock the PIN pad for ``base_seconds``; each further lockout doubles the
wait. A right PIN ends the run of failures. A 4-digit PIN then takes days to guess, not minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.pins import check_pin
from kiosk.services.context import StationContext
from kiosk.services.outbox import audit

TRIES_BEFORE_LOCK = 5
BASE_LOCK_SECONDS = 30.0


@dataclass(frozen=True)
class PinVerdict:
    """``ok``; or not, with the seconds until the pad takes a PIN again (0 when it does now)."""

    ok: bool
    wait_seconds: float = 0.0
    tries_left: int = TRIES_BEFORE_LOCK


class PinGuard:
    """Checks PINs for staff and technician mode on one station."""

    def __init__(self, ctx: StationContext, base_seconds: float = BASE_LOCK_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.ctx = ctx
        self.base_seconds = base_seconds
        self._now = monotonic
        self._failures = 0
        self._lockouts = 0
        self._locked_until = 0.0

    def wait_seconds(self) -> float:
        """How long the pad stays locked (0: it takes a PIN now)."""
        return max(self._locked_until - self._now(), 0.0)

    def check(self, mode: str, pin: str, stored_hash: str) -> PinVerdict:
        """Check ``pin`` for ``mode``; refused without looking while locked; failures are audited."""
        wait = self.wait_seconds()
        if wait > 0:
            return PinVerdict(False, wait, 0)
        if check_pin(pin, stored_hash):
            self._failures = 0
            self._audit(f"pin.unlock.{mode}", "")
            return PinVerdict(True)
        self._failures += 1
        self._audit(f"pin.failed.{mode}", f"wrong PIN, try {self._failures}")
        if self._failures < TRIES_BEFORE_LOCK:
            return PinVerdict(False, 0.0, TRIES_BEFORE_LOCK - self._failures)
        self._failures = 0
        self._locked_until = self._now() + self.base_seconds * 2 ** self._lockouts
        self._lockouts += 1
        return PinVerdict(False, self.wait_seconds(), 0)

    def _audit(self, action: str, detail: str) -> None:
        with self.ctx.db.write() as session:
            audit(session, f"station {self.ctx.station_id}", action, None, detail, self.ctx.clock.now(), self.ctx.station_id)
