"""A printer fault during the day, through the real app and a TCP printer (the fake is a test double).

The attendee is told the pass will be printed at the desk, the staff print queue shows the
printer's own reason, and when the cover is closed the pass prints exactly once.
"""

import datetime as dt

import pytest
from textual.widgets import DataTable, Label

from devices.factory import build_devices
from screens.app import KioskApp
from screens.print_queue import PrintQueueScreen
from screens.staff import StaffScreen
from tests.conftest import DEMO_CSV, STAFF_PIN
from tests.escpos_parse import parse
from tests.fake_printer import FakeNetworkPrinter
from tests.helpers import type_text, unlock, until, until_screen


@pytest.fixture
def full_day(make_station):
    """A station whose day is full (everyone gets a pass) printing to a fake TCP printer (a TEST DOUBLE)."""
    fake = FakeNetworkPrinter()
    station = make_station(overrides={dt.date(2021, 8, 5): 0})
    station.registrations.import_csv(DEMO_CSV)
    station.settings.devices.printer_url = fake.url
    devices = build_devices(station.settings)
    devices.camera = None
    yield station, KioskApp(station.settings, station, devices), fake
    fake.close()


async def test_cover_open_then_closed_prints_the_pass_once(full_day):
    station, app, fake = full_day
    fake.mode = "cover_open"
    async with app.run_test(size=(120, 40)) as pilot:
        await type_text(pilot, "REG-0003")
        await pilot.press("enter")
        await until(pilot, lambda: any("printed at the desk" in n.message for n in app._notifications))
        assert fake.paper == b""
        await pilot.click("#result-box")
        await unlock(pilot, app, STAFF_PIN)
        await until_screen(pilot, StaffScreen)
        await pilot.press("f6")
        await until_screen(pilot, PrintQueueScreen)
        await until(pilot, lambda: "cover open" in str(app.screen.query_one("#printq-status", Label).render()))
        assert app.screen.query_one(DataTable).get_row_at(0)[4] == "printer cover open"
        fake.mode = "ready"
        await pilot.click("#printq-print")
        await until(pilot, lambda: app.screen.query_one(DataTable).row_count == 0)
        await pilot.click("#printq-print")  # again: nothing left, nothing printed twice
        await app.workers.wait_for_complete()
    paper = parse(bytes(fake.paper))
    assert paper.text().count("TIKET PRIORITAS") == 1 and paper.cuts == 1
    assert station.printing.outstanding() == []



async def test_paper_loaded_again_prints_the_waiting_pass_by_itself_and_the_queue_screen_follows(full_day):
    station, app, fake = full_day
    fake.mode = "paper_out"
    async with app.run_test(size=(120, 40)) as pilot:
        app.spooler.poll_seconds = 0.2
        await type_text(pilot, "REG-0003")
        await pilot.press("enter")
        await until(pilot, lambda: any("ticket will be printed at the desk" in n.message for n in app._notifications))
        await pilot.click("#result-box")
        await unlock(pilot, app, STAFF_PIN)
        await pilot.press("f6")
        await until_screen(pilot, PrintQueueScreen)
        await until(pilot, lambda: "paper out" in str(app.screen.query_one("#printq-status", Label).render()))
        fake.mode = "ready"  # paper loaded; nobody presses print
        await until(pilot, lambda: app.screen.query_one(DataTable).row_count == 0)
        assert "ready" in str(app.screen.query_one("#printq-status", Label).render())
    assert parse(bytes(fake.paper)).text().count("TIKET PRIORITAS") == 1

