"""Check-in commit on SQLite (WAL, synchronous=FULL) against a bare SQLAlchemy insert.

Ours: parse + lookup + duplicate check + interval check + reservation (conditional UPDATE)
+ queue number + visit + outbox row, one BEGIN IMMEDIATE transaction per attendee.
Peer: the same visit and outbox rows inserted with plain SQLAlchemy Core, one transaction
each, on an engine with the same pragmas. Target (issue 2): median under 3 ms.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parents[2]))

from stdnum.id import nik as stdnum_nik  # noqa: E402

from kiosk.bootstrap import build_station  # noqa: E402
from kiosk.clock import FixedClock  # noqa: E402
from kiosk.config import Settings  # noqa: E402
from kiosk.pins import hash_pin  # noqa: E402
from kiosk.storage.tables import OutboxRow, Visit  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
TZ = ZoneInfo("Asia/Jakarta")


def registrations_csv(path: Path, count: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["nik", "name", "birth_date", "sex", "phone", "registration_code", "appointment_date", "session"])
        for i in range(count):
            born = dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
            nik = f"321501{born.day:02d}{born.month:02d}{born.year % 100:02d}{i % 10000:04d}"
            assert stdnum_nik.is_valid(nik)
            writer.writerow([nik, f"Person {i}", born.isoformat(), "M", "", f"B-{i:06d}", "", ""])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def station_with_registrations(folder: Path):
    pins = {"staff": hash_pin("1234", 1000), "technician": hash_pin("9999", 1000)}
    settings = Settings(data_dir=folder, venue={"name": "Bench", "code": "BENCH"}, station={"id": "B1"},
                        quota={"stock": N * 5, "first_day": dt.date(2021, 8, 5), "last_day": dt.date(2021, 8, 9)},
                        pins=pins)
    clock = FixedClock(TZ, instant=dt.datetime(2021, 8, 5, 1, 0, tzinfo=dt.UTC))
    station = build_station(settings, clock=clock)
    csv_path = folder / "reg.csv"
    registrations_csv(csv_path, N)
    assert not station.registrations.import_csv(csv_path).errors
    return station


def ours(folder: Path) -> list[float]:
    station = station_with_registrations(folder)
    times = []
    for i in range(N):
        start = time.perf_counter()
        outcome = station.checkin.check_in(f"B-{i:06d}")
        times.append((time.perf_counter() - start) * 1000)
        assert outcome.kind == "admitted", outcome
    station.close()
    return times


def bare(folder: Path) -> list[float]:
    """The same visit and outbox rows, plain SQLAlchemy Core inserts, same engine settings."""
    from sqlalchemy import insert, select

    from kiosk.storage.tables import Registration

    station = station_with_registrations(folder)
    engine = station.ctx.db.engine
    with engine.connect() as conn:
        people = [row[0] for row in conn.execute(select(Registration.id).order_by(Registration.code))]
    now = dt.datetime(2021, 8, 5, 1, 0, tzinfo=dt.UTC)
    times = []
    for i, person in enumerate(people):
        visit_id = uuid.uuid4()
        start = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(insert(Visit.__table__).values(  # type: ignore[attr-defined]
                id=visit_id, registration_id=person, service_day=now.date(), state="checked_in",
                queue_number=f"A-{i}", dose_number=1, walkin=False, station_id="B1", checked_in_at=now, updated_at=now))
            conn.execute(insert(OutboxRow.__table__).values(  # type: ignore[attr-defined]
                id=uuid.uuid4(), destination="central", topic="visit.checked_in", aggregate_id=visit_id,
                payload_json=json.dumps({"visit_id": str(visit_id)}), state="pending", attempts=0, last_error="",
                created_at=now))
        times.append((time.perf_counter() - start) * 1000)
    station.close()
    return times


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "ours").mkdir()
        (folder / "bare").mkdir()
        ours_ms = ours(folder / "ours")
        bare_ms = bare(folder / "bare")
    print(f"check-in commits on SQLite WAL + synchronous=FULL, {N} attendees, one transaction each")
    print(f"{'':28} {'median ms':>10} {'p99 ms':>10} {'commits/s':>10}")
    for name, values in (("sentra check-in", ours_ms), ("bare SQLAlchemy insert", bare_ms)):
        print(f"{name:28} {statistics.median(values):10.3f} {percentile(values, 99):10.3f} "
              f"{len(values) / (sum(values) / 1000):10.0f}")
    print(f"ratio (ours / bare): median {statistics.median(ours_ms) / statistics.median(bare_ms):.2f}x, "
          f"p99 {percentile(ours_ms, 99) / percentile(bare_ms, 99):.2f}x; target: median under 3 ms")


if __name__ == "__main__":
    main()
