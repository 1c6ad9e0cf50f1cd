"""One venue station as its own process: the real station code on its own SQLite, the real hub worker beside it.

    python -m tests.hub.station_proc CONFIG PEOPLE OUT [--go FILE] [--mode lease|update]

Pulls the venue's registrations, waits for ``--go`` to exist (so every station starts together),
then checks in each code of PEOPLE (one per line) and appends "code kind wait_ms" to OUT after
each check-in has committed (a killed process has acknowledged exactly what OUT lists, give or
take the one in flight). The hub worker runs in a thread as in the app. At the end the station
sends everything to the hub and gives its unused slots back.

``--mode update`` is the benchmark's peer: no leases, one conditional UPDATE of the day's row at
the hub for every check-in (plus the same claim), inside the same local transaction.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.bootstrap import build_station
from kiosk.clock import FixedClock
from kiosk.config import load_settings
from kiosk.hub.quota import VenueQuota
from kiosk.hub.worker import HubWorker
from kiosk.storage.tables import DayQuota

OPENING = dt.datetime(2021, 8, 5, 8, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


class PerCheckInUpdate(VenueQuota):
    """The peer: no leases; every check-in takes its slot with one conditional UPDATE of the day's one row at the
    hub, and claims the person for the day under a unique constraint (as every venue check-in must)."""

    def reserve(self, session, day, walkin):  # type: ignore[no-untyped-def]
        got = self.link.run("UPDATE bench_day SET used = used + 1 WHERE service_day = :d AND used < cap RETURNING used", d=day)
        if not got:
            return False
        q = DayQuota
        self.ledger.apply(session, day, q.cap >= 0, {"cap": q.cap + 1})
        return self.ledger.reserve(session, day, walkin)

    def tick(self, day, now):  # type: ignore[no-untyped-def]
        return None  # no lease to renew: the hub worker only pulls and sends, as in our runs

    def give_back(self, day):  # type: ignore[no-untyped-def]
        return 0

    def confirm(self, session, day, registration_id, visit_id, at, reserved):  # type: ignore[no-untyped-def]
        if reserved:
            self.link.run("INSERT INTO bench_claim VALUES (:d, :r) ON CONFLICT DO NOTHING RETURNING 1", d=day, r=registration_id)
        return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("config", type=Path)
    p.add_argument("people", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--go", type=Path)
    p.add_argument("--mode", choices=["lease", "update"], default="lease")
    p.add_argument("--no-worker", action="store_true", help="no background worker (the peer has nothing to renew)")
    args = p.parse_args(argv)
    settings = load_settings(args.config)
    clock = FixedClock(OPENING.tzinfo, instant=OPENING.astimezone(dt.UTC))  # type: ignore[arg-type]
    station = build_station(settings, clock=clock)
    if args.mode == "update":
        venue = station.checkin.venue
        assert venue is not None
        station.checkin.venue = PerCheckInUpdate(venue.db, venue.ledger, venue.link)
    worker = HubWorker(station)
    worker.step(send=False)  # reconcile, renew, pull registrations
    codes = args.people.read_text().split()
    if args.go is not None:
        while not args.go.exists():
            time.sleep(0.01)
    stop = threading.Event()
    thread = None
    if not args.no_worker:
        thread = threading.Thread(target=worker.run, args=(stop, settings.hub.poll_seconds), daemon=True)
        thread.start()
    venue = station.checkin.venue
    assert venue is not None
    slot_wait = [0.0]  # seconds this check-in spent getting its slot (reserving, and confirming at the hub)

    def timed(method):  # type: ignore[no-untyped-def]
        def run(*a, **kw):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            try:
                return method(*a, **kw)
            finally:
                slot_wait[0] += time.perf_counter() - t
        return run
    venue.reserve = timed(venue.reserve)  # type: ignore[method-assign]
    venue.confirm = timed(venue.confirm)  # type: ignore[method-assign]
    began = time.perf_counter()
    with args.out.open("a", encoding="utf-8") as out:
        for code in codes:
            started, slot_wait[0] = time.perf_counter(), 0.0
            outcome = station.checkin.check_in(code)
            waited = (time.perf_counter() - started) * 1000
            out.write(f"{code} {outcome.kind} {waited:.3f} {slot_wait[0] * 1000:.3f} {time.time():.4f}\n")
            if outcome.kind in ("full_no_pass", "plan_over") and station.ctx.hub is not None:
                print(f"{code} {outcome.kind}: {station.ctx.hub.last_error}", file=sys.stderr, flush=True)
            out.flush()
    checked_in = time.perf_counter() - began
    stop.set()
    if thread is not None:
        thread.join()
    final = HubWorker(station)
    for _ in range(200):  # send everything that waits (the hub's copy is what the test compares)
        report = final.drainer.drain()
        if not (report.sent or report.skipped or report.retrying):
            break
    final.venue.give_back(clock.today())
    print(f"timing: {len(codes)} check-ins in {checked_in:.1f} s, then sending {time.perf_counter() - began - checked_in:.1f} s",
          file=sys.stderr)
    final.drainer.release()
    final.server.close()
    station.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
