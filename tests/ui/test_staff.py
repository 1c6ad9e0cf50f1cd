"""Staff and technician modes through the real app: PIN, desk check-in, screening, dose, card."""

from textual.widgets import DataTable, Input, Label, Static

from screens.card import CardScreen
from screens.pin import PinScreen
from screens.scan import ScanScreen
from screens.screening import ScreeningScreen
from screens.staff import StaffScreen
from screens.technician import TechnicianScreen
from tests.conftest import STAFF_PIN, TECH_PIN
from tests.helpers import scanner_burst, type_text, unlock, until, until_screen


async def test_wrong_pin_stays_locked_right_pin_opens_staff(make_app):
    app = make_app(camera=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await unlock(pilot, app, "0000")
        assert isinstance(app.screen, PinScreen)
        assert "Wrong PIN" in str(app.screen.query_one("#pin-error", Label).render())
        await type_text(pilot, STAFF_PIN)
        await pilot.press("enter")
        await until_screen(pilot, StaffScreen)
        assert app.current_mode == "staff"
        await pilot.press("f9")  # lock
        await until_screen(pilot, ScanScreen)


async def test_staff_walks_a_visit_from_check_in_to_printed_card(make_app, station):
    app = make_app(camera=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot, app, STAFF_PIN)
        await until_screen(pilot, StaffScreen)
        await type_text(pilot, "REG-0002")
        await pilot.press("enter")  # nobody matches yet: the desk checks them in
        await until(pilot, lambda: app.screen.query_one(DataTable).row_count == 1)
        assert "A-1" in str(app.screen.query_one("#staff-message", Label).render())

        await pilot.click("#staff-screening")
        await until_screen(pilot, ScreeningScreen)
        for field, value in (("temperature", "36.6"), ("systolic", "125"), ("diastolic", "82")):
            app.screen.query_one(f"#screening-{field}", Input).value = value
        await pilot.pause()
        assert "Outcome: PROCEED" in str(app.screen.query_one("#screening-outcome", Static).render())
        app.screen.query_one("#screening-staff", Input).value = "Nurse Rina"
        await pilot.click("#screening-save-button")
        await until_screen(pilot, StaffScreen)

        await pilot.click("#staff-dose")
        await until(pilot, lambda: app.screen.query("#dose-lot"))
        app.screen.query_one("#dose-lot", Input).value = "SNV-2107"
        app.screen.query_one("#dose-expiry", Input).value = "31-12-2021"
        app.screen.query_one("#dose-vaccinator", Input).value = "dr. Ani"
        await pilot.click("#dose-save-button")
        await until_screen(pilot, CardScreen)
        await pilot.click("#card-issue")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: "Print: printed" in str(app.screen.query_one("#card-print-state", Label).render()))
        assert "KARTU VAKSIN SEMENTARA" in str(app.screen.query_one("#card-slip", Static).render())
    visit = station.desk.find("REG-0002")[0]
    assert visit.state == "card_issued" and visit.outcome == "proceed" and visit.card_short_id


async def test_screening_form_explains_a_bad_value(make_app, station):
    station.checkin.check_in("REG-0002")
    app = make_app(camera=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot, app, STAFF_PIN)
        await until(pilot, lambda: isinstance(app.screen, StaffScreen) and app.screen.query_one(DataTable).row_count)
        await pilot.click("#staff-screening")
        await until_screen(pilot, ScreeningScreen)
        app.screen.query_one("#screening-temperature", Input).value = "38.1"
        await pilot.click("#screening-save-button")
        assert "Systolic: type a number" in str(app.screen.query_one("#form-error", Label).render())
        assert station.desk.find("REG-0002")[0].state == "checked_in"  # nothing recorded


async def test_walkin_is_registered_and_checked_in(make_app, station):
    app = make_app(camera=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot, app, STAFF_PIN)
        await until_screen(pilot, StaffScreen)
        await pilot.press("f4")
        await until(pilot, lambda: app.screen.query("#walkin-nik"))
        for field, value in (("nik", "3215014505900001"), ("name", "Nur Hasanah"), ("birth", "05-05-1990")):
            app.screen.query_one(f"#walkin-{field}", Input).value = value
        app.screen.query_one("#walkin-sex").value = "F"
        await pilot.click("#walkin-save")
        await until(pilot, lambda: "W-1" in str(app.screen.query_one("#walkin-result", Label).render()))
    assert station.desk.find("Nur Hasanah")[0].walkin


