"""How many people a service day may serve: a stock of doses spread over a period.

"2,000 doses must last five days, not faster": the plan gives each day a hard cap. A day's
leftover can carry forward to the next day; some days can be fixed by hand; a share of each
day can be kept for walk-ins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from kiosk.i18n import _

MAX_PLAN_DAYS = 366  # a dose plan runs days or weeks; a year-long span is surely a typo (0001-01-01)


@dataclass(frozen=True)
class QuotaPlan:
    """Stock spread over ``first_day``..``last_day`` (inclusive)."""

    stock: int
    first_day: dt.date
    last_day: dt.date
    overrides: Mapping[dt.date, int] = field(default_factory=dict)
    carry_forward: bool = True
    walkin_share: float = 0.0

    def __post_init__(self) -> None:
        if self.stock < 0:
            raise ValueError(_("stock cannot be negative"))
        if self.last_day < self.first_day:
            raise ValueError(_("last_day is before first_day"))
        if not 0.0 <= self.walkin_share <= 1.0:
            raise ValueError(_("walkin_share must be between 0 and 1"))
        if (self.last_day - self.first_day).days + 1 > MAX_PLAN_DAYS:
            raise ValueError(_("the plan spans {days} days; a plan covers at most {most} (check first_day "
                               "and last_day)", days=(self.last_day - self.first_day).days + 1, most=MAX_PLAN_DAYS))
        negative = [d for d, cap in self.overrides.items() if cap < 0]
        if negative:
            raise ValueError(_("override for {negative} is {overrides}: a cap is 0 or more",
                               negative=negative[0], overrides=self.overrides[negative[0]]))
        outside = [d for d in self.overrides if not self.first_day <= d <= self.last_day]
        if outside:
            raise ValueError(_("override for {outside} is outside the plan's period", outside=outside[0]))
        if sum(self.overrides.values()) > self.stock:
            raise ValueError(_("per-day overrides add up to more than the stock"))

    @property
    def days(self) -> list[dt.date]:
        """Every service day of the plan, in order."""
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + dt.timedelta(days=i) for i in range(count)]

    def base_caps(self) -> dict[dt.date, int]:
        """Each day's planned cap before any carry-forward: overrides first, the rest even.

        The remainder of an uneven split goes to the earliest days, so the total is the stock.
        """
        free_days = [d for d in self.days if d not in self.overrides]
        remaining = self.stock - sum(self.overrides.values())
        share, extra = divmod(remaining, len(free_days)) if free_days else (0, 0)
        caps = {d: share + (1 if i < extra else 0) for i, d in enumerate(free_days)}
        caps.update(self.overrides)
        return dict(sorted(caps.items()))

    def cap_for(self, day: dt.date, used_before: Mapping[dt.date, int]) -> int:
        """The hard cap of ``day`` given how many were served on each earlier day.

        With carry-forward, what an earlier day left unused is added to the next day.
        Outside the plan's period the cap is 0: no doses are planned there.
        """
        base = self.base_caps()
        if day not in base:
            return 0
        carried = 0
        for earlier in self.days:
            if earlier >= day:
                break
            cap = base[earlier] + carried
            carried = max(cap - used_before.get(earlier, 0), 0) if self.carry_forward else 0
        return base[day] + carried

    def walkin_slots(self, cap: int) -> int:
        """How many of a day's ``cap`` slots are kept for walk-ins (registered people get the rest)."""
        return round(cap * self.walkin_share)

    def next_service_day(self, after: dt.date) -> dt.date | None:
        """The first plan day after ``after``, or None when the period is over."""
        return next((d for d in self.days if d > after), None)
