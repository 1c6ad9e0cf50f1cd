"""One service day of a run: the event queue, the stations' and desks' time, and what each event does."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.simulate.scenario import Scenario
from kiosk.simulate.venue import Venue, check_in, pass_payload, screen
from kiosk.simulate.world import Person
from kiosk.states import OutcomeKind

PRINT_EVERY = dt.timedelta(minutes=1)
SEND_EVERY = dt.timedelta(minutes=10)
HUB_EVERY = dt.timedelta(minutes=5)
DUTIES = ("print", "send", "hub", "hour")
TURNED_AWAY = (OutcomeKind.FULL, OutcomeKind.PASS_HELD, OutcomeKind.FULL_NO_PASS, OutcomeKind.PLAN_OVER)


@dataclass(order=True)
class Event:
    at: dt.datetime
    order: int
    kind: str = field(compare=False)
    data: Any = field(compare=False, default=None)


@dataclass
class DayRow:
    """One line of the day-by-day table."""

    day: str
    cap: int = 0
    arrived: int = 0
    admitted: int = 0
    postponed: int = 0
    referred: int = 0
    not_given: int = 0
    turned_away: int = 0
    passes_issued: int = 0
    passes_honoured: int = 0
    doses: int = 0
    cards: int = 0
    backlog_at_close: int = 0
    last_served: str = ""
    released_late: int = 0  # slots freed by the screening at a station after its last check-in: nobody came to take them


@dataclass
class Tally:
    """What the whole run keeps across days, for the checks and for who comes back."""

    admitted_days: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # code -> days
    passes: dict[str, str] = field(default_factory=dict)  # code -> the day their pass is for
    honoured: dict[str, str] = field(default_factory=dict)  # code -> the day they were admitted with it
    tomorrow: list[tuple[Person, str]] = field(default_factory=list)  # (person, pass payload or "") coming back
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    hourly: list[dict[str, Any]] = field(default_factory=list)
    backlog: list[tuple[str, int]] = field(default_factory=list)


class Day:
    """Runs one day: arrivals, check-ins at the least busy station, the desks' queue, and the duties."""

    def __init__(self, venue: Venue, tally: Tally, index: int, arriving: list[Person],
                 trace: list[tuple[Any, ...]] | None = None) -> None:
        s = venue.s
        self.venue, self.s, self.tally, self.index, self.trace = venue, s, tally, index, trace
        self.day = s.first_day + dt.timedelta(days=index)
        self.row = DayRow(self.day.isoformat())
        self.opening = dt.datetime.combine(self.day, dt.time(s.opens), s.zone).astimezone(dt.UTC)
        self.closing = dt.datetime.combine(self.day, dt.time(s.closes), s.zone).astimezone(dt.UTC)
        self.events: list[Event] = []
        self.counter = itertools.count()
        stations = len(venue.stations)
        self.station_free, self.last_checkin = [self.opening] * stations, [self.opening] * stations
        self.desk_free = [self.opening] * s.desks
        self.queue: list[tuple[dt.datetime, int, Any]] = []  # (arrived, station, visit id) waiting for a desk
        self.waits: defaultdict[int, list[float]] = defaultdict(list)
        self.served_last = self.opening
        self._schedule(arriving)

    def push(self, at: dt.datetime, kind: str, data: Any = None) -> None:
        heapq.heappush(self.events, Event(at, next(self.counter), kind, data))

    def _schedule(self, arriving: list[Person]) -> None:
        rng, s = self.venue.rng, self.s
        returning, self.tally.tomorrow = self.tally.tomorrow, []
        for person, payload in returning:  # pass holders first thing, without queueing; others with the crowd
            at = self.opening + dt.timedelta(minutes=rng.uniform(0, 30)) if payload else self._arrival()
            self.push(at, "arrive", (person, payload))
        for person in arriving:
            self.push(self._arrival(), "arrive", (person, ""))
        tail = self.closing + dt.timedelta(hours=6)
        for kind, start, step in (("print", self.opening - dt.timedelta(minutes=30), PRINT_EVERY),
                                  ("send", self.opening, SEND_EVERY), ("hub", self.opening, HUB_EVERY)):
            at = start
            while at <= tail:
                self.push(at, kind)
                at += step
        for hour in range(s.opens, s.closes + 1):
            self.push(dt.datetime.combine(self.day, dt.time(hour), s.zone).astimezone(dt.UTC), "hour", hour)

    def _arrival(self) -> dt.datetime:
        s, rng = self.s, self.venue.rng
        hour = rng.choices(range(len(s.curve)), weights=s.curve)[0]
        return self.opening + dt.timedelta(hours=hour, seconds=rng.uniform(0, 3600))

    def run(self) -> DayRow:
        """Every event in time order; the duties stop once the day's people are all served."""
        clock = self.venue.clock
        clock.instant = max(clock.instant, self.opening - dt.timedelta(minutes=30))
        self.venue.hub_step()
        handlers: dict[str, Callable[[Event], None]] = {
            "arrive": self.arrive, "checkin": self.check_in, "desk": self.desk, "hour": self.hour,
            "print": self.print_round, "send": self.send, "hub": self.hub_round}
        while self.events:
            event = heapq.heappop(self.events)
            if event.kind in DUTIES and event.at > self.closing and not self._busy():
                continue
            clock.instant = max(clock.instant, event.at)
            handlers[event.kind](event)
        self.row.last_served = f"{clock.local(self.served_last):%H:%M}"
        return self.row

    def _busy(self) -> bool:
        return bool(self.queue) or any(e.kind in ("arrive", "checkin", "desk") for e in self.events)

    def arrive(self, event: Event) -> None:
        self.row.arrived += 1
        n = min(range(len(self.station_free)), key=lambda i: self.station_free[i])
        start = max(event.at, self.station_free[n])
        self.station_free[n] = start + dt.timedelta(seconds=self.s.checkin_seconds)
        self.push(start, "checkin", (*event.data, n, event.at))

    def check_in(self, event: Event) -> None:
        person, payload, n, arrived = event.data
        station, row, tally = self.venue.stations[n], self.row, self.tally
        self.last_checkin[n] = event.at
        outcome = check_in(station, person, payload)
        if self.trace is not None:
            self.trace.append(("checkin", self.index, n, person, bool(payload)))
        tally.outcomes[str(outcome.kind)] += 1
        if outcome.kind == OutcomeKind.ADMITTED:
            if payload:
                tally.honoured[person.code] = self.day.isoformat()
                row.passes_honoured += 1
            row.admitted += 1
            tally.admitted_days[person.code].append(self.day.isoformat())
            self.queue.append((arrived, n, outcome.visit_id))
            self.start_desks()
        elif outcome.kind in TURNED_AWAY:
            row.turned_away += 1
            held = pass_payload(station, outcome.pass_id) if outcome.pass_id else ""
            if outcome.kind == OutcomeKind.FULL and held:
                row.passes_issued += 1
                tally.passes[person.code] = str(outcome.day)
            if self.day < self.s.last_day:
                tally.tomorrow.append((person, held))

    def desk(self, event: Event) -> None:
        desk, n, visit_id = event.data
        kind = screen(self.venue.stations[n], visit_id, self.s, self.venue.rng)
        if self.trace is not None:
            self.trace.append(("desk", self.index, n, kind))
        row = self.row
        row.doses += kind == "proceed"
        row.cards += kind == "proceed"
        row.postponed += kind == "postpone"
        row.referred += kind == "refer"
        row.not_given += kind == "not_given"
        row.released_late += kind != "proceed" and event.at > self.last_checkin[n]
        self.served_last = max(self.served_last, event.at)
        self.desk_free[desk] = event.at
        self.start_desks()

    def start_desks(self) -> None:
        """Free desks take the longest-waiting people; each is done ``3600 / desk_per_hour`` seconds later."""
        now = self.venue.clock.instant
        service = dt.timedelta(seconds=3600 / self.s.desk_per_hour)
        for desk in sorted(range(len(self.desk_free)), key=lambda d: self.desk_free[d]):
            if not self.queue:
                return
            if self.desk_free[desk] > now:
                continue
            arrived, n, visit_id = self.queue.pop(0)
            self.waits[now.astimezone(self.s.zone).hour].append((now - arrived).total_seconds() / 60)
            self.desk_free[desk] = now + service
            self.push(now + service, "desk", (desk, n, visit_id))

    def print_round(self, _event: Event) -> None:
        self.venue.print_waiting()

    def hub_round(self, _event: Event) -> None:
        self.venue.hub_step()

    def send(self, _event: Event) -> None:
        clock = self.venue.clock
        self.tally.backlog.append((f"{clock.local(clock.now()):%Y-%m-%d %H:%M}", self.venue.send()))

    def hour(self, event: Event) -> None:
        hour = event.data
        done = sorted(self.waits.pop(hour - 1, []))
        if hour > self.s.opens:
            self.tally.hourly.append({"day": self.day.isoformat(), "hour": hour - 1, "queue": len(self.queue),
                                      "served": len(done), "wait_p50_min": round(_pct(done, 0.5), 1),
                                      "wait_p90_min": round(_pct(done, 0.9), 1)})


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def arrivals(s: Scenario, index: int, registered: Any, walkins: Any, rng: Any) -> list[Person]:
    """Who comes for the first time on day ``index``: registered people (each shows up at the show-up rate), walk-ins."""
    coming = []
    for _n in range(s.arrivals[index] if s.arrivals else 0):
        person = next(registered, None)
        if person is not None and rng.random() < s.show_up:
            coming.append(person)
    for _n in range(s.walkins[index] if s.walkins else 0):
        person = next(walkins, None)
        if person is not None:
            coming.append(person)
    return coming
