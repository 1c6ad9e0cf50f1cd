"""`kiosk data purge`: personal fields of people served long ago, once their records were delivered, and nothing
that reports or the audit need."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import update
from sqlmodel import col, select

from kiosk.audit import verify
from kiosk.services.purge import PURGED_NAME, purge
from kiosk.storage.tables import OutboxRow, Registration


def test_purge_keeps_the_day_report_and_the_audit_and_waits_for_unsent_records(station, clock):
    station.checkin.check_in("REG-0001")
    station.checkin.check_in("REG-0002")
    served = station.checkin.check_in("REG-0003")
    with station.ctx.db.write() as s:  # the server has everything but REG-0003's check-in
        s.execute(update(OutboxRow).where(col(OutboxRow.aggregate_id) != served.visit_id).values(state="acknowledged"))
    before = dataclasses.asdict(station.desk.day_numbers(dt.date(2021, 8, 5)))
    clock.advance(days=100)
    with station.ctx.db.write() as s:
        report = purge(s, dt.date(2021, 12, 31), clock.today(), retention_days=90)
    assert (report.people, report.kept_unsent, report.cutoff) == (2, 1, dt.date(2021, 8, 15))
    with station.ctx.db.read() as s:
        people = {r.code: r for r in s.exec(select(Registration)).all()}
        payloads = [r.payload_json for r in s.exec(select(OutboxRow).where(col(OutboxRow.state) == "acknowledged")).all()]
        assert verify(s).ok
    assert people["REG-0001"].name == PURGED_NAME and people["REG-0001"].nik.startswith("X")
    assert people["REG-0003"].name == "Dewi Wijaya"  # her check-in has not reached the server yet
    assert people["REG-0004"].name == "Budi Setiawati"  # never served: not this command's business
    assert all(p == "{}" for p in payloads) and not any("3215" in p for p in payloads)
    assert dataclasses.asdict(station.desk.day_numbers(dt.date(2021, 8, 5))) == before


def test_nothing_younger_than_the_retention_is_purged(station, clock):
    station.checkin.check_in("REG-0001")
    with station.ctx.db.write() as s:
        s.execute(update(OutboxRow).values(state="acknowledged"))
    clock.advance(days=30)
    with station.ctx.db.write() as s:
        assert purge(s, clock.today(), clock.today(), retention_days=90).people == 0


def test_kiosk_data_purge_says_what_it_did(tmp_path, capsys):
    from kiosk.cli import main
    from tests.unit.test_config import station_config

    config = tmp_path / "kiosk.toml"
    config.write_text(station_config(str(tmp_path)), encoding="utf-8")
    assert main(["--config", str(config), "data", "purge", "--before", "2021-09-01", "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("would purge the personal fields of 0 people served before 2021-09-01")
    assert main(["--config", str(config), "data", "purge", "--before", "2021-09-01"]) == 0
    assert capsys.readouterr().out.startswith("purged the personal fields of 0 people")
    assert main(["--config", str(config), "audit", "export"]) == 0
    assert "data.purge 0 people before 2021-09-01" in capsys.readouterr().out
