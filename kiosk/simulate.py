"""``kiosk simulate``: a venue's days replayed through the real stations, on a simulated clock.

Nothing here models what the station does: every check-in, screening, dose, card, pass, print job,
record sent and hub step is the real service on a real SQLite file per station and, with two or
more stations, a real PostgreSQL hub. What is simulated is the world around them: people arriving
(an hourly curve, a show-up rate, more than a day can serve), desks working at their pace, the
printer running out of paper, and the national server (PCare) down in given windows. Time is one
``FixedClock`` for the whole venue, moved from event to event, so a week runs in minutes.

The run ends with the checks a planner and an auditor ask for (``Checks``) and a report: a
day-by-day table, plots and the same as JSON (``kiosk/simulate_report.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import itertools
import random
import shutil
import tomllib
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.bootstrap import Station, build_station
from kiosk.clock import FixedClock
from kiosk.config import Settings
from kiosk.domain.screening import Outcome, ScreeningAnswers
from kiosk.errors import KioskError
from kiosk.i18n import _
from kiosk.ports import DeviceError, PrinterState, Slip
from kiosk.services.clinic import DoseEntry
from kiosk.states import OutcomeKind
from kiosk.sync.port import Ack, Certificate, SyncRecord, TransientFailure

SCENARIOS = Path(__file__).parent / "data" / "scenarios"
CHECKIN_SECONDS = 20.0  # scanning and reading the result at a station
PRINT_EVERY = dt.timedelta(minutes=1)
SEND_EVERY = dt.timedelta(minutes=10)
HUB_EVERY = dt.timedelta(minutes=5)


@dataclass
class Scenario:
    """What a venue plans and what the world does to it (a TOML file; see kiosk/data/scenarios/)."""

    name: str
    first_day: dt.date
    days: int
    stock: int
    stations: int = 2
    desks: int = 4
    desk_per_hour: float = 20.0
    checkin_seconds: float = CHECKIN_SECONDS
    opens: int = 8
    closes: int = 14
    time_zone: str = "Asia/Jakarta"
    arrivals: list[int] = field(default_factory=list)  # registered people who mean to come, per day
    show_up: float = 1.0
    walkins: list[int] = field(default_factory=list)  # walk-ins per day
    curve: list[float] = field(default_factory=list)  # relative arrivals per opening hour
    outcomes: dict[str, float] = field(default_factory=lambda: {"proceed": 1.0})
    paper_out: float = 0.0  # chance a slip finds the printer out of paper
    paper_fix_minutes: float = 10.0  # until someone loads a roll
    cover_open: float = 0.0
    outages: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)  # the national server down
    walkin_share: float = 0.1
    seed: int = 2021
    broken: str = ""  # "raised_cap": one station off the hub with a cap of its own (the checks must catch it)

    @property
    def last_day(self) -> dt.date:
        return self.first_day + dt.timedelta(days=self.days - 1)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def load_scenario(path: str | Path) -> Scenario:
    """A scenario file, or the name of a bundled one ("karawang-2021")."""
    given = Path(path)
    if not given.exists() and (SCENARIOS / f"{path}.toml").exists():
        given = SCENARIOS / f"{path}.toml"
    try:
        raw = tomllib.loads(given.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KioskError(_("no scenario {path} (bundled: {names})", path=path,
                           names=", ".join(p.stem for p in sorted(SCENARIOS.glob("*.toml"))))) from None
    except tomllib.TOMLDecodeError as exc:
        raise KioskError(_("{path}: not TOML: {exc}", path=given, exc=exc)) from None
    zone = ZoneInfo(raw.get("time_zone", "Asia/Jakarta"))
    outages = [(_at(o["from"], zone), _at(o["to"], zone)) for o in raw.pop("outages", [])]
    known = set(Scenario.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise KioskError(_("{path}: unknown key(s) {keys}", path=given, keys=", ".join(unknown)))
    try:
        scenario = Scenario(**raw, outages=outages)
    except TypeError as exc:
        raise KioskError(_("{path}: {exc}", path=given, exc=exc)) from None
    for key in ("arrivals", "walkins"):
        values = getattr(scenario, key)
        if values and len(values) != scenario.days:
            raise KioskError(_("{path}: {key} has {count} day(s), the scenario {days}", path=given, key=key,
                               count=len(values), days=scenario.days))
    if not scenario.curve:
        scenario.curve = [1.0] * (scenario.closes - scenario.opens)
    if len(scenario.curve) != scenario.closes - scenario.opens:
        raise KioskError(_("{path}: curve needs one weight per opening hour ({hours})", path=given,
                           hours=scenario.closes - scenario.opens))
    return scenario


def _at(value: Any, zone: ZoneInfo) -> dt.datetime:
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=zone)


class NationalServer:
    """The national server as the stations meet it: records kept once by id, certificates for what it has,
    and down (refusing connections) inside the scenario's outage windows."""

    name = "pcare-sim"

    def __init__(self, clock: FixedClock, outages: list[tuple[dt.datetime, dt.datetime]]) -> None:
        self.clock, self.outages = clock, outages
        self.records: dict[str, str] = {}  # record id -> topic
        self.deliveries = Counter[str]()  # record id -> times it was sent (a retry after a lost answer counts)
        self.refused_while_down = 0

    def down(self) -> bool:
        now = self.clock.now()
        return any(start <= now < end for start, end in self.outages)

    def send(self, record: SyncRecord) -> Ack:
        if self.down():
            self.refused_while_down += 1
            raise TransientFailure(_("PCare: connection refused (simulated outage)"))
        key = str(record.row_id)  # the outbox row's id: the record's identity on the server, every retry the same
        self.deliveries[key] += 1
        self.records.setdefault(key, record.topic)
        return Ack(server_ids=(f"pcare-{key[:8]}",))

    def certificate(self, record: SyncRecord) -> Certificate:
        from kiosk.states import CertificateStatus

        if self.down():
            return Certificate(CertificateStatus.UNREACHABLE)
        if str(record.row_id) in self.records:
            return Certificate(CertificateStatus.ISSUED, certificate_id=f"CERT-{str(record.row_id)[:8]}")
        return Certificate(CertificateStatus.NOT_YET)

    def close(self) -> None:
        pass


