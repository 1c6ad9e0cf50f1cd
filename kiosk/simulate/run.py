"""The run: days one after another on the venue's clock, then the national server back, then the checks."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError
from kiosk.i18n import _
from kiosk.simulate.day import Day, DayRow, Tally, arrivals
from kiosk.simulate.scenario import Scenario
from kiosk.simulate.venue import Venue
from kiosk.simulate.world import people


@dataclass
class Run:
    """Everything a run measured; ``checks`` says what held."""

    scenario: Scenario
    days: list[DayRow] = field(default_factory=list)
    hourly: list[dict[str, Any]] = field(default_factory=list)  # day, hour, queue, wait p50/p90 (min)
    backlog: list[tuple[str, int]] = field(default_factory=list)  # (local time, records waiting for PCare)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)  # every check-in's outcome kind, for the record
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
                "outcomes": dict(self.outcomes), "busiest_hour_wait_minutes": self.busiest_wait_min,
                "printer_faults": self.printer_faults, "wall_seconds": round(self.wall_seconds, 1)}


def simulate(scenario: Scenario, folder: Path, hub_url: str | None = None, trace: list[tuple[Any, ...]] | None = None) -> Run:
    """Run ``scenario`` through real stations in ``folder`` (empty); a hub at ``hub_url`` when stations > 1.

    ``trace`` (a list) receives every operation in the order it ran, for a replay without the simulator
    (tests/bench/bench_simulate.py measures the simulator's own overhead with it)."""
    began = time.perf_counter()
    s = scenario
    if s.stations > 1 and not hub_url:
        raise KioskError(_("{count} stations share a day's cap through the venue hub: give a hub", count=s.stations))
    quiet = _log_to(folder / "simulate.log")
    venue = Venue(s, folder, hub_url)
    run, tally = Run(s), Tally()
    try:
        everyone = people(s, venue.rng)
        venue.build(everyone)
        registered = iter([p for p in everyone if not p.walkin])
        walkins = iter([p for p in everyone if p.walkin])
        for index in range(s.days):
            day = Day(venue, tally, index, arrivals(s, index, registered, walkins, venue.rng), trace)
            row = day.run()
            _close(venue, day, row)
            run.days.append(row)
        _after_the_last_day(venue)
        run.hourly, run.backlog, run.outcomes = tally.hourly, tally.backlog, dict(tally.outcomes)
        run.printer_faults = sum(p.faults for p in venue.printers)
        run.checks = checks(venue, run, tally)
        run.busiest_wait_min = max((h["wait_p50_min"] for h in run.hourly), default=0.0)
    finally:
        venue.close()
        quiet()
    run.wall_seconds = time.perf_counter() - began
    return run


def _close(venue: Venue, day: Day, row: DayRow) -> None:
    """The day's cap as it stood, the day closed at every station (no-shows, carry), the records sent."""
    from kiosk.services.dayclose import close_day
    from kiosk.simulate.venue import venue_cap

    row.cap = venue_cap(venue, day.day)
    clock = venue.clock
    clock.instant = max(clock.instant, dt.datetime.combine(day.day, dt.time(22), venue.s.zone).astimezone(dt.UTC))
    for station in venue.stations:
        close_day(station.ctx, day.day, "simulator", force=True)
    venue.hub_step()
    venue.print_waiting()
    row.backlog_at_close = venue.send()


def _after_the_last_day(venue: Venue) -> None:
    """The national server is back for good: the senders empty their outboxes."""
    clock, outages = venue.clock, venue.s.outages
    if outages:
        clock.instant = max(clock.instant, *(end for _start, end in outages))
    for _round in range(50):
        clock.advance(minutes=15)
        venue.hub_step()
        if venue.send() == 0:
            break


def _log_to(path: Path) -> Any:
    """The stations' log (retries while PCare is down, printer faults) goes to a file of the run, not the terminal."""
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
        logger.propagate = before[0]
        logger.setLevel(before[1])
    return restore


def checks(venue: Venue, run: Run, tally: Tally) -> list[tuple[str, bool, str]]:
    """What a planner and an auditor ask of the run, each with its figures."""
    from sqlmodel import select

    from kiosk.audit import verify
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
    twice = [code for code, days in tally.admitted_days.items() if len(days) > 1]
    checks.append(("once", not twice, _("nobody admitted twice across stations") if not twice else
                   _("admitted twice: {codes}", codes=", ".join(twice[:5]))))
    missed = [code for code, day in tally.passes.items() if tally.honoured.get(code) != day]
    checks.append(("passes", not missed, _("{count} priority pass(es) honoured on their day without queueing",
                                          count=len(tally.passes)) if not missed else
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
