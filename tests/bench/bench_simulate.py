"""The Karawang week through `kiosk simulate`, against the same week's work in a plain loop.

    uv run python tests/bench/bench_simulate.py [SCENARIO]      (default karawang-2021)

Both runs use real stations (each its own SQLite file) on one scratch PostgreSQL hub:
- simulate (ours): the whole simulator: arrivals, desks, printers, PCare outages, senders and hub
  duty on a simulated clock, then the checks;
- peer: the same check-ins, screenings, doses and cards, in the order the simulator ran them, in
  a plain ``for`` loop through the services (no event queue, no printers, no outages; each day
  closed, the hub stepped and the records sent once at its end). The difference is the simulator's
  own overhead. Wall time and the Python process's peak memory (ru_maxrss) for each.
"""

from __future__ import annotations

import datetime as dt
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT))

NAME = sys.argv[1] if len(sys.argv) > 1 else "karawang-2021"


def ours() -> None:
    from kiosk.hub import admin
    from kiosk.hub.scratch import PgCluster
    from kiosk.simulate import load_scenario, simulate

    scenario = load_scenario(NAME)
    cluster = PgCluster().start()
    try:
        url = cluster.fresh_database()
        admin.upgrade(url)
        trace: list = []
        began = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            run = simulate(scenario, Path(folder), url, trace=trace)
        wall = time.perf_counter() - began
        print(f"RESULT simulate {wall:.1f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} "
              f"{sum(op[0] == 'checkin' for op in trace)} {sum(op[0] == 'desk' for op in trace)} {int(run.ok)}")
        import pickle

        Path(sys.argv[2]).write_bytes(pickle.dumps(trace))
    finally:
        cluster.stop()


def peer() -> None:
    import pickle

    from kiosk.hub import admin
    from kiosk.hub.scratch import PgCluster
    from kiosk.services.dayclose import close_day
    from kiosk.simulate import load_scenario
    from kiosk.simulate.venue import Venue, check_in, pass_payload, screen
    from kiosk.simulate.world import people
    from kiosk.states import OutcomeKind

    scenario = load_scenario(NAME)
    trace = pickle.loads(Path(sys.argv[2]).read_bytes())
    cluster = PgCluster().start()
    try:
        url = cluster.fresh_database()
        admin.upgrade(url)
        with tempfile.TemporaryDirectory() as folder:
            venue = Venue(scenario, Path(folder), url)
            venue.build(people(scenario, venue.rng))
            began = time.perf_counter()
            passes: dict[str, str] = {}
            waiting: dict[int, list] = {n: [] for n in range(scenario.stations)}
            day_index = 0
            for op in trace + [("end", scenario.days)]:
                if op[1] != day_index:  # the day is over: close it, step the hub, send what waits
                    day = scenario.first_day + dt.timedelta(days=day_index)
                    venue.clock.instant = dt.datetime.combine(day, dt.time(22), scenario.zone).astimezone(dt.UTC)
                    for station in venue.stations:
                        close_day(station.ctx, day, "peer", force=True)
                    venue.hub_step()
                    venue.send()
                    waiting = {n: [] for n in range(scenario.stations)}  # the day's unserved became no-shows
                    day_index = op[1]
                    if op[0] == "end":
                        break
                    venue.clock.instant = dt.datetime.combine(
                        scenario.first_day + dt.timedelta(days=day_index), dt.time(scenario.opens), scenario.zone
                    ).astimezone(dt.UTC)
                    venue.hub_step()
                venue.clock.advance(seconds=5)
                if op[0] == "checkin":
                    _kind, _day, n, person, had_pass = op
                    outcome = check_in(venue.stations[n], person, passes.pop(person.code, "") if had_pass else "")
                    if outcome.kind == OutcomeKind.ADMITTED:
                        waiting[n].append(outcome.visit_id)
                    elif outcome.pass_id:
                        passes[person.code] = pass_payload(venue.stations[n], outcome.pass_id)
                else:
                    _kind, _day, n, kind = op
                    if waiting[n]:
                        screen(venue.stations[n], waiting[n].pop(0), scenario, venue.rng, kind)
            wall = time.perf_counter() - began
            venue.close()
        print(f"RESULT plain {wall:.1f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
    finally:
        cluster.stop()


def main() -> None:
    trace = Path(tempfile.mkdtemp()) / "trace.pickle"
    results = {}
    for role in ("ours", "peer"):  # each in its own process: its peak memory is its own
        done = subprocess.run([sys.executable, __file__, NAME, str(trace), role], capture_output=True, text=True,
                              cwd=ROOT, timeout=1800)
        line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT")), None)
        if line is None:
            print(done.stdout[-2000:], done.stderr[-4000:])
            raise SystemExit(f"{role} failed")
        results[role] = line.split()[1:]
    _name, wall, mem, checkins, desks, ok = results["ours"]
    _name2, pwall, pmem = results["peer"]
    print(f"{NAME} on this machine ({checkins} check-ins, {desks} screenings), both on real stations and a real hub:")
    print(f"{'':28}{'simulate (ours)':>18}{'plain loop (peer)':>20}{'ratio':>8}")
    print(f"{'wall time, s':28}{wall:>18}{pwall:>20}{float(wall) / float(pwall):>8.2f}")
    print(f"{'peak memory (RSS), MB':28}{mem:>18}{pmem:>20}{float(mem) / float(pmem):>8.2f}")
    print(f"all checks passed: {'yes' if ok == '1' else 'NO'}; target: the week in under 300 s")


if __name__ == "__main__":
    if len(sys.argv) > 3:
        {"ours": ours, "peer": peer}[sys.argv[3]]()
    else:
        if len(sys.argv) == 1:
            sys.argv.append(NAME)
        main()
