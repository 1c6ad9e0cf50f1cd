"""The Clock port: the one source of "now" and of the venue's "today"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """Tells the current instant in UTC and the venue's local date."""

    tz: ZoneInfo

    def now(self) -> dt.datetime: ...

    def today(self) -> dt.date: ...

    def local(self, instant: dt.datetime) -> dt.datetime: ...


@dataclass
class SystemClock:
    """The machine's clock, read in the venue's time zone."""

    tz: ZoneInfo

    def now(self) -> dt.datetime:
        """Return the current instant, timezone-aware, in UTC."""
        return dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        """Return the venue's calendar date now (service days are local days)."""
        return self.now().astimezone(self.tz).date()

    def local(self, instant: dt.datetime) -> dt.datetime:
        """Convert a stored UTC instant to the venue's wall-clock time."""
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=dt.UTC)
        return instant.astimezone(self.tz)


@dataclass
class FixedClock(SystemClock):
    """A clock that stands still until moved: tests and demos use it to change the day."""

    instant: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def now(self) -> dt.datetime:
        """Return the set instant."""
        return self.instant

    def advance(self, **delta: float) -> None:
        """Move the clock forward by a ``timedelta(**delta)``."""
        self.instant += dt.timedelta(**delta)