async def test_technician_sees_diagnostics_and_can_quit(make_app):
    app = make_app(camera=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot, app, TECH_PIN, key="f3")
        await until_screen(pilot, TechnicianScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        rows = {table.get_row_at(i)[0]: table.get_row_at(i) for i in range(table.row_count)}
        assert {"database", "clock", "print queue", "venue key", "decoder", "camera", "printer"} <= set(rows)
        assert rows["database"][1] == "OK" and "rev 0005" in rows["database"][2]
        assert rows["printer"][1] == "OK"
        assert "(hashed, hidden)" in str(app.screen.query_one("#tech-config", Static).render())
        assert "scan something now" in rows["scanner"][2]
        await scanner_burst(pilot, "3215110310804423")  # the scanner test: read, shown masked, nobody checked in
        await pilot.pause()
        rows = {table.get_row_at(i)[0]: table.get_row_at(i) for i in range(table.row_count)}
        assert rows["scanner"][2].startswith("read a NIK (3215") and "0804423" not in rows["scanner"][2]
        assert "as one burst: the scanner works" in rows["scanner"][2]
        await pilot.press("ctrl+q")  # technicians may quit
        await pilot.pause()
    assert app.return_code == 0 or not app.is_running


async def test_staff_sees_why_a_slip_waits_and_prints_it_when_the_printer_is_back(make_app, station):
    import datetime as dt

    from kiosk.domain.screening import ScreeningAnswers
    from kiosk.ports import PrinterState
    from kiosk.services.clinic import DoseEntry
    from screens.print_queue import PrintQueueScreen

    visit = station.checkin.check_in("REG-0002").visit_id
    station.clinic.record_screening(visit, ScreeningAnswers(36.6, 120, 80), "nurse")
    station.clinic.record_dose(visit, DoseEntry("SINOVAC", "SNV-1", dt.date(2021, 12, 1), "left deltoid", "dr. Ani"))
    station.clinic.issue_card(visit)
    app = make_app(camera=False)
    app.devices.printer.state = PrinterState.PAPER_OUT
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.last_print.error == "printer paper out")
        await unlock(pilot, app, STAFF_PIN)
        await until_screen(pilot, StaffScreen)
        await pilot.press("f6")
        await until_screen(pilot, PrintQueueScreen)
        await until(pilot, lambda: "paper out" in str(app.screen.query_one("#printq-status", Label).render()))
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1 and table.get_row_at(0)[1] == "failed" and table.get_row_at(0)[4] == "printer paper out"
        app.devices.printer.state = PrinterState.READY  # paper refilled
        await pilot.click("#printq-print")
        await until(pilot, lambda: app.screen.query_one(DataTable).row_count == 0)
    assert len(list((station.settings.data_dir / "slips").glob("*-card.bin"))) == 1