class SimPrinter:
    """A thermal printer that runs out of paper (and has its cover opened) at the scenario's rate, until a
    person fixes it ``fix`` later; slips are taken whole or not at all, as the real one."""

    def __init__(self, clock: FixedClock, rng: random.Random, paper_out: float, cover_open: float,
                 fix: dt.timedelta) -> None:
        self.clock, self.rng, self.paper_out, self.cover_open, self.fix = clock, rng, paper_out, cover_open, fix
        self.state, self.until = PrinterState.READY, dt.datetime.min.replace(tzinfo=dt.UTC)
        self.printed: list[str] = []
        self.faults = 0

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def status(self) -> PrinterState:
        if self.state is not PrinterState.READY and self.clock.now() >= self.until:
            self.state = PrinterState.READY  # a roll loaded, the cover shut
        return self.state

    def print_slip(self, slip: Slip) -> None:
        if self.status() is not PrinterState.READY:
            raise DeviceError(_("printer {state}", state=self.state.words))
        roll = self.rng.random()
        if roll < self.paper_out + self.cover_open:
            self.state = PrinterState.PAPER_OUT if roll < self.paper_out else PrinterState.COVER_OPEN
            self.until, self.faults = self.clock.now() + self.fix, self.faults + 1
            raise DeviceError(_("printer {state}", state=self.state.words))
        self.printed.append(slip.kind)


@dataclass
class Person:
    code: str
    nik: str
    name: str
    born: dt.date
    sex: str
    walkin: bool = False


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
class Run:
    """Everything a run measured; ``checks`` says what held."""

    scenario: Scenario
    days: list[DayRow] = field(default_factory=list)
    hourly: list[dict[str, Any]] = field(default_factory=list)  # day, hour, queue, wait p50/p90 (min), backlog
    backlog: list[tuple[str, int]] = field(default_factory=list)  # (local time, records waiting for PCare)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)  # every check-in's outcome kind, for the record
    busiest_wait_min: float = 0.0
    wall_seconds: float = 0.0
    printer_faults: int = 0

    @property
    def ok(self) -> bool:
        return all(ok for _name, ok, _detail in self.checks)

    def as_dict(self) -> dict[str, Any]:
        s = self.scenario
        return {"scenario": s.name, "stations": s.stations, "desks": s.desks, "days": [vars(d) for d in self.days],
                "hourly": self.hourly, "backlog": self.backlog, "ok": self.ok,
                "checks": [{"check": n, "ok": ok, "detail": d} for n, ok, d in self.checks],
                "outcomes": dict(self.outcomes), "busiest_hour_wait_minutes": self.busiest_wait_min, "printer_faults": self.printer_faults,
                "wall_seconds": round(self.wall_seconds, 1)}


