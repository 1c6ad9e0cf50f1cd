"""The end-of-day close staff run: refused while people are still being seen, then no-shows, the leftover
carried, check-ins stopped on the closed day, and a summary slip on paper."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from devices.printer import PreviewPrinter
from kiosk.domain.screening import ScreeningAnswers
from kiosk.errors import KioskError
from kiosk.services.clinic import DoseEntry
from kiosk.services.dayclose import close_day
from kiosk.storage.tables import DayQuota
from tests.escpos_parse import parse

HEALTHY = ScreeningAnswers(temperature_c=36.5, systolic=120, diastolic=80)


def test_closing_the_day_at_the_door(station, clock, tmp_path):
    done = station.checkin.check_in("REG-0001").visit_id
    station.clinic.record_screening(done, HEALTHY, "nurse")
    station.clinic.record_dose(done, DoseEntry("SINOVAC", "LOT-A1", dt.date(2022, 1, 1), "left deltoid", "dr. Ani"))
    station.checkin.check_in("REG-0002")  # still waiting for screening
    clock.advance(hours=9)
    with pytest.raises(KioskError, match="1 visit\\(s\\) of today are still in progress"):
        close_day(station.ctx, clock.today(), "Rina")
    closed = close_day(station.ctx, clock.today(), "Rina", force=True)
    assert closed.no_shows == 1 and not closed.already
    assert close_day(station.ctx, clock.today(), "Rina").already
    with station.ctx.db.read() as s:
        days = {d.service_day: d for d in s.exec(select(DayQuota)).all()}
    assert days[dt.date(2021, 8, 5)].closed and days[dt.date(2021, 8, 6)].cap == 400 + 399  # the leftover carried
    late = station.checkin.check_in("REG-0003")  # the doors are shut: a pass for tomorrow, not a slot of today
    assert late.kind == "full" and late.day == dt.date(2021, 8, 6)
    station.printing.run_pending(PreviewPrinter(tmp_path / "slips"))
    paper = parse(sorted((tmp_path / "slips").glob("*-summary.bin"))[0].read_bytes()).text()
    assert "RINGKASAN HARI / DAY SUMMARY" in paper and "05-08-2021" in paper and "Divaksin/Vaccinated: 1" in paper


def test_kiosk_day_close_prints_the_summary(tmp_path, capsys):
    from kiosk.cli import main
    from tests.unit.test_config import station_config

    config = tmp_path / "kiosk.toml"
    config.write_text(station_config(str(tmp_path)), encoding="utf-8")
    assert main(["--config", str(config), "day", "close", "--day", "2021-08-05", "--by", "Rina"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2021-08-05 closed: 0 no-show(s)") and "Kuota/Cap: 400" in out
    assert main(["--config", str(config), "day", "close", "--day", "2021-08-05"]) == 0
    assert capsys.readouterr().out.strip() == "2021-08-05 was closed already"
