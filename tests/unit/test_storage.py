"""The station database: pragmas, migrations, write locking, concurrency, backup, bad disks."""

import datetime as dt
import sqlite3
import threading

import pytest
from sqlalchemy import text
from sqlmodel import select

from kiosk.errors import KioskError, StorageError
from kiosk.services.backup import backup_sqlite
from kiosk.storage import migrate
from kiosk.storage.tables import Registration, Visit


def test_sqlite_is_tuned_for_power_loss(station):
    with station.ctx.db.engine.connect() as conn:
        pragmas = {p: conn.execute(text(f"PRAGMA {p}")).scalar() for p in
                   ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}
    assert pragmas == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 10000}


def test_migrations_are_applied_on_start_and_idempotent(station):
    assert migrate.current_revision(station.ctx.db.engine) == "0005"
    migrate.upgrade(station.ctx.db.engine)
    assert migrate.current_revision(station.ctx.db.engine) == "0005"


def test_upgrading_a_0001_station_numbers_its_waiting_records(tmp_path):
    """A station that recorded visits before sync existed keeps them, in order, tagged with the person."""
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0001")
    with engine.begin() as conn:
        for n, (minute, person) in enumerate([(5, "a1"), (1, "b2"), (3, "")]):
            payload = f'{{"registration_id": "{person}"}}' if person else "{}"
            conn.execute(text("INSERT INTO outboxrow (id, destination, topic, aggregate_id, payload_json, state, attempts,"
                              " last_error, created_at) VALUES (:id, 'central', 't', :id, :p, 'pending', 0, '', :at)"),
                         {"id": f"{n:032x}", "p": payload, "at": f"2021-08-05 01:0{minute}:00.000000"})
    migrate.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT seq, patient_key FROM outboxrow ORDER BY created_at")).all()
    assert [tuple(r) for r in rows] == [(1, "b2"), (2, ""), (3, "a1")]
    engine.dispose()


def test_write_transactions_take_the_lock_at_begin(station):
    """BEGIN IMMEDIATE: a second writer waits at BEGIN instead of failing later with 'locked'."""
    statements = []
    from sqlalchemy import event

    listener = lambda conn, cursor, stmt, *a: statements.append(stmt)  # noqa: E731
    event.listen(station.ctx.db.engine, "before_cursor_execute", listener)
    try:
        station.checkin.check_in("REG-0001")
    finally:
        event.remove(station.ctx.db.engine, "before_cursor_execute", listener)
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins and all(s == "BEGIN IMMEDIATE" for s in begins)


def test_foreign_keys_are_enforced(station):
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with station.ctx.db.write() as s:
            s.add(Visit(registration_id=__import__("uuid").uuid4(), service_day=dt.date(2021, 8, 5), state="checked_in",
                        queue_number="A-0", dose_number=1, station_id="x",
                        checked_in_at=station.ctx.clock.now(), updated_at=station.ctx.clock.now()))


def test_two_stations_on_one_file_never_pass_the_cap(make_station, tmp_path):
    """Eight threads, each with its own engine on the same file, race for a cap of 10."""
    from tests.conftest import DEMO_CSV

    first = make_station(overrides={dt.date(2021, 8, 5): 10})
    first.registrations.import_csv(DEMO_CSV)
    stations = [first] + [make_station(overrides={dt.date(2021, 8, 5): 10}) for _ in range(3)]
    outcomes, barrier = [], threading.Barrier(8)

    def worker(n):
        barrier.wait()
        for i in range(n, 36, 8):
            outcomes.append(stations[n % 4].checkin.check_in(f"REG-{i + 1:04d}").kind)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("admitted") == 10 and len(outcomes) == 36
    numbers = first.desk.day_numbers()
    assert (numbers.used, numbers.checked_in) == (10, 10)
    queue = sorted(int(v.queue_number[2:]) for v in first.desk.find(""))
    assert queue == list(range(1, 11))  # no queue number handed out twice


def test_backup_is_a_consistent_copy(station, tmp_path):
    station.checkin.check_in("REG-0001")
    target = tmp_path / "backup.db"
    backup_sqlite(station.settings.data_dir / "station.db", target)
    with sqlite3.connect(target) as copy:
        assert copy.execute("select count(*) from visit").fetchone() == (1,)
        assert copy.execute("pragma integrity_check").fetchone() == ("ok",)
    with pytest.raises(KioskError, match="no station database"):
        backup_sqlite(tmp_path / "missing.db", target)


def test_read_only_database_gives_an_actionable_error_and_keeps_records(station):
    station.checkin.check_in("REG-0001")
    station.close()
    db = station.settings.data_dir / "station.db"
    from kiosk.storage.db import Database, make_engine

    ro = Database(make_engine(f"sqlite:///file:{db}?mode=ro&uri=true"))
    with pytest.raises(StorageError, match="read-only"):
        with ro.write() as s:
            s.add(Registration(nik="3171011708450001", name="X", birth_date=dt.date(1945, 8, 17), sex="M", code="RO-1",
                               created_at=station.ctx.clock.now()))
    with ro.read() as s:
        assert len(s.exec(select(Visit)).all()) == 1
    ro.dispose()


def test_full_disk_is_a_clear_error_and_loses_nothing(station):
    """SQLite's own 'database or disk is full', made real by capping the file's pages."""
    from sqlalchemy import event

    station.checkin.check_in("REG-0001")
    engine = station.ctx.db.engine
    engine.dispose()

    def cap_pages(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine, "connect", cap_pages)
    try:
        outcomes = []
        with pytest.raises(StorageError, match="disk is full: free space, then retry; nothing recorded was lost"):
            for i in range(2, 37):  # keep checking people in until the file cannot grow
                outcomes.append(station.checkin.check_in(f"REG-{i:04d}").kind)
    finally:
        event.remove(engine, "connect", cap_pages)
        engine.dispose()
    numbers = station.desk.day_numbers()
    assert numbers.checked_in == numbers.used == 1 + outcomes.count("admitted")  # the failed one left no trace
    assert station.checkin.check_in("REG-0001").kind == "already_checked_in"
