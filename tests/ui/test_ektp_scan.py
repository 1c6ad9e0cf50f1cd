"""An e-KTP held to the camera on the real scan screen: the right person checked in, or told what to do."""

from __future__ import annotations

import datetime as dt

import cv2
import pytest
from textual.widgets import Label

from screens.scan import ScanScreen
from tests.ektp import card_frame
from tests.helpers import until
from tests.ui.test_attendee import result_text

AHMAD = ("3215110310804423", "Ahmad Wijaya", dt.date(1980, 10, 3), "M")  # REG-0002 of the demo registrations


@pytest.fixture
def app(station, make_app):
    """The app with the e-KTP reader on (the other tests leave it off) and a card held up long enough to be read twice."""
    station.settings.devices.read_ektp = True
    made = make_app()
    made.devices.camera.hold_s = 8.0
    (station.settings.data_dir / "camera").mkdir()
    return made


def hold_up(station, image) -> None:
    """Hold a card photo to the folder camera."""
    cv2.imwrite(str(station.settings.data_dir / "camera" / "ektp.jpg"), image)


def camera_label(app) -> str:
    return str(app.screen.query_one("#scan-camera", Label).render()) if isinstance(app.screen, ScanScreen) else ""


async def test_an_ektp_held_to_the_camera_checks_its_holder_in(app, station):
    async with app.run_test(size=(110, 34)) as pilot:
        await until(pilot, lambda: camera_label(app) == "Kamera: siap")
        hold_up(station, card_frame(*AHMAD, seed=4))
        await until(pilot, lambda: result_text(app), tries=1500)
        text = result_text(app)
        assert "Ahmad W." in text and "A-1" in text  # as if they had typed their NIK
    assert station.desk.day_numbers().checked_in == 1


async def test_a_card_that_disagrees_with_itself_asks_the_attendee_to_type_their_nik(app, station):
    async with app.run_test(size=(80, 24)) as pilot:  # the smallest terminal: the words must show whole
        await until(pilot, lambda: camera_label(app) == "Kamera: siap")
        hold_up(station, card_frame(*AHMAD, seed=4, printed_born=dt.date(1980, 10, 4)))
        await until(pilot, lambda: "lebih dekat" in camera_label(app), tries=1500)  # first: hold it still, closer
        await until(pilot, lambda: "ketik NIK" in camera_label(app), tries=1500)  # twice wrong: type instead
        assert camera_label(app) == "Kartu tak terbaca: ketik NIK"
        label = app.screen.query_one("#scan-camera", Label)
        column = app.screen.query_one("#scan-left").region
        assert label.content_region.width >= len(camera_label(app)) and label.region.right <= column.right
        await until(pilot, lambda: camera_label(app) == "Kamera: siap", tries=1500)  # the card taken away
    assert station.desk.day_numbers().checked_in == 0


async def test_staff_hold_an_ektp_to_the_camera_at_the_desk_and_find_its_holder(app, station):
    from screens.staff import StaffScreen
    from tests.conftest import STAFF_PIN
    from tests.helpers import unlock

    async with app.run_test(size=(110, 34)) as pilot:
        await until(pilot, lambda: camera_label(app) == "Kamera: siap")
        await unlock(pilot, app, STAFF_PIN)
        assert isinstance(app.screen, StaffScreen)
        hold_up(station, card_frame(*AHMAD, seed=4))
        await until(pilot, lambda: station.desk.day_numbers().checked_in == 1, tries=1500)  # checked in from the desk
        assert isinstance(app.screen, StaffScreen)  # no attendee result over the desk
        await until(pilot, lambda: [v.name for v in app.screen.visits] == ["Ahmad Wijaya"])  # and shown on the desk
