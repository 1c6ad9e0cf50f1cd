"""Keyboard-wedge scanners in the real app: a burst is a scan on every screen that takes one,
whatever has focus, and its characters never land in an input; a person typing is unaffected."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from screens.result import ResultScreen
from screens.screening import ScreeningScreen
from screens.staff import StaffScreen
from tests.conftest import STAFF_PIN
from tests.helpers import scanner_burst, type_text, unlock, until, until_screen


async def test_a_scanner_burst_on_the_attendee_screen_checks_in(make_app, station):
    app = make_app(camera=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await until(pilot, lambda: app.ready)
        await scanner_burst(pilot, "REG-0003")
        await until_screen(pilot, ResultScreen)
        assert app.screen.outcome.kind == "admitted" and app.screen.outcome.queue_number == "A-1"


async def test_a_scanner_without_a_terminator_is_read_when_it_stops(make_app, station):
    app = make_app(camera=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await until(pilot, lambda: app.ready)
        await scanner_burst(pilot, "REG-0004", suffix=None)
        await until_screen(pilot, ResultScreen)
        assert app.screen.outcome.kind == "admitted"


async def test_a_person_typing_still_types_into_the_field(make_app, station):
    app = make_app(camera=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await until(pilot, lambda: app.ready)
        await type_text(pilot, "REG-00")
        await pilot.pause(0.1)
        assert app.screen.query_one("#scan-input", Input).value == "REG-00"  # every key arrived, in order
        await type_text(pilot, "05")
        await pilot.press("enter")
        await until_screen(pilot, ResultScreen)
        assert app.screen.outcome.kind == "admitted"


async def test_scanning_at_the_staff_desk_finds_and_checks_in_without_touching_other_fields(make_app, station):
    app = make_app(camera=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot, app, STAFF_PIN)
        await until_screen(pilot, StaffScreen)
        await scanner_burst(pilot, "REG-0006")
        await until(pilot, lambda: app.screen.query_one(DataTable).row_count == 1)
        assert app.screen.visits[0].state == "checked_in"

        await pilot.click("#staff-screening")
        await until_screen(pilot, ScreeningScreen)
        staff_name = app.screen.query_one("#screening-staff", Input)
        staff_name.focus()
        await type_text(pilot, "Rina")
        await scanner_burst(pilot, "REG-0007")  # a scan here must not end up in the name field
        await until(pilot, lambda: any("not taken on this screen" in n.message for n in app._notifications))
        assert staff_name.value == "Rina"
