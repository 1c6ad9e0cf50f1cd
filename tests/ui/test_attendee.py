"""The attendee's side, through the real app: scan or type, see the result, back by itself."""

import datetime as dt

from textual.widgets import Input, Label, Static

from screens.result import ResultScreen
from screens.scan import ScanScreen
from tests.escpos_parse import parse
from tests.helpers import show_qr, tap_key, type_text, until, until_screen


def result_text(app) -> str:
    """What the result screen says, or "" while it is not (yet) on screen."""
    if not isinstance(app.screen, ResultScreen):
        return ""
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


async def test_keypad_nik_checks_in_and_returns_to_scan(make_app, station):
    app = make_app(camera=False)
    station.settings.result_seconds = 1.5  # long enough to be seen on a busy machine, short enough to wait for
    async with app.run_test(size=(110, 34)) as pilot:
        for key in [*"3215110310804423", "OK"]:
            await tap_key(pilot, key)
        await until(pilot, lambda: result_text(app))
        text = result_text(app)
        # a typed NIK shows its owner enough to recognise themselves, not anyone's full name
        assert "Ahmad W." in text and "Wijaya" not in text and "Nomor antrean A-1" in text and "Queue number A-1" in text
        await until_screen(pilot, ScanScreen)  # back by itself
        assert app.screen.query_one("#scan-input", Input).value == ""


async def test_camera_qr_checks_in_once_while_held(make_app, station):
    app = make_app()
    (station.settings.data_dir / "camera").mkdir()
    async with app.run_test(size=(110, 34)) as pilot:
        await until(pilot, lambda: str(app.screen.query_one("#scan-camera", Label).render()) == "Kamera: siap")
        show_qr(station.settings.data_dir / "camera", "REG-0005")
        await until(pilot, lambda: result_text(app))
        assert "A-1" in result_text(app)
        await pilot.click("#result-box")  # a tap returns at once
        await until_screen(pilot, ScanScreen)
    assert station.desk.day_numbers().checked_in == 1