class Venue:
    """The stations of one run, their hub, the national server, and the people."""

    def __init__(self, scenario: Scenario, folder: Path, hub_url: str | None) -> None:
        self.s, self.folder, self.hub_url = scenario, folder, hub_url
        self.rng = random.Random(scenario.seed)
        opening = dt.datetime.combine(scenario.first_day, dt.time(scenario.opens), scenario.zone)
        self.clock = FixedClock(scenario.zone, instant=opening.astimezone(dt.UTC))  # type: ignore[arg-type]
        self.server = NationalServer(self.clock, scenario.outages)
        self.stations: list[Station] = []
        self.printers: list[SimPrinter] = []
        self.drainers: list[Any] = []
        self.workers: list[Any] = []

    # ------------------------------------------------------------------ set-up
    def build(self, people: list[Person]) -> None:
        from kiosk.domain.quota import QuotaPlan
        from kiosk.hub import admin
        from kiosk.sync.drainer import Backoff, Drainer
        from kiosk.sync.records import Venue as Sender

        s = self.s
        csv_path = self.folder / "registrations.csv"
        _write_people(csv_path, [p for p in people if not p.walkin])
        if self.hub_url:
            admin.init(self.hub_url, QuotaPlan(stock=s.stock, first_day=s.first_day, last_day=s.last_day,
                                               walkin_share=s.walkin_share))
            admin.import_registrations(self.hub_url, csv_path)
        key: Path | None = None
        for n in range(s.stations):
            station_id = f"ST-{n + 1:02d}"
            broken = s.broken == "raised_cap" and n == s.stations - 1
            settings = self._settings(station_id, raised=broken, hub=bool(self.hub_url) and not broken)
            if key is None:
                key = settings.venue_key_path
            elif key.exists():  # one venue, one signing key: a pass from any station is honoured at every one
                settings.venue_key_path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(key, settings.venue_key_path)
            station = build_station(settings, clock=self.clock)
            if station.ctx.hub is None:
                station.registrations.import_csv(csv_path)
            self.stations.append(station)
            self.printers.append(SimPrinter(self.clock, random.Random(s.seed + n), s.paper_out, s.cover_open,
                                            dt.timedelta(minutes=s.paper_fix_minutes)))
            self.drainers.append(Drainer(station.ctx.db, self.server, Sender("KRW", "Simulated venue", station_id),
                                         batch_size=100, backoff=Backoff(60.0, 600.0), now=self.clock.now,
                                         rng=self.rng.random))
            if station.ctx.hub is not None:
                from kiosk.hub.worker import HubWorker

                self.workers.append(HubWorker(station))
        self.hub_step()

    def _settings(self, station_id: str, raised: bool, hub: bool) -> Settings:
        from kiosk.hub import admin

        s = self.s
        values: dict[str, Any] = {
            "data_dir": self.folder / station_id, "language": "en",
            "venue": {"name": "Simulated venue", "code": "KRW", "time_zone": s.time_zone, "allow_walkins": True},
            "station": {"id": station_id, "name": station_id, "trial": True},
            "quota": {"stock": s.stock * (2 if raised else 1), "first_day": s.first_day, "last_day": s.last_day,
                      "walkin_share": s.walkin_share},
            "devices": {"camera": "none"}, "sound": {"output": "off"}, "log": {"to": "file", "level": "info"},
        }
        if hub and self.hub_url:
            password = f"sim-{uuid.uuid4().hex[:16]}"
            role = admin.add_station(self.hub_url, station_id, password)
            owner = self.hub_url.split("://", 1)[1].split("@", 1)[1]
            values["hub"] = {"url": f"postgresql+psycopg://{role}:{password}@{owner}", "poll_seconds": 5}
        from kiosk.pins import hash_pin

        values["pins"] = {"staff": hash_pin("482916", iterations=1000), "technician": hash_pin("739105", iterations=1000)}
        return Settings(**values)

    # ------------------------------------------------------------------ duties
    def hub_step(self) -> None:
        for worker in self.workers:
            worker.step()

    def send(self) -> int:
        for drainer in self.drainers:
            drainer.drain()
        return sum(st.sync.status().backlog for st in self.stations)

    def print_waiting(self) -> None:
        for station, printer in zip(self.stations, self.printers):
            if station.printing.pending() and printer.status() is PrinterState.READY:
                station.printing.run_pending(printer)

    def close(self) -> None:
        for drainer in self.drainers:
            drainer.release()
        for worker in self.workers:
            worker.drainer.release()
            worker.server.close()
        for station in self.stations:
            station.close()


