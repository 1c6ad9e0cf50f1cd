"""`kiosk simulate`: a day replayed through two real stations on a real hub, checked; and a broken venue caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.simulate import load_scenario, simulate
from kiosk.simulate_report import write

ONE_DAY = """
name = "one-day"
first_day = 2021-08-05
days = 1
stock = 80
stations = 2
desks = 3
opens = 8
closes = 10
arrivals = [100]
show_up = 0.95
walkins = [8]
curve = [3, 2]
outcomes = { proceed = 0.85, postpone = 0.1, refer = 0.05 }
walkin_share = 0.05
paper_out = 0.02
paper_fix_minutes = 5
seed = 7

[[outages]]
from = 2021-08-05T08:30:00
to = 2021-08-05T09:30:00
"""


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "one-day.toml"
    path.write_text(ONE_DAY, encoding="utf-8")
    return path


def test_a_day_at_two_stations_through_an_outage_passes_every_check(hub, scenario_file, tmp_path):
    run = simulate(load_scenario(scenario_file), tmp_path / "run", hub.url())
    assert run.ok, run.checks
    [day] = run.days
    assert day.cap == 80 and 80 - day.released_late <= day.doses <= 80  # the day's doses given, not more
    assert day.doses + day.postponed + day.referred == day.admitted
    assert day.turned_away == day.arrived - day.admitted > 0  # more came than the day could serve
    during = [b for t, b in run.backlog if "08:30" <= t[11:] < "09:30"]
    assert max(during) > 0 and run.backlog[-1][1] == 0  # PCare down: records waited, then all went, once
    checks = {name: detail for name, _ok, detail in run.checks}
    assert checks["exchange"].startswith(f"{day.cards} of {day.cards}")
    written = write(run, tmp_path / "report")
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["ok"] and report["days"][0]["doses"] == day.doses and report["stations"] == 2
    svgs = [p for p in written if p.suffix == ".svg"]
    assert len(svgs) == 3 and all(p.read_text().lstrip().startswith("<?xml") and "<svg" in p.read_text() for p in svgs)


def test_a_station_with_a_cap_of_its_own_is_caught(hub, scenario_file, tmp_path):
    scenario = load_scenario(scenario_file)
    scenario.broken = "raised_cap"  # the second station is set up alone, with the venue's stock counted again
    run = simulate(scenario, tmp_path / "run", hub.url())
    failed = {name: detail for name, ok, detail in run.checks if not ok}
    assert "cap" in failed and "2021-08-05" in failed["cap"], run.checks


def test_the_command_prints_the_table_and_writes_the_report(hub, tmp_path, capsys):
    small = tmp_path / "small.toml"
    small.write_text(ONE_DAY.replace("stock = 80", "stock = 40").replace("arrivals = [100]", "arrivals = [55]"),
                     encoding="utf-8")
    code = main(["simulate", str(small), "--hub-url", hub.url(), "--report", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "one-day: 2 station(s), 3 screening desk(s)" in out and "2021-08-05" in out and "OK   central" in out
    assert (tmp_path / "out" / "cap-vs-used.svg").exists() and (tmp_path / "out" / "days.csv").read_text().count("\n") == 2
    assert main(["simulate", str(small), "--hub-url", hub.url(), "--desks", "1,3"]) == 1  # one hub cannot serve two runs
    assert "each variant needs a fresh hub" in capsys.readouterr().err
    assert main(["simulate", str(small), "--stations", "1", "--desks", "1,3"]) == 0  # how many desks do we need?
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if line[:8].strip() == "1"]
    assert [(r[0], r[1]) for r in rows] == [("1", "1"), ("1", "3")]
    assert float(rows[0][2]) > float(rows[1][2])  # one desk: a longer wait at the busiest hour than three


def test_a_wrong_scenario_says_what_is_wrong(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(ONE_DAY.replace("desks = 3", "desks = 3\ndeskz = 4"), encoding="utf-8")
    assert main(["simulate", str(bad)]) == 1
    assert "unknown key(s) deskz" in capsys.readouterr().err
    assert main(["simulate", "no-such-scenario"]) == 1
    assert "bundled: karawang-2021" in capsys.readouterr().err
