"""The day hour by hour, as staff and `kiosk report --hourly` show it, from a scripted day on a real station."""

from __future__ import annotations

import datetime as dt

from devices.printer import PreviewPrinter
from kiosk.domain.screening import ScreeningAnswers
from kiosk.services.clinic import DoseEntry
from tests.conftest import DEMO_CSV

HEALTHY = ScreeningAnswers(temperature_c=36.5, systolic=120, diastolic=80)
FEVER = ScreeningAnswers(temperature_c=38.4, systolic=120, diastolic=80)


def test_a_day_hour_by_hour(make_station, clock, tmp_path):
    station = make_station(stock=10)  # 2 a day
    station.registrations.import_csv(DEMO_CSV)
    first = station.checkin.check_in("REG-0001").visit_id  # 08:00
    second = station.checkin.check_in("REG-0002").visit_id
    clock.advance(minutes=30)
    assert station.checkin.check_in("REG-0003").kind == "full"  # 08:30, a pass for tomorrow
    clock.advance(minutes=40)  # 09:10
    station.clinic.record_screening(first, HEALTHY, "nurse")
    station.clinic.record_dose(first, DoseEntry("SINOVAC", "LOT-A1", dt.date(2022, 1, 1), "left deltoid", "dr. Ani"))
    station.clinic.record_screening(second, FEVER, "nurse")  # postponed: the slot goes back
    clock.advance(hours=2)  # 11:10
    station.clinic.issue_card(first)
    station.printing.run_pending(PreviewPrinter(tmp_path / "slips"))
    hours = {h.hour: h for h in station.desk.hourly(dt.date(2021, 8, 5))}
    assert sorted(hours) == [8, 9, 10, 11]
    assert (hours[8].checked_in, hours[8].turned_away, hours[8].passes_issued, hours[8].used, hours[8].free) == (2, 1, 1, 2, 0)
    assert (hours[9].vaccinated, hours[9].postponed, hours[9].used, hours[9].free) == (1, 1, 1, 1)
    assert hours[10].checked_in == hours[10].vaccinated == 0 and hours[10].used == 1
    assert hours[11].cards_printed == 1


def test_kiosk_report_hourly_csv(tmp_path, capsys):
    from kiosk.bootstrap import build_station
    from kiosk.cli import main
    from kiosk.config import load_settings
    from tests.unit.test_config import station_config

    config = tmp_path / "kiosk.toml"
    config.write_text(station_config(str(tmp_path)), encoding="utf-8")
    assert main(["--config", str(config), "report", "--hourly"]) == 0
    assert capsys.readouterr().out.strip() == "nothing happened on that day"
    station = build_station(load_settings(config))
    station.registrations.import_csv(DEMO_CSV)
    assert station.checkin.check_in("REG-0001").kind == "plan_over"  # today is outside the 2021 plan
    hour = station.ctx.clock.local(station.ctx.clock.now()).hour
    station.close()
    assert main(["--config", str(config), "report", "--hourly", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("hour,checked_in,vaccinated,postponed,turned_away,")
    assert lines[1].startswith(f"{hour},0,0,0,1,")