def simulate(scenario: Scenario, folder: Path, hub_url: str | None = None, trace: list[tuple[Any, ...]] | None = None) -> Run:
    """Run ``scenario`` through real stations in ``folder`` (empty); a hub at ``hub_url`` when stations > 1.

    ``trace`` (a list) receives every operation in the order it ran, for a replay without the simulator
    (tests/bench/bench_simulate.py measures the simulator's own overhead with it)."""
    import time

    from kiosk.audit import verify
    from kiosk.services.dayclose import close_day

    began = time.perf_counter()
    s = scenario
    quiet = _log_to(folder / "simulate.log")
    if s.stations > 1 and not hub_url:
        raise KioskError(_("{count} stations share a day's cap through the venue hub: give a hub", count=s.stations))
    venue = Venue(s, folder, hub_url)
    rng = venue.rng
    people = _people(s, rng)
    venue.build(people)
    run = Run(s)
    clock = venue.clock
    registered = iter([p for p in people if not p.walkin])
    walkins = iter([p for p in people if p.walkin])
    tomorrow: list[tuple[Person, str]] = []  # (person, pass payload or "") coming back the next day
    admitted_days: defaultdict[str, list[str]] = defaultdict(list)  # code -> days admitted (any station)
    passes: dict[str, str] = {}  # code -> the day their pass is for
    honoured: dict[str, str] = {}
    counter = itertools.count()
    try:
        for day_index in range(s.days):
            day = s.first_day + dt.timedelta(days=day_index)
            row = DayRow(day.isoformat())
            opening = dt.datetime.combine(day, dt.time(s.opens), s.zone).astimezone(dt.UTC)
            closing = dt.datetime.combine(day, dt.time(s.closes), s.zone).astimezone(dt.UTC)
            clock.instant = max(clock.instant, opening - dt.timedelta(minutes=30))
            venue.hub_step()
            events: list[Event] = []

            def push(at: dt.datetime, kind: str, data: Any = None, events: list[Event] = events) -> None:
                heapq.heappush(events, Event(at, next(counter), kind, data))

            returning, tomorrow = tomorrow, []
            for person, payload in returning:  # pass holders first thing, without queueing; others with the crowd
                at = opening + dt.timedelta(minutes=rng.uniform(0, 30)) if payload else _arrival(s, rng, opening)
                push(at, "arrive", (person, payload))
            coming = s.arrivals[day_index] if s.arrivals else 0
            for _n in range(coming):
                newcomer = next(registered, None)
                if newcomer is not None and rng.random() < s.show_up:
                    push(_arrival(s, rng, opening), "arrive", (newcomer, ""))
            for _n in range(s.walkins[day_index] if s.walkins else 0):
                walker = next(walkins, None)
                if walker is not None:
                    push(_arrival(s, rng, opening), "arrive", (walker, ""))
            for tick in _every(opening - dt.timedelta(minutes=30), closing + dt.timedelta(hours=6), PRINT_EVERY):
                push(tick, "print")
            for tick in _every(opening, closing + dt.timedelta(hours=6), SEND_EVERY):
                push(tick, "send")
            for tick in _every(opening, closing + dt.timedelta(hours=6), HUB_EVERY):
                push(tick, "hub")
            for hour in range(s.opens, s.closes + 1):
                push(dt.datetime.combine(day, dt.time(hour), s.zone).astimezone(dt.UTC), "hour", hour)

            station_free = [opening] * len(venue.stations)
            last_checkin = [opening] * len(venue.stations)
            desk_free = [opening] * s.desks
            queue: list[tuple[dt.datetime, int, Any]] = []  # (arrived, station index, visit id) waiting for a desk
            waits: defaultdict[int, list[float]] = defaultdict(list)
            served_last = opening
            while events:
                event = heapq.heappop(events)
                if event.kind in ("print", "send", "hub", "hour") and not _busy(events, queue) and event.at > closing:
                    continue  # the day's work is done: no more rounds of the duties
                clock.instant = max(clock.instant, event.at)
                if event.kind == "arrive":
                    person, payload = event.data
                    row.arrived += 1
                    n = min(range(len(venue.stations)), key=lambda i: station_free[i])
                    start = max(event.at, station_free[n])
                    station_free[n] = start + dt.timedelta(seconds=s.checkin_seconds)
                    push(start, "checkin", (person, payload, n, event.at))
                elif event.kind == "checkin":
                    person, payload, n, arrived = event.data
                    station = venue.stations[n]
                    last_checkin[n] = event.at
                    outcome = _check_in(station, person, payload)
                    if trace is not None:
                        trace.append(("checkin", day_index, n, person, bool(payload)))
                    run.outcomes[str(outcome.kind)] += 1
                    if payload and outcome.kind == OutcomeKind.ADMITTED:
                        honoured[person.code] = day.isoformat()
                        row.passes_honoured += 1
                    if outcome.kind == OutcomeKind.ADMITTED:
                        row.admitted += 1
                        admitted_days[person.code].append(day.isoformat())
                        queue.append((arrived, n, outcome.visit_id))
                        _start_desks(s, desk_free, queue, waits, push, clock.instant)
                    elif outcome.kind in (OutcomeKind.FULL, OutcomeKind.PASS_HELD, OutcomeKind.FULL_NO_PASS,
                                          OutcomeKind.PLAN_OVER):
                        row.turned_away += 1
                        pass_payload = _pass_payload(station, outcome.pass_id) if outcome.pass_id else ""
                        if outcome.kind == OutcomeKind.FULL and pass_payload:
                            row.passes_issued += 1
                            passes[person.code] = str(outcome.day)
                        if day < s.last_day:
                            tomorrow.append((person, pass_payload))
                elif event.kind == "desk":
                    desk, n, visit_id = event.data
                    kind = _screen(venue.stations[n], visit_id, s, rng)
                    if trace is not None:
                        trace.append(("desk", day_index, n, kind))
                    row.doses += kind == "proceed"
                    row.cards += kind == "proceed"
                    row.postponed += kind == "postpone"
                    row.referred += kind == "refer"
                    row.not_given += kind == "not_given"
                    row.released_late += kind != "proceed" and event.at > last_checkin[n]
                    served_last = max(served_last, event.at)
                    desk_free[desk] = event.at
                    _start_desks(s, desk_free, queue, waits, push, clock.instant)
                elif event.kind == "print":
                    venue.print_waiting()
                elif event.kind == "send":
                    backlog = venue.send()
                    run.backlog.append((f"{clock.local(clock.now()):%Y-%m-%d %H:%M}", backlog))
                elif event.kind == "hub":
                    venue.hub_step()
                elif event.kind == "hour":
                    hour = event.data
                    done = sorted(waits.pop(hour - 1, []))
                    if hour > s.opens:
                        run.hourly.append({"day": day.isoformat(), "hour": hour - 1, "queue": len(queue),
                                           "served": len(done),
                                           "wait_p50_min": round(_pct(done, 0.5), 1), "wait_p90_min": round(_pct(done, 0.9), 1)})
            row.last_served = f"{clock.local(served_last):%H:%M}"
            row.cap = _cap(venue, day)
            for station in venue.stations:
                clock.instant = max(clock.instant, dt.datetime.combine(day, dt.time(22), s.zone).astimezone(dt.UTC))
                close_day(station.ctx, day, "simulator", force=True)
            venue.hub_step()
            venue.print_waiting()
            row.backlog_at_close = venue.send()
            run.days.append(row)
        # after the week: the server is back for good, the senders empty their outboxes, cards are exchanged
        clock.instant = max(clock.instant, *(end for _start, end in s.outages)) if s.outages else clock.instant
        for _round in range(50):
            clock.advance(minutes=15)
            venue.hub_step()
            if venue.send() == 0:
                break
        run.printer_faults = sum(p.faults for p in venue.printers)
        run.checks = _checks(venue, run, admitted_days, passes, honoured, verify)
        waits_all = [h["wait_p50_min"] for h in run.hourly]
        run.busiest_wait_min = max(waits_all, default=0.0)
    finally:
        venue.close()
        quiet()
    run.wall_seconds = time.perf_counter() - began
    return run