async def test_five_wrong_pins_lock_the_pad_with_a_countdown_that_doubles_and_every_try_is_audited(make_app, station):
    from sqlmodel import select

    from kiosk.storage.tables import AuditEntry
    from tests.helpers import until

    station.access.base_seconds = 1.0
    app = make_app(camera=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await pilot.press("f2")
        await until_screen(pilot, PinScreen)
        for _ in range(5):
            await type_text(pilot, "0000")
            await pilot.press("enter")
        error = lambda: str(app.screen.query_one("#pin-error", Label).render())  # noqa: E731
        assert error().startswith("Terkunci:") and app.screen.query_one("#pin-input").disabled
        await type_text(pilot, STAFF_PIN)  # the right PIN while locked does nothing
        await pilot.press("enter")
        assert isinstance(app.screen, PinScreen)
        await until(pilot, lambda: not app.screen.query_one("#pin-input").disabled, tries=400)
        for _ in range(5):  # five more: the second lockout is twice as long
            await type_text(pilot, "1111")
            await pilot.press("enter")
        assert 1.0 < station.access.wait_seconds() <= 2.0
        await until(pilot, lambda: not app.screen.query_one("#pin-input").disabled, tries=500)
        await type_text(pilot, STAFF_PIN)
        await pilot.press("enter")
        await until_screen(pilot, StaffScreen)
    with station.ctx.db.read() as s:
        actions = [a.action for a in s.exec(select(AuditEntry)).all()]
    assert actions.count("pin.failed.staff") == 10 and actions.count("pin.unlock.staff") == 1


async def test_staff_mode_locks_itself_when_left_alone_after_a_warning(make_app, station, monkeypatch):
    import time as real_time
    import types

    import screens.app
    from screens.scan import ScanScreen
    from tests.helpers import until

    skipped = [0.0]  # the app's idle clock runs ahead of the wall clock by this much: no test waits out a real minute
    monkeypatch.setattr(screens.app, "time", types.SimpleNamespace(monotonic=lambda: real_time.monotonic() + skipped[0]))
    station.settings.station.idle_lock_seconds = 30
    app = make_app(camera=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await unlock(pilot, app, STAFF_PIN)
        await until_screen(pilot, StaffScreen)
        skipped[0] += 21  # 21 s left alone: the warning, 10 s before
        await until(pilot, lambda: any("Locking in 10 s" in n.message for n in app._notifications), tries=300)
        assert app.current_mode == "staff"
        await pilot.press("f5")  # a touch: the desk stays open
        skipped[0] += 25
        await pilot.pause(1.5)
        assert app.current_mode == "staff"  # 25 s since the touch: under the limit
        skipped[0] += 6
        await until(pilot, lambda: app.current_mode == "attendee", tries=1000)
        await until_screen(pilot, ScanScreen)


async def test_a_named_person_s_own_pin_names_them_in_the_audit_and_the_forms(make_app, station):
    from sqlmodel import col, select

    from kiosk.config import PersonPin
    from kiosk.pins import hash_pin
    from kiosk.storage.tables import AuditEntry

    station.settings.pins.people = [PersonPin(name="Rina", role="staff", hash=hash_pin("2468", iterations=1000)),
                                    PersonPin(name="Tono", role="technician", hash=hash_pin("1357", iterations=1000))]
    app = make_app(camera=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot, app, "1357")  # the technician's PIN does not open staff mode
        assert isinstance(app.screen, PinScreen)
        await type_text(pilot, "2468")
        await pilot.press("enter")
        await until_screen(pilot, StaffScreen)
        await type_text(pilot, "REG-0002")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.query_one(DataTable).row_count == 1)
        await pilot.click("#staff-screening")
        await until_screen(pilot, ScreeningScreen)
        assert app.screen.query_one("#screening-staff", Input).value == "Rina"
        await pilot.press("escape")
        await until_screen(pilot, StaffScreen)
        await pilot.press("f9")
        await until_screen(pilot, ScanScreen)
    with station.ctx.db.read() as s:
        rows = [(a.actor, a.action) for a in s.exec(select(AuditEntry).order_by(col(AuditEntry.seq))).all()]
    assert ("station ST-01", "pin.failed.staff") in rows
    assert rows[-1] == ("Rina", "pin.lock.staff") and ("Rina", "pin.unlock.staff") in rows


def test_kiosk_pin_set_prompts_and_writes_the_hash_keeping_the_file(tmp_path, monkeypatch, capsys):
    import getpass

    from kiosk.cli import main
    from kiosk.config import load_settings
    from kiosk.pins import check_pin
    from tests.unit.test_config import station_config

    config = tmp_path / "kiosk.toml"
    config.write_text("# the venue's station\n" + station_config(str(tmp_path)), encoding="utf-8")
    answers = iter(["2468", "2468", "1111", "2222"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert main(["--config", str(config), "pin", "set", "Rina", "--role", "staff"]) == 0
    assert "Rina (staff) has their own PIN now" in capsys.readouterr().out
    text = config.read_text()
    assert text.startswith("# the venue's station") and "2468" not in text
    [rina] = load_settings(config).pins.people
    assert (rina.name, rina.role) == ("Rina", "staff") and check_pin("2468", rina.hash)
    assert main(["--config", str(config), "pin", "set", "Rina", "--role", "staff"]) == 1  # two different PINs
    assert "the two PINs differ: nothing changed" in capsys.readouterr().err
    assert load_settings(config).pins.people[0].hash == rina.hash


async def test_a_tap_on_the_numbers_shows_the_day_hour_by_hour(make_app, station):
    from screens.hours import HoursScreen

    station.checkin.check_in("REG-0001")
    app = make_app(camera=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot, app, STAFF_PIN)
        await until_screen(pilot, StaffScreen)
        await pilot.click("#staff-numbers")
        await until_screen(pilot, HoursScreen)
        table = app.screen.query_one("#hours-table", DataTable)
        assert [str(c) for c in table.get_row_at(0)][:2] == ["08:00", "1"]
        await pilot.press("escape")
        await until_screen(pilot, StaffScreen)


async def test_staff_close_the_day_from_the_hours_screen_with_a_second_tap(make_app, station):
    import datetime as dt

    from sqlmodel import select

    from kiosk.domain.screening import ScreeningAnswers
    from kiosk.services.clinic import DoseEntry
    from kiosk.storage.tables import PrintJob
    from screens.hours import HoursScreen

    visit = station.checkin.check_in("REG-0001").visit_id
    app = make_app(camera=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot, app, STAFF_PIN)
        await until_screen(pilot, StaffScreen)
        await pilot.press("f11")
        await until_screen(pilot, HoursScreen)
        await pilot.click("#hours-close-day")
        await pilot.pause()
        assert "Sure? Close the day" in str(app.screen.query_one("#hours-close-day").label)  # one tap only asks
        await pilot.pause(0.5)  # a second, deliberate tap (a button ignores taps during its 0.2 s press effect)
        await pilot.click("#hours-close-day")
        await until(pilot, lambda: any("still in progress" in n.message for n in app._notifications))
        station.clinic.record_screening(visit, ScreeningAnswers(temperature_c=36.5, systolic=120, diastolic=80), "Rina")
        station.clinic.record_dose(visit, DoseEntry("SINOVAC", "LOT-A1", dt.date(2022, 1, 1), "left deltoid", "dr. Ani"))
        await pilot.pause(0.5)
        await pilot.click("#hours-close-day")
        await pilot.pause(0.5)
        await pilot.click("#hours-close-day")
        await until(pilot, lambda: any("Day closed: 0" in n.message for n in app._notifications))
    with station.ctx.db.read() as s:
        assert [j.kind for j in s.exec(select(PrintJob)).all()].count("summary") == 1
    assert station.checkin.check_in("REG-0002").kind != "admitted"  # a closed day takes no more check-ins
