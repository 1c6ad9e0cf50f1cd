"""A backlog of 56,000 dose records (Karawang's first-dose target) drained into a real FHIR server.

Ours: the drainer (lease, claim in batches of 50 in person order, one transaction Bundle per
record, acknowledgements written per batch) on a station SQLite file holding the backlog.
Peer: the same bundles, built from the same stored rows, POSTed one by one by a plain httpx
loop with no bookkeeping at all. Each side gets a fresh sekmet-fhir server (its own data folder)
so neither finds the other's resources. Target (issue 5): the drainer within 10% of the plain
loop's rate (the server sets the pace), peak memory under 200 MB whatever the backlog.

    uv run python tests/bench/bench_sync.py [VISITS]     # default 56000
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2]))

import httpx  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from kiosk.config import SyncSettings  # noqa: E402
from kiosk.services.sync_desk import sync_status  # noqa: E402
from kiosk.storage import migrate  # noqa: E402
from kiosk.storage.db import Database, make_engine  # noqa: E402
from kiosk.storage.tables import OutboxRow, Registration  # noqa: E402
from kiosk.sync.drainer import Backoff, Drainer  # noqa: E402
from kiosk.sync.fhir import FhirServer, build_bundle  # noqa: E402
from kiosk.sync.records import Venue, load_record  # noqa: E402
from tests.fhir_server import FhirTestServer  # noqa: E402

VISITS = int(sys.argv[1]) if len(sys.argv) > 1 else 56_000
VENUE = Venue("KRW", "Stadion Singaperbangsa", "ST-01")
START = dt.datetime(2021, 8, 5, 1, 0, tzinfo=dt.UTC)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    """Samples this process's resident memory every 50 ms."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self.start = rss_mb()
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb())
            self._stop.wait(0.05)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def backlog(folder: Path, count: int) -> Database:
    """A station database holding ``count`` dose records waiting to be sent (bulk-inserted)."""
    engine = make_engine(f"sqlite:///{folder / 'station.db'}")
    migrate.upgrade(engine)
    db = Database(engine)
    people, rows = [], []
    for i in range(count):
        person_id, dose_id = uuid.uuid4(), uuid.uuid4()
        given = START + dt.timedelta(seconds=i * 7)
        people.append({"id": person_id, "nik": f"3215{i:012d}", "name": f"Peserta {i}", "birth_date": dt.date(1970, 1, 1),
                       "sex": "M" if i % 2 else "F", "phone": "", "code": f"B-{i:06d}", "session": "",
                       "source": "import", "created_at": START})
        payload = {"id": str(dose_id), "visit_id": str(uuid.uuid4()), "registration_id": str(person_id), "product": "SINOVAC",
                   "lot": "SNV-2107", "expiry": "2021-12-31", "dose_number": 1, "site": "left deltoid",
                   "vaccinator": "dr. Ani", "interval_table_version": "2021", "given_at": str(given), "nik": f"3215{i:012d}",
                   "cvx": "511"}
        rows.append({"id": uuid.uuid4(), "seq": i + 1, "destination": "central", "topic": "vaccination.recorded",
                     "aggregate_id": dose_id, "patient_key": str(person_id), "payload_json": json.dumps(payload, sort_keys=True),
                     "state": "pending", "attempts": 0, "last_error": "", "server_ids": "", "created_at": given})
    with db.write() as session:
        for start in range(0, count, 5000):
            session.execute(insert(Registration), people[start:start + 5000])
            session.execute(insert(OutboxRow), rows[start:start + 5000])
    return db


