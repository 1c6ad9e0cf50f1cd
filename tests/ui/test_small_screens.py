"""Every screen is usable by touch on an 80x24 terminal and in foot's default font on a 10" 1280x800 panel.

"Usable" is what a person tapping would check: every button, field, list and the keypad is on the
screen whole (not cut off at an edge, not hidden behind another), with room for a finger (a button
at least 3 cells tall or a compact one). Fields inside a scrolling list count when the list scrolls.
"""

from __future__ import annotations

import pytest
from textual.containers import ScrollableContainer
from textual.widgets import Button, Checkbox, DataTable, Input, Select

from screens.widgets.keypad import Keypad

# 80x24: the smallest terminal; 99x36: foot 1.13's default font on cage at 1280x800 (measured with
# cage's headless backend at 1280x720: 99x33 cells, 21.8 px a row).
SIZES = [(80, 24), (99, 36)]
TOUCHABLE = (Button, Input, Select, Checkbox, DataTable, Keypad)


def problems(screen) -> list[str]:
    """What a person could not reach on ``screen``."""
    found = []
    area = screen.region
    for widget in screen.query("*"):
        if not isinstance(widget, TOUCHABLE) or not widget.display or not widget.visible:
            continue
        name = f"{type(widget).__name__}#{widget.id}"
        if any(isinstance(a, ScrollableContainer) for a in widget.ancestors):
            continue  # reachable by scrolling
        region = widget.region
        if region.area == 0:
            found.append(f"{name} has no room")
        elif not area.contains_region(region):
            found.append(f"{name} at {region} is cut off by the {area.width}x{area.height} screen")
        if isinstance(widget, Keypad) and region.height < 8:
            found.append(f"{name} keys are too small to tap ({region.height} rows)")
    return found


async def open_each(pilot, app, station):
    """Yield (name, screen) for every screen staff, technicians and attendees use."""
    from screens.card import CardScreen
    from screens.dose import DoseScreen
    from screens.exchange import ExchangeScreen
    from screens.pin import PinScreen
    from screens.print_queue import PrintQueueScreen
    from screens.result import ResultScreen
    from screens.screening import ScreeningScreen
    from screens.sync import SyncScreen
    from screens.walkin import WalkinScreen

    yield "scan", app.screen
    outcome = station.checkin.check_in("REG-0003")
    app.push_screen(ResultScreen(outcome))
    await pilot.pause()
    yield "result", app.screen
    app.pop_screen()
    app.push_screen(PinScreen("staff", "id"))
    await pilot.pause()
    yield "pin", app.screen
    app.pop_screen()
    app.switch_mode("staff")
    await pilot.pause()
    yield "staff", app.screen
    visit = station.desk.get(outcome.visit_id)
    for name, screen in (("screening", ScreeningScreen(visit)), ("dose", DoseScreen(visit)), ("card", CardScreen(visit)),
                         ("walkin", WalkinScreen()), ("print queue", PrintQueueScreen()), ("exchange", ExchangeScreen()),
                         ("sync", SyncScreen())):
        app.push_screen(screen)
        await pilot.pause()
        yield name, app.screen
        app.pop_screen()
    app.switch_mode("technician")
    await pilot.pause()
    yield "technician", app.screen


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_screen_can_be_used_by_touch(make_app, station, size):
    app = make_app(camera=False)
    report = {}
    async with app.run_test(size=size) as pilot:
        async for name, screen in open_each(pilot, app, station):
            await pilot.pause()
            report[name] = problems(screen)
    bad = [f"{name}: {problem}" for name, found in report.items() for problem in found]
    assert not bad, "\n".join(bad)