async def test_typed_registration_code_from_a_wedge_scanner(make_app):
    app = make_app(camera=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await type_text(pilot, "REG-0007")
        await pilot.press("enter")
        await until(pilot, lambda: result_text(app))
        assert "A-1" in result_text(app)


async def test_not_registered_and_strange_codes_send_to_staff(make_app):
    app = make_app(camera=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await type_text(pilot, "REG-4040")
        await pilot.press("enter")
        await until(pilot, lambda: result_text(app))
        assert "Belum terdaftar" in result_text(app) and "Please see staff" in result_text(app)
        assert app.screen.query_one("#result-box").has_class("stop")


async def test_full_day_prints_a_priority_pass(make_station, clock, tmp_path):
    from devices.factory import build_devices
    from screens.app import KioskApp
    from tests.conftest import DEMO_CSV

    station = make_station(overrides={dt.date(2021, 8, 5): 1})
    station.registrations.import_csv(DEMO_CSV)
    devices = build_devices(station.settings)
    devices.camera = None
    app = KioskApp(station.settings, station, devices)
    async with app.run_test(size=(110, 34)) as pilot:
        for code in ("REG-0001", "REG-0002"):
            await type_text(pilot, code)
            await pilot.press("enter")
            await until(pilot, lambda: result_text(app))
            if code == "REG-0001":
                await pilot.click("#result-box")
                await until_screen(pilot, ScanScreen)
        text = result_text(app)
        assert "Kuota hari ini penuh. Datang lagi Jumat, 06 Agustus 2021, tanpa antre" in text
        assert "Today is full. Come back on Friday, August 6, 2021, no queue" in text
        await app.workers.wait_for_complete()
    slips = sorted((station.settings.data_dir / "slips").glob("*-pass.bin"))
    assert len(slips) == 1
    paper = parse(slips[0].read_bytes())
    assert "TIKET PRIORITAS" in paper.text() and "06-08-2021" in paper.text() and "Ahmad W." in paper.text()
    assert "Wijaya" not in paper.text()
    assert "3215110310804423" not in paper.text() and paper.qr_payloads[0].startswith("SC1/P/KRW/")


async def test_attendee_mode_cannot_quit_or_open_the_palette(make_app):
    app = make_app(camera=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await pilot.press("ctrl+q")
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ScanScreen)
        assert app.ENABLE_COMMAND_PALETTE is False


async def test_printer_down_tells_the_attendee_where_to_get_the_pass(make_station):
    from devices.factory import build_devices
    from kiosk.ports import PrinterState
    from screens.app import KioskApp
    from tests.conftest import DEMO_CSV

    station = make_station(overrides={dt.date(2021, 8, 5): 0})
    station.registrations.import_csv(DEMO_CSV)
    devices = build_devices(station.settings)
    devices.camera, devices.printer.state = None, PrinterState.PAPER_OUT
    app = KioskApp(station.settings, station, devices)
    async with app.run_test(size=(110, 34)) as pilot:
        await type_text(pilot, "REG-0001")
        await pilot.press("enter")
        await until(pilot, lambda: any("printed at the desk" in n.message for n in app._notifications))
        assert not any("paper out" in n.message for n in app._notifications)
    [job] = station.printing.pending()
    assert job.kind == "pass" and job.last_error == "printer paper out"


async def test_camera_preview_shows_the_picture_with_the_code_outlined(make_app, station):
    from screens.widgets.camera_preview import OUTLINE, CameraPreview

    station.settings.result_seconds = 60
    (station.settings.data_dir / "camera").mkdir()
    app = make_app()
    async with app.run_test(size=(110, 40)) as pilot:
        preview = app.screen.query_one(CameraPreview)
        # the picture fills the preview (two pixel rows a line) once the layout has settled
        await until(pilot, lambda: preview.pixels is not None
                    and preview.pixels.shape[:2] == (2 * preview.size.height, preview.size.width))
        show_qr(station.settings.data_dir / "camera", "REG-0010")
        await until(pilot, lambda: (preview.pixels == OUTLINE).all(axis=2).any())  # the code outlined in green
        await until(pilot, lambda: result_text(app))


async def test_camera_preview_can_be_turned_off(make_app, station):
    from screens.widgets.camera_preview import CameraPreview

    station.settings.devices.camera_preview = False
    app = make_app()
    async with app.run_test(size=(110, 34)) as pilot:
        await pilot.pause()
        assert not app.screen.query(CameraPreview)


async def test_a_held_code_is_taken_once_and_the_next_person_at_once(make_app, station):
    """Debounce: a code held in front of the camera for several seconds is one check-in; a
    different code right after the result screen returns is taken without waiting."""
    app = make_app()
    camera = app.devices.camera
    camera.hold_s, camera.gap_s = 4.0, 0.0  # the attendee holds the phone up for 4 s
    asked: list[str] = []
    check_in = app.check_in
    app.check_in = lambda text, reply_to: (asked.append(text), check_in(text, reply_to))  # count, then the real one
    (station.settings.data_dir / "camera").mkdir()
    async with app.run_test(size=(110, 34)) as pilot:
        await until(pilot, lambda: str(app.screen.query_one("#scan-camera", Label).render()) == "Kamera: siap")
        show_qr(station.settings.data_dir / "camera", "REG-0008", name="a.png")
        await until(pilot, lambda: result_text(app))
        await pilot.click("#result-box")  # back to scanning while the same code is still held up
        await until_screen(pilot, ScanScreen)
        await pilot.pause(1.5)
        assert asked == ["REG-0008"]
        show_qr(station.settings.data_dir / "camera", "REG-0009", name="b.png")
        await until(pilot, lambda: len(asked) == 2, tries=400)
    assert asked == ["REG-0008", "REG-0009"]


def results_on_stack(app) -> int:
    return sum(isinstance(s, ResultScreen) for s in app.screen_stack)


async def test_two_attendees_a_moment_apart_both_get_their_result_one_at_a_time(make_app, station):
    """cp REG-0021.png camera/; sleep 1.5; cp REG-0022.png camera/ — with taps during the changes."""
    station.settings.result_seconds = 3.0
    app = make_app()
    camera = station.settings.data_dir / "camera"
    camera.mkdir()
    async with app.run_test(size=(110, 34)) as pilot:
        await until(pilot, lambda: str(app.screen.query_one("#scan-camera", Label).render()) == "Kamera: siap")
        show_qr(camera, "REG-0021", "a.png")
        await until(pilot, lambda: "A-1" in result_text(app))
        await pilot.pause(1.5)
        show_qr(camera, "REG-0022", "b.png")
        for _ in range(150):  # the second result replaces the first; never two result screens
            assert results_on_stack(app) <= 1
            if "A-2" in result_text(app):
                break
            await pilot.pause(0.02)
        assert "A-2" in result_text(app) and "A-1" not in result_text(app)
        await until_screen(pilot, ScanScreen)  # and it clears by itself
        assert results_on_stack(app) == 0 and app.is_running
        show_qr(camera, "REG-0023", "c.png")
        await until(pilot, lambda: "A-3" in result_text(app))
        await pilot.click(offset=(5, 1))  # a tap, and more taps while the screen goes
        await pilot.click(offset=(5, 1))
        await pilot.click(offset=(5, 1))
        await until_screen(pilot, ScanScreen)
        assert app.is_running
    assert station.desk.day_numbers().checked_in == 3


async def test_a_scanner_burst_on_the_result_screen_checks_the_next_person_in(make_app, station):
    from tests.helpers import scanner_burst

    app = make_app(camera=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await type_text(pilot, "REG-0001")
        await pilot.press("enter")
        await until(pilot, lambda: "A-1" in result_text(app))
        await scanner_burst(pilot, "REG-0002")
        await until(pilot, lambda: "A-2" in result_text(app))
        assert not any("not taken" in n.message for n in app._notifications)
    assert station.desk.day_numbers().checked_in == 2


def test_an_unexpected_error_in_the_app_exits_non_zero(station, monkeypatch):
    from textual.app import App

    from screens import launch
    from screens.app import KioskApp

    def broken(self):
        raise RuntimeError("a bug nobody foresaw")

    monkeypatch.setattr(KioskApp, "on_mount", broken)
    monkeypatch.setattr(KioskApp, "run", lambda self: App.run(self, headless=True))
    monkeypatch.setattr(launch, "build", lambda settings: (station, None))
    assert launch.launch(station.settings) == 1


async def test_a_nik_typed_while_the_person_before_sees_their_result_is_not_lost(make_app, station):
    """The next attendee starts typing as the result of the one before appears (found in the demo: a card read
    while someone typed); what they type goes on into the scan screen's box and checks them in."""
    station.settings.result_seconds = 30  # every key lands while the result shows
    app = make_app(camera=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await type_text(pilot, "REG-0001")
        await pilot.press("enter")
        await until(pilot, lambda: "A-1" in result_text(app))
        await type_text(pilot, "32151103108044233")  # one digit too many, taken back
        await pilot.press("backspace")
        await pilot.press("enter")
        await until(pilot, lambda: "Ahmad W." in result_text(app))
        assert "A-2" in result_text(app)
    assert station.desk.day_numbers().checked_in == 2


async def test_digits_tapped_on_the_keypad_then_typed_on_a_keyboard_stay_in_order(make_app, station):
    app = make_app(camera=False)
    async with app.run_test(size=(110, 34)) as pilot:
        for key in "3215":
            await tap_key(pilot, key)
        await type_text(pilot, "110310804423")
        assert app.screen.query_one("#scan-input", Input).value == "3215110310804423"


async def test_a_code_read_while_someone_is_typing_leaves_what_they_typed(make_app, station):
    """Found in the demo: a card read by the camera while the next person was half-way through their NIK
    cleared the box, and the rest of their digits went in as a code nobody has."""
    station.settings.result_seconds = 30
    app = make_app(camera=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await type_text(pilot, "3215110")
        app.screen.post_message(ScanScreen.CodeSeen("REG-0001"))  # the camera reads the person before
        await until(pilot, lambda: "A-1" in result_text(app))
        await type_text(pilot, "310804423")
        await pilot.press("enter")
        await until(pilot, lambda: "Ahmad W." in result_text(app))
    assert station.desk.day_numbers().checked_in == 2
