"""What people look at: the scan, result, screening and card screens, as SVG snapshots.

Update after an intended change with ``uv run pytest tests/ui/test_snapshots.py --snapshot-update``
and look at the SVGs before committing them.
"""

import datetime as dt

import pytest
from textual.widgets import Input

from kiosk.domain.screening import ScreeningAnswers
from kiosk.services.clinic import DoseEntry
from screens.card import CardScreen
from screens.screening import ScreeningScreen
from tests.helpers import type_text, until

# An 80x24 terminal, and foot's default font on a 10" 1280x800 panel (see test_small_screens.py).
SIZES = pytest.mark.parametrize("size", [(80, 24), (99, 36)], ids=["80x24", "99x36"])


@SIZES
def test_scan_screen(size, snap_compare, make_app):
    assert snap_compare(make_app(camera=False), terminal_size=size)


@SIZES
def test_result_admitted(size, snap_compare, make_app, station):
    station.settings.result_seconds = 60

    async def scan(pilot):
        await type_text(pilot, "REG-0012")
        await pilot.press("enter")
        await until(pilot, lambda: pilot.app.screen.query("#result-queue"))

    assert snap_compare(make_app(camera=False), terminal_size=size, run_before=scan)


@SIZES
def test_result_full_with_pass(size, snap_compare, make_station, deterministic_ids):
    from devices.factory import build_devices
    from screens.app import KioskApp
    from tests.conftest import DEMO_CSV

    station = make_station(overrides={dt.date(2021, 8, 5): 0})
    station.registrations.import_csv(DEMO_CSV)
    station.settings.result_seconds = 60
    devices = build_devices(station.settings)
    devices.camera = None

    async def scan(pilot):
        await type_text(pilot, "REG-0012")
        await pilot.press("enter")
        await until(pilot, lambda: pilot.app.screen.query("#result-pass"))
        await pilot.app.workers.wait_for_complete()

    assert snap_compare(KioskApp(station.settings, station, devices), terminal_size=size, run_before=scan)


@SIZES
def test_screening_form_with_fever(size, snap_compare, make_app, station):
    visit = station.checkin.check_in("REG-0003").visit_id  # born 1960: the frailty questions show

    async def open_form(pilot):
        pilot.app.switch_mode("staff")
        await pilot.pause()
        await pilot.app.push_screen(ScreeningScreen(station.desk.get(visit)))
        for field, value in (("temperature", "37.9"), ("systolic", "130"), ("diastolic", "85")):
            pilot.app.screen.query_one(f"#screening-{field}", Input).value = value
        await pilot.pause()

    assert snap_compare(make_app(camera=False), terminal_size=size, run_before=open_form)


@SIZES
def test_card_screen_after_printing(size, snap_compare, make_app, station, deterministic_ids):
    visit = station.checkin.check_in("REG-0002").visit_id
    station.clinic.record_screening(visit, ScreeningAnswers(36.6, 120, 80), "Nurse Rina")
    station.clinic.record_dose(visit, DoseEntry("SINOVAC", "SNV-2107", dt.date(2021, 12, 31), "left deltoid", "dr. Ani"))

    async def issue(pilot):
        pilot.app.switch_mode("staff")
        await pilot.pause()
        await pilot.app.push_screen(CardScreen(station.desk.get(visit)))
        await pilot.click("#card-issue")
        await pilot.app.workers.wait_for_complete()
        await until(pilot, lambda: "tercetak" in str(pilot.app.screen.query_one("#card-print-state").render()))
        await pilot.hover("#card-title")  # no hover highlight, and the press effect must be over
        await until(pilot, lambda: not pilot.app.screen.query_one("#card-issue").has_class("-active"))

    assert snap_compare(make_app(camera=False), terminal_size=size, run_before=issue)


@SIZES
def test_staff_desk_with_visits(size, snap_compare, make_app, station):
    for code in ("REG-0001", "REG-0002", "REG-0003"):
        station.checkin.check_in(code)

    async def unlock(pilot):
        pilot.app.switch_mode("staff")
        await pilot.pause()

    assert snap_compare(make_app(camera=False), terminal_size=size, run_before=unlock)


@SIZES
def test_pin_pad(size, snap_compare, make_app):
    async def ask(pilot):
        await pilot.press("f2")
        await pilot.pause()

    assert snap_compare(make_app(camera=False), terminal_size=size, run_before=ask)
