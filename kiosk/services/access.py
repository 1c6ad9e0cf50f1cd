"""Who may leave attendee mode: PIN checks with a lockout that doubles, every failure audited.

Five wrong PINs in a row lock the PIN pad for ``base_seconds``; each further lockout doubles the
wait. A right PIN ends the run of failures. A 4-digit PIN then takes days to guess, not minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kiosk.pins import check_pin
from kiosk.services.context import StationContext
from kiosk.services.outbox import audit

TRIES_BEFORE_LOCK = 5
BASE_LOCK_SECONDS = 30.0


@dataclass(frozen=True)
class PinVerdict:
    """``ok`` (and who: a named person, or the role for a shared PIN); or not, with the seconds until the pad
    takes a PIN again (0 when it does now)."""

    ok: bool
    wait_seconds: float = 0.0
    tries_left: int = TRIES_BEFORE_LOCK
    who: str = ""


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

    def check(self, mode: str, pin: str, stored_hash: str, people: Sequence[tuple[str, str]] = ()) -> PinVerdict:
        """Check ``pin`` for ``mode`` against each named person's (name, hash) of that role, then the shared PIN;
        refused without looking while locked; every unlock and failure is audited, naming the person."""
        wait = self.wait_seconds()
        if wait > 0:
            return PinVerdict(False, wait, 0)
        who = next((name for name, hashed in people if check_pin(pin, hashed)), None)
        if who is None and check_pin(pin, stored_hash):
            who = mode
        if who is not None:
            self._failures = 0
            self._audit(f"pin.unlock.{mode}", "", who)
            return PinVerdict(True, who=who)
        self._failures += 1
        self._audit(f"pin.failed.{mode}", f"wrong PIN, try {self._failures}")
        if self._failures < TRIES_BEFORE_LOCK:
            return PinVerdict(False, 0.0, TRIES_BEFORE_LOCK - self._failures)
        self._failures = 0
        self._locked_until = self._now() + self.base_seconds * 2 ** self._lockouts
        self._lockouts += 1
        return PinVerdict(False, self.wait_seconds(), 0)

    def locked(self, mode: str, who: str, why: str) -> None:
        """Staff or technician mode ended (a tap on Lock, or left alone): audited, naming who had it open."""
        self._audit(f"pin.lock.{mode}", why, who)

    def _audit(self, action: str, detail: str, who: str = "") -> None:
        with self.ctx.db.write() as session:
            audit(session, who or f"station {self.ctx.station_id}", action, None, detail, self.ctx.clock.now(),
                  self.ctx.station_id)
