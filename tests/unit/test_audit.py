"""The audit chain on a real station database: every admission, refusal, dose and card is a link, and an
edit, a removal or an insertion made directly in SQLite is found and named."""

from __future__ import annotations

import sqlite3

from sqlmodel import col, select

from kiosk.audit import GENESIS, link_hash, verify
from kiosk.cli import main
from kiosk.domain.screening import ScreeningAnswers
from kiosk.services.clinic import DoseEntry
from kiosk.storage.tables import AuditEntry
from tests.unit.test_config import station_config

HEALTHY = ScreeningAnswers(temperature_c=36.5, systolic=120, diastolic=80)


def chain(station):
    with station.ctx.db.read() as s:
        return list(s.exec(select(AuditEntry).order_by(col(AuditEntry.seq))).all())


def a_day(station):
    import datetime as dt

    visit = station.checkin.check_in("REG-0001").visit_id
    station.checkin.check_in("REG-0001")  # again: refused, and why
    station.checkin.check_in("3215110310804423")
    station.clinic.record_screening(visit, HEALTHY, "Nurse Rina")
    station.clinic.record_dose(visit, DoseEntry("SINOVAC", "LOT-A1", dt.date(2022, 1, 1), "left deltoid", "dr. Ani"))
    station.clinic.issue_card(visit)


def test_every_step_is_a_link_naming_the_record_never_the_nik(station):
    a_day(station)
    rows = chain(station)
    assert [r.action for r in rows] == ["checkin.admitted", "checkin.already_checked_in", "checkin.admitted",
                                        "dose.recorded", "card.issued"]
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5] and rows[0].prev_hash == GENESIS
    assert all(r.prev_hash == p.hash for p, r in zip(rows, rows[1:], strict=False))
    assert rows[3].actor == "dr. Ani" and {r.station_id for r in rows} == {"ST-01"}
    assert not any("3215" in f"{r.detail}{r.subject_id}" for r in rows)
    with station.ctx.db.read() as s:
        assert verify(s).ok


def _db(station):
    return sqlite3.connect(station.settings.data_dir / "station.db")


def test_an_altered_row_is_named(station):
    a_day(station)
    with _db(station) as db:
        db.execute("UPDATE auditentry SET actor = 'someone else' WHERE seq = 4")
    with station.ctx.db.read() as s:
        verdict = verify(s)
    assert (verdict.broken_at, verdict.reason) == (4, "row 4 was altered after it was written (dose.recorded)")


def test_a_removed_row_is_named(station):
    a_day(station)
    with _db(station) as db:
        db.execute("DELETE FROM auditentry WHERE seq = 2")
    with station.ctx.db.read() as s:
        verdict = verify(s)
    assert verdict.broken_at == 2 and "row 2 is missing" in verdict.reason


def test_an_inserted_row_is_named(station):
    a_day(station)
    rows = chain(station)
    with _db(station) as db:  # a row slipped in after row 2, with a hash of its own, the rest renumbered
        db.execute("UPDATE auditentry SET seq = seq + 1 WHERE seq > 2")
        forged = link_hash(rows[1].hash, 3, rows[1].at, "ST-01", "kiosk", "checkin.admitted", None, "A-9")
        db.execute("INSERT INTO auditentry (id, seq, station_id, actor, action, detail, at, prev_hash, hash) "
                   "VALUES ('0123456789abcdef0123456789abcdef', 3, 'ST-01', 'kiosk', 'checkin.admitted', 'A-9', "
                   "(SELECT at FROM auditentry WHERE seq = 2), ?, ?)", (rows[1].hash, forged))
    with station.ctx.db.read() as s:
        verdict = verify(s)
    assert verdict.broken_at == 4 and "does not follow row 3" in verdict.reason


def test_kiosk_audit_verify_and_export(tmp_path, capsys):
    config = tmp_path / "kiosk.toml"
    config.write_text(station_config(str(tmp_path)), encoding="utf-8")
    from tests.conftest import DEMO_CSV

    assert main(["--config", str(config), "import", "registrations", str(DEMO_CSV)]) == 0
    assert main(["--config", str(config), "audit", "verify"]) == 0
    assert "audit chain intact: 0 row(s)" in capsys.readouterr().out
    from kiosk.bootstrap import build_station
    from kiosk.config import load_settings

    station = build_station(load_settings(config))
    station.checkin.check_in("REG-0001")
    today = station.ctx.clock.today()
    station.close()
    assert main(["--config", str(config), "audit", "export", "--day", str(today), "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "seq,at,station_id,actor,action,subject_id,detail,hash" and len(lines) >= 2
    with sqlite3.connect(tmp_path / "station.db") as db:
        db.execute("UPDATE auditentry SET detail = 'A-99' WHERE seq = 1")
    assert main(["--config", str(config), "audit", "verify"]) == 1
    assert "audit chain broken at row 1: row 1 was altered" in capsys.readouterr().out


def test_audit_rows_written_before_the_chain_are_chained_by_the_upgrade(tmp_path):
    from sqlalchemy import text

    from kiosk.storage import migrate
    from kiosk.storage.db import Database, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0004")
    with engine.begin() as c:
        for n, at in enumerate(("2021-08-05 01:00:00.000000", "2021-08-05 01:05:00.000000")):
            c.execute(text("INSERT INTO auditentry (id, actor, action, subject_id, detail, at) VALUES "
                           "(:id, 'staff', 'card.reprint', :subject, 'reprint 1', :at)"),
                      {"id": f"{n:032x}", "subject": f"{n + 7:032x}", "at": at})
    migrate.upgrade(engine)
    with Database(engine).read() as s:
        verdict = verify(s)
        rows = list(s.exec(select(AuditEntry).order_by(col(AuditEntry.seq))).all())
    assert verdict.ok and verdict.rows == 2 and [r.seq for r in rows] == [1, 2]
    engine.dispose()
