"""A venue station in the real app: the staff desk shows the venue's numbers, the venue screen a line per
station and the conflicts, and a cut LAN turns the line into how many slots this station has left."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Label

from devices.factory import build_devices
from kiosk.hub import admin
from screens.app import KioskApp
from screens.staff import StaffScreen
from screens.venue import VenueScreen
from tests.conftest import DEMO_CSV, STAFF_PIN
from tests.helpers import unlock, until, until_screen
from tests.hub.venue import karawang_plan_loaded, sync, venue_station
from tests.tcp_relay import TcpRelay


@pytest.fixture
def relay(hub):
    r = TcpRelay(hub.port)
    yield r
    r.close()


async def test_the_staff_desk_shows_the_venue_and_what_is_left_when_cut_off(hub, relay, tmp_path, clock):
    karawang_plan_loaded(hub)  # 400 a day
    admin.import_registrations(hub.url(), DEMO_CSV)
    other = venue_station(tmp_path, hub, "ST-B", clock)
    station = venue_station(tmp_path, hub, "ST-A", clock, relay.port, offline_slots=4)
    try:
        sync(other, station)
        assert other.checkin.check_in("REG-0001").kind == "admitted"
        assert station.checkin.check_in("REG-0002").kind == "admitted"
        relay.cut()  # A is cut off: B admits REG-0003, and so does A
        assert other.checkin.check_in("REG-0003").kind == "admitted"
        assert station.checkin.check_in("REG-0003").kind == "admitted"
        relay.mend()
        station.ctx.hub.probe()
        sync(other)
        app = KioskApp(station.settings, station, build_devices(station.settings))
        async with app.run_test(size=(120, 40)) as pilot:
            await unlock(pilot, app, STAFF_PIN)
            await until_screen(pilot, StaffScreen)
            line = app.screen.query_one("#staff-venue", Label)
            await until(pilot, lambda: "cap 400" in str(line.render()), tries=500)
            await until(pilot, lambda: "used 4 " in str(line.render()), tries=500)  # A reported its cut-off one
            await until(pilot, lambda: "1 conflict(s)" in str(line.render()), tries=500)  # REG-0003, once A's record arrived
            await pilot.press("f10")
            await until_screen(pilot, VenueScreen)
            stations = app.screen.query_one("#venue-stations", DataTable)
            assert {str(stations.get_row_at(i)[0]) for i in range(stations.row_count)} == {"ST-A", "ST-B"}
            conflicts = app.screen.query_one("#venue-conflicts", DataTable)
            row = [str(c) for c in conflicts.get_row_at(0)]
            assert "admitted twice" in row[1] and row[3].startswith("ST-B") and row[4].startswith("ST-A")
            await pilot.press("escape")
            await until_screen(pilot, StaffScreen)
            relay.cut()
            line = app.screen.query_one("#staff-venue", Label)
            await until(pilot, lambda: "Hub out of reach" in str(line.render()), tries=750)
            assert "slot(s) left on this station" in str(line.render())
    finally:
        other.close()