def _log_to(path: Path) -> Any:
    """The stations' log (retries while PCare is down, printer faults) goes to a file of the run, not the terminal."""
    import logging

    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("kiosk")
    before = (logger.propagate, logger.level)
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)

    def restore() -> None:
        logger.removeHandler(handler)
        handler.close()
        logger.propagate, _level = before
        logger.setLevel(before[1])
    return restore


def _busy(events: list[Event], queue: list[Any]) -> bool:
    return bool(queue) or any(e.kind in ("arrive", "checkin", "desk") for e in events)


def _every(start: dt.datetime, end: dt.datetime, step: dt.timedelta) -> list[dt.datetime]:
    out, at = [], start
    while at <= end:
        out.append(at)
        at += step
    return out


def _arrival(s: Scenario, rng: random.Random, opening: dt.datetime) -> dt.datetime:
    hour = rng.choices(range(len(s.curve)), weights=s.curve)[0]
    return opening + dt.timedelta(hours=hour, seconds=rng.uniform(0, 3600))


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def _start_desks(s: Scenario, desk_free: list[dt.datetime], queue: list[tuple[dt.datetime, int, Any]],
                 waits: defaultdict[int, list[float]], push: Any, now: dt.datetime) -> None:
    """Free desks take the longest-waiting people; each is done ``3600 / desk_per_hour`` seconds later."""
    service = dt.timedelta(seconds=3600 / s.desk_per_hour)
    for desk in sorted(range(len(desk_free)), key=lambda d: desk_free[d]):
        if not queue:
            return
        if desk_free[desk] > now:
            continue
        arrived, n, visit_id = queue.pop(0)
        local = now.astimezone(s.zone)
        waits[local.hour].append((now - arrived).total_seconds() / 60)
        desk_free[desk] = now + service  # busy until done
        push(now + service, "desk", (desk, n, visit_id))


