"""Venue hub: 8 station processes on one PostgreSQL hub, escrow leases against a conditional UPDATE per check-in.

    uv run python tests/bench/bench_hub.py [PEOPLE_PER_STATION] [CAP]     (default 2000 and 5000)

Both runs use the same 8 processes of real station code (each its own SQLite, the hub worker
beside it), the same people and the same cap; only the slot taking differs:
- leases (ours): a block leased from the hub, spent locally, each check-in confirmed at the hub
  against the station's own lease row with its claim (``sentra_admit``);
- peer: no leases, ``UPDATE bench_day SET used = used + 1 WHERE used < cap`` on the day's one
  row at the hub for every check-in, and the person's claim for the day (a unique key) after it.
Measured: venue-wide admitted check-ins per second (until the cap is reached), the p50/p99 time
a check-in waits for its slot, the slots idle in leases when the day fills, and a station's wait
per check-in while the hub is out of reach against a lone station that never had a hub. The
exact-count checks of tests/hub/test_stations_processes.py are repeated at full size.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from tempfile import mkdtemp

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from kiosk.hub import admin  # noqa: E402
from tests.hub.test_stations_processes import DAY, Venue, people_csv  # noqa: E402
from tests.hub.venue import karawang_plan_loaded  # noqa: E402
from tests.pg import PgCluster  # noqa: E402

PER = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
CAP = int(sys.argv[2]) if len(sys.argv) > 2 else 5000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def fresh_hub(pg: PgCluster) -> None:
    pg.sql("DROP DATABASE IF EXISTS sentra WITH (FORCE)")
    pg.sql("CREATE DATABASE sentra OWNER sentra_owner")
    admin.upgrade(pg.url())
    karawang_plan_loaded(pg, stock=CAP * 5)
    engine = admin.owner_engine(pg.url())
    with engine.begin() as c:
        c.execute(text("CREATE TABLE bench_day (service_day date PRIMARY KEY, cap int NOT NULL, used int NOT NULL DEFAULT 0)"))
        c.execute(text(f"INSERT INTO bench_day VALUES ('{DAY}', {CAP}, 0)"))
        c.execute(text("CREATE TABLE bench_claim (service_day date, registration_id uuid, PRIMARY KEY (service_day, registration_id))"))
        c.execute(text("GRANT SELECT, UPDATE ON bench_day TO sentra_station"))
        c.execute(text("GRANT SELECT, INSERT ON bench_claim TO sentra_station"))
    engine.dispose()


def watch_fill(pg: PgCluster, stop: threading.Event, seen: dict[str, int]) -> None:
    """Poll the hub: when the day first has nothing free, how many slots sit leased and unspent at the stations."""
    engine = admin.owner_engine(pg.url())
    try:
        while not stop.is_set():
            with engine.connect() as c:
                free = c.execute(text(f"SELECT cap - leased - held_for_passes FROM hub_day WHERE service_day = '{DAY}'")).scalar()
                idle = c.execute(text(f"SELECT coalesce(sum(granted - (spent - released)), 0) FROM hub_lease "
                                      f"WHERE service_day = '{DAY}'")).scalar()
            if free == 0 and "idle" not in seen:
                seen["idle"] = int(idle or 0)
            stop.wait(0.02)
    finally:
        engine.dispose()


def run(pg: PgCluster, mode: str, codes: list[str]) -> dict[str, float]:
    fresh_hub(pg)
    folder = Path(mkdtemp(prefix=f"bench-hub-{mode}-"))
    (folder / "people.csv").write_text((Path(PEOPLE_CSV)).read_text())
    admin.import_registrations(pg.url(), folder / "people.csv")
    venue = Venue(folder, pg, 8, poll_seconds=5)  # the default poll, as a venue runs it
    for n, station in enumerate(venue.configs):
        listing = folder / f"{station}.people"
        listing.write_text("\n".join(codes[n * PER:(n + 1) * PER]))
        out = folder / f"{station}.out"
        venue.procs[station] = subprocess.Popen(
            [sys.executable, "-m", "tests.hub.station_proc", str(venue.configs[station]), str(listing), str(out),
             "--go", str(venue.go), "--mode", mode], cwd=ROOT, stderr=(folder / f"{station}.err").open("ab"))
    time.sleep(2)
    while not all(len(venue.outcomes(s)) == 0 for s in venue.configs):
        time.sleep(0.1)
    stop, seen = threading.Event(), {}
    watcher = threading.Thread(target=watch_fill, args=(pg, stop, seen), daemon=True)
    watcher.start()
    time.sleep(3)  # every process has pulled and waits on the go file
    go = time.time()
    venue.go.touch()
    venue.wait(timeout=3600)
    stop.set()
    rows = [line.split() for s in venue.configs for line in (folder / f"{s}.out").read_text().splitlines()]
    admitted = [r for r in rows if r[1] == "admitted"]
    last = max(float(r[4]) for r in admitted)
    waits = [float(r[3]) for r in admitted]  # the wait for a slot of those who got one
    local = sum(venue.local_visits(s) for s in venue.configs)
    assert len(admitted) == local, f"{mode}: {len(admitted)} admitted but {local} visits recorded"
    at_hub = venue.hub(f"SELECT count(*) FROM hub_visit WHERE service_day = '{DAY}'")[0][0]
    return {"admitted": len(admitted), "local": local, "at_hub": at_hub, "rate": len(admitted) / (last - go),
            "p50": percentile(waits, 50), "p99": percentile(waits, 99), "idle": seen.get("idle", -1)}


def hub_down(pg: PgCluster) -> tuple[list[float], list[float]]:
    """One station cut off from the hub (after it leased a block) against a lone station without a hub."""
    from tests.tcp_relay import TcpRelay

    fresh_hub(pg)
    folder = Path(mkdtemp(prefix="bench-hub-down-"))
    codes = people_csv(folder / "people.csv", 400)
    admin.import_registrations(pg.url(), folder / "people.csv")
    relay = TcpRelay(pg.port)
    import datetime as dt

    from kiosk.bootstrap import build_station
    from kiosk.clock import FixedClock
    from kiosk.config import Settings
    from kiosk.hub.worker import HubWorker
    from tests.conftest import settings_values
    from tests.hub.station_proc import OPENING
    from tests.hub.venue import venue_settings

    clock = FixedClock(OPENING.tzinfo, instant=OPENING.astimezone(dt.UTC))  # type: ignore[arg-type]
    station = build_station(venue_settings(folder, pg, "ST-DOWN", relay.port, offline_slots=150, block_max=200), clock=clock)
    HubWorker(station).step(send=False)
    for code in codes[:20]:
        station.checkin.check_in(code)  # a station in use: it holds a block
    station.checkin.venue.tick(clock.today(), clock.now())  # type: ignore[union-attr]
    relay.cut()
    down = []
    for code in codes[20:170]:
        t = time.perf_counter()
        station.checkin.check_in(code)
        down.append((time.perf_counter() - t) * 1000)
    lone = build_station(Settings(**settings_values(folder / "lone")), clock=clock)
    lone.registrations.import_csv(folder / "people.csv")
    alone = []
    for code in codes[:150]:
        t = time.perf_counter()
        lone.checkin.check_in(code)
        alone.append((time.perf_counter() - t) * 1000)
    relay.close()
    return down, alone


PEOPLE_CSV = ""


def main() -> None:
    global PEOPLE_CSV
    pg = PgCluster().start()
    try:
        folder = Path(mkdtemp(prefix="bench-hub-"))
        PEOPLE_CSV = str(folder / "people.csv")
        codes = people_csv(folder / "people.csv", 8 * PER)
        results = {mode: run(pg, mode, codes) for mode in ("lease", "update")}
        down, alone = hub_down(pg)
    finally:
        pg.stop()
    ours, peer = results["lease"], results["update"]
    print(f"8 station processes x {PER} people, venue cap {CAP}, PostgreSQL 15 on this machine (2 cores)")
    print(f"{'':34}{'leases (ours)':>16}{'UPDATE per check-in':>22}")
    print(f"{'admitted (exactly the cap?)':34}{ours['admitted']:>16.0f}{peer['admitted']:>22.0f}")
    print(f"{'admitted check-ins / s':34}{ours['rate']:>16.1f}{peer['rate']:>22.1f}   ratio {ours['rate'] / peer['rate']:.2f}")
    print(f"{'wait for a slot p50 ms':34}{ours['p50']:>16.2f}{peer['p50']:>22.2f}")
    print(f"{'wait for a slot p99 ms':34}{ours['p99']:>16.2f}{peer['p99']:>22.2f}   ratio {ours['p99'] / peer['p99']:.2f}")
    print(f"{'idle in leases when the day filled':34}{ours['idle']:>16.0f}{'-':>22}   "
          f"{100 * ours['idle'] / CAP:.2f}% of the cap")
    print(f"leases: {ours['local']} visits in the stations' databases, {ours['at_hub']} at the hub after the outboxes drained")
    print(f"hub out of reach: check-in p50 {statistics.median(down):.2f} ms, p99 {percentile(down, 99):.2f} ms, max "
          f"{max(down):.1f} ms (the first finds the hub gone); a lone station without a hub: p50 "
          f"{statistics.median(alone):.2f} ms, p99 {percentile(alone, 99):.2f} ms")


if __name__ == "__main__":
    main()