def run_drainer(db: Database, url: str) -> dict[str, float]:
    server = FhirServer(SyncSettings(server="fhir", url=url, timeout_seconds=30, patients="create"))
    drainer = Drainer(db, server, VENUE, batch_size=50, backoff=Backoff(0.5, 5))
    first_ack: list[float] = []
    settle = drainer._settle

    def timed_settle(results, report):  # type: ignore[no-untyped-def]
        settle(results, report)
        if not first_ack and report.sent:
            first_ack.append(time.perf_counter())

    drainer._settle = timed_settle  # type: ignore[method-assign]
    gc.collect()
    with PeakRss() as memory:
        started = time.perf_counter()
        while sync_status(db).backlog:
            report = drainer.drain()
            if report.errors:
                print("  drainer:", report.errors[-1])
                time.sleep(min(report.paused_for or 0.5, 5))
        elapsed = time.perf_counter() - started
    server.close()
    return {"seconds": elapsed, "rate": VISITS / elapsed, "first_ack_ms": (first_ack[0] - started) * 1000,
            "rss_start": memory.start, "rss_peak": memory.peak}


def run_plain_loop(db: Database, url: str) -> dict[str, float]:
    """The peer: stream the same rows, build the same bundle, POST it; nothing recorded."""
    client = httpx.Client(timeout=30)
    first: list[float] = []
    gc.collect()
    with PeakRss() as memory:
        started = time.perf_counter()
        with db.read() as session:
            rows = session.exec(select(OutboxRow).order_by(col(OutboxRow.seq)).execution_options(yield_per=500))
            for row in rows:
                bundle = build_bundle(load_record(session, row, VENUE))
                answer = client.post(url, content=json.dumps(bundle, separators=(",", ":")),
                                     headers={"Content-Type": "application/fhir+json", "Prefer": "return=minimal"})
                answer.raise_for_status()
                if not first:
                    first.append(time.perf_counter())
        elapsed = time.perf_counter() - started
    client.close()
    return {"seconds": elapsed, "rate": VISITS / elapsed, "first_ack_ms": (first[0] - started) * 1000,
            "rss_start": memory.start, "rss_peak": memory.peak}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        (root / "ours").mkdir()
        (root / "peer").mkdir()
        ours_db, peer_db = backlog(root / "ours", VISITS), backlog(root / "peer", VISITS)
        print(f"backlog of {VISITS:,} dose records built twice in {time.perf_counter() - t:.1f} s; RSS {rss_mb():.0f} MB")
        results = {}
        for name, db, runner in (("drainer", ours_db, run_drainer), ("plain httpx loop", peer_db, run_plain_loop)):
            server = FhirTestServer(root / f"fhir-{name.split()[0]}").start()
            try:
                results[name] = runner(db, server.url)
                immunizations = server.count("Immunization")
                assert immunizations == VISITS, f"{name}: {immunizations} on the server for {VISITS}"
            finally:
                server.stop()
            r = results[name]
            print(f"{name}: {r['seconds']:.1f} s, {r['rate']:.1f} records/s, first ack {r['first_ack_ms']:.0f} ms, "
                  f"RSS {r['rss_start']:.0f} -> peak {r['rss_peak']:.0f} MB; server holds {immunizations:,}", flush=True)
        ours, peer = results["drainer"], results["plain httpx loop"]
        print(f"\n| {VISITS:,} records | drainer | plain httpx loop | ratio |\n|---|---|---|---|")
        print(f"| records/s | {ours['rate']:.1f} | {peer['rate']:.1f} | {ours['rate'] / peer['rate']:.3f} |")
        print(f"| time to first ack | {ours['first_ack_ms']:.0f} ms (first batch committed) | "
              f"{peer['first_ack_ms']:.0f} ms (one answer) | |")
        print(f"| peak RSS (whole process) | {ours['rss_peak']:.0f} MB | {peer['rss_peak']:.0f} MB | |")
        print(f"| RSS growth while draining | {ours['rss_peak'] - ours['rss_start']:.0f} MB | "
              f"{peer['rss_peak'] - peer['rss_start']:.0f} MB | |")
        print(f"\ndrainer rate is {100 * (ours['rate'] / peer['rate'] - 1):+.1f}% of the plain loop (target: within -10%)")
        print(f"final backlog: {sync_status(ours_db).backlog}")


if __name__ == "__main__":
    main()