def _check_in(station: Station, person: Person, payload: str) -> Any:
    if payload:
        return station.checkin.check_in(payload)
    if person.walkin:
        from kiosk.services.registrations import PersonDetails

        registration = station.registrations.register_walkin(
            PersonDetails(person.nik, person.name, person.born, person.sex), "simulator")
        return station.checkin.check_in_registration(registration.id)
    return station.checkin.check_in(person.code)


def _pass_payload(station: Station, pass_id: Any) -> str:
    from kiosk.storage.tables import PriorityPass

    with station.ctx.db.read() as session:
        found = session.get(PriorityPass, pass_id)
        return found.payload if found is not None else ""


def _screen(station: Station, visit_id: Any, s: Scenario, rng: random.Random, kind: str = "") -> str:
    """The screening desk's outcome as the scenario's shares say (or ``kind``), recorded through the real rules; a
    dose and a temporary card for those who proceed."""
    kind = kind or rng.choices(list(s.outcomes), weights=list(s.outcomes.values()))[0]
    clinic = station.clinic
    if kind == "postpone":
        clinic.record_screening(visit_id, ScreeningAnswers(38.3, 120, 80), "Nurse Sim")  # fever: the rules postpone
    elif kind == "refer":
        clinic.record_screening(visit_id, ScreeningAnswers(36.6, 120, 80, {"severe_allergy_before": True}), "Nurse Sim")
    elif kind == "not_given":
        clinic.record_screening(visit_id, ScreeningAnswers(36.6, 120, 80), "Nurse Sim", Outcome.NOT_GIVEN,
                                "simulated: the doctor decided not to give it")
    else:
        clinic.record_screening(visit_id, ScreeningAnswers(36.6, 120, 80), "Nurse Sim")
        clinic.record_dose(visit_id, DoseEntry("SINOVAC", "SNV-2107", dt.date(2021, 12, 31), "left deltoid", "dr. Sim"))
        clinic.issue_card(visit_id)
    return kind


def _cap(venue: Venue, day: dt.date) -> int:
    """The venue's cap for ``day``: the hub's when there is one, else the station's own plan."""
    if venue.hub_url:
        from sqlalchemy import create_engine, text

        engine = create_engine(venue.hub_url)
        try:
            with engine.connect() as conn:
                found = conn.execute(text("SELECT cap FROM hub_day WHERE service_day = :d"), {"d": day}).scalar()
        finally:
            engine.dispose()
        return int(found or 0)
    from kiosk.storage.tables import DayQuota

    with venue.stations[0].ctx.db.read() as session:
        row = session.get(DayQuota, day)
        return row.cap if row is not None else 0


def _checks(venue: Venue, run: Run, admitted_days: dict[str, list[str]], passes: dict[str, str],
            honoured: dict[str, str], verify: Any) -> list[tuple[str, bool, str]]:
    from sqlmodel import select

    from kiosk.storage.tables import Card, OutboxRow, Vaccination

    s = venue.s
    checks: list[tuple[str, bool, str]] = []
    over = [(d.day, d.doses, d.admitted - d.postponed - d.referred - d.not_given, d.cap) for d in run.days
            if d.doses > d.cap or d.admitted - d.postponed - d.referred - d.not_given > d.cap]
    checks.append(("cap", not over, _("doses (and slots held) per day never above the day's cap") if not over else
                   "; ".join(_("{day}: {doses} doses, {used} slots held, cap {cap}", day=d, doses=n, used=u, cap=c)
                             for d, n, u, c in over)))
    doses = sum(d.doses for d in run.days)
    left = s.stock - doses
    late = run.days[-1].released_late if run.days else 0
    checks.append(("stock", 0 <= left <= late, _("{doses} of {stock} doses given by {last}; {left} left (at most the "
                                                "{late} slot(s) the screening freed at a station after its last check-in "
                                                "of the last day)", doses=doses, stock=s.stock, last=s.last_day,
                                                left=left, late=late)))
    twice = [code for code, days in admitted_days.items() if len(days) > 1]
    checks.append(("once", not twice, _("nobody admitted twice across stations") if not twice else
                   _("admitted twice: {codes}", codes=", ".join(twice[:5]))))
    missed = [code for code, day in passes.items() if honoured.get(code) != day]
    checks.append(("passes", not missed, _("{count} priority pass(es) honoured on their day without queueing",
                                          count=len(passes)) if not missed else
                   _("pass holders not admitted on their day: {codes}", codes=", ".join(missed[:5]))))
    ids: set[str] = set()
    unsent = 0
    cards, issued = 0, 0
    broken_chain = []
    for station in venue.stations:
        with station.ctx.db.read() as session:
            rows = session.exec(select(OutboxRow).where(OutboxRow.destination == "central")).all()
            ids |= {str(r.id) for r in rows}
            unsent += sum(r.state != "acknowledged" for r in rows)
            verdict = verify(session)
            if not verdict.ok:
                broken_chain.append(f"{station.ctx.station_id}: {verdict.reason}")
            for card in session.exec(select(Card)).all():
                cards += 1
                dose = session.exec(select(Vaccination).where(Vaccination.visit_id == card.visit_id)).first()
                row = dose and session.exec(select(OutboxRow).where(OutboxRow.aggregate_id == dose.id,
                                                                   OutboxRow.destination == "central")).first()
                issued += bool(row and str(row.id) in venue.server.records)
    extra = set(venue.server.records) - ids
    resent = sum(n > 1 for n in venue.server.deliveries.values())
    exact = not unsent and not extra and set(venue.server.records) == ids
    checks.append(("central", exact, _("{count} records at the national server, each once (unsent {unsent}, "
                                       "unknown {extra}; {resent} sent again after a lost answer, kept once)",
                                       count=len(venue.server.records), unsent=unsent, extra=len(extra), resent=resent)))
    checks.append(("exchange", issued == cards, _("{issued} of {cards} temporary cards exchangeable for the national "
                                                  "certificate", issued=issued, cards=cards)))
    checks.append(("audit", not broken_chain, _("every station's audit chain intact") if not broken_chain else
                   "; ".join(broken_chain)))
    return checks


def _people(s: Scenario, rng: random.Random) -> list[Person]:
    """Enough registered people and walk-ins for the whole run, with valid NIKs (Karawang's region, 32.15.01)."""
    total = sum(s.arrivals) + sum(s.walkins) + 10
    people = []
    for i in range(total):
        born = dt.date(1950 + rng.randrange(50), 1 + rng.randrange(12), 1 + rng.randrange(28))
        female = rng.random() < 0.5
        day = born.day + (40 if female else 0)
        nik = f"321501{day:02d}{born.month:02d}{born.year % 100:02d}{i % 10000:04d}"
        people.append(Person(f"SIM-{i:06d}", nik, f"Person {i}", born, "F" if female else "M"))
    registered = sum(s.arrivals) + 10
    for person in people[registered:]:
        person.walkin = True
    return people


def _write_people(path: Path, people: list[Person]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["nik", "name", "birth_date", "sex", "phone", "registration_code", "appointment_date", "session"])
        for p in people:
            writer.writerow([p.nik, p.name, p.born.isoformat(), p.sex, "", p.code, "", ""])
