"""One language system in the real app: the attendee's ID/EN switch, the staff member's language on the PIN pad,
errors that reach staff and never the attendee, and the sounds that go with each result."""

from textual.widgets import Button, Label

from kiosk.errors import StorageError
from screens.pin import PinScreen
from screens.result import ResultScreen
from screens.scan import ScanScreen
from screens.staff import StaffScreen
from tests.conftest import STAFF_PIN
from tests.helpers import type_text, unlock, until, until_screen


class RecordingSound:
    """Stands in for the speaker: what was played, in order."""

    def __init__(self) -> None:
        self.played: list[str] = []

    def check(self) -> None:
        pass

    def play(self, kind: str) -> None:
        self.played.append(kind)


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_the_attendee_switches_to_english_for_their_own_visit(make_app):
    app = make_app(camera=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await until_screen(pilot, ScanScreen)
        assert text(app, "#scan-prompt") == "Pindai QR Anda atau ketik NIK"
        assert str(app.screen.query_one("#scan-language", Button).label) == "English"
        await pilot.click("#scan-language")
        await until(pilot, lambda: text(app, "#scan-prompt") == "Scan your QR or type your NIK")
        assert text(app, "#scan-prompt-2") == "Pindai QR Anda atau ketik NIK"  # the other language beneath
        button = app.screen.query_one("#scan-language", Button)
        assert str(button.label) == "Bahasa Indonesia"
        assert button.content_size.width >= len("Bahasa Indonesia")  # the whole word shows, not "Bahasa"
        await type_text(pilot, "REG-0001")
        await pilot.press("enter")
        await until_screen(pilot, ResultScreen)
        assert text(app, "#result-message").startswith("Please go to the screening desk. Queue number A-1")
        assert text(app, "#result-message-2").startswith("Silakan ke meja skrining")
        await pilot.click("#result-box")  # done: back to the scan screen
        await until_screen(pilot, ScanScreen)
        # the next person starts in the venue's language
        await until(pilot, lambda: text(app, "#scan-prompt") == "Pindai QR Anda atau ketik NIK")


async def test_staff_choose_their_language_on_the_pin_pad(make_app):
    app = make_app(camera=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await pilot.press("f2")
        await until_screen(pilot, PinScreen)
        assert text(app, "#pin-title") == "PIN petugas"  # the venue's language first
        await type_text(pilot, "0000")
        await pilot.press("enter")
        await until(pilot, lambda: text(app, "#pin-error") == "PIN salah (4 lagi)")
        await pilot.click("#pin-lang-en")
        await until(pilot, lambda: text(app, "#pin-title") == "Staff PIN")
        await type_text(pilot, "0000")
        await pilot.press("enter")
        await until(pilot, lambda: text(app, "#pin-error") == "Wrong PIN (3 left)")
        await type_text(pilot, STAFF_PIN)
        await pilot.press("enter")
        await until_screen(pilot, StaffScreen)
        assert str(app.screen.query_one("#staff-screening", Button).label) == "Screening"
        assert "Sync: not configured" in text(app, "#staff-sync")
        await pilot.press("f9")
        await until_screen(pilot, ScanScreen)
        assert text(app, "#scan-prompt") == "Pindai QR Anda atau ketik NIK"  # attendee mode: the venue's again
        await unlock(pilot, app, STAFF_PIN, lang="id")  # the next staff member reads Indonesian
        await until_screen(pilot, StaffScreen)
        await until(pilot, lambda: str(app.screen.query_one("#staff-screening", Button).label) == "Skrining")
        assert "Sinkron: tidak diatur" in text(app, "#staff-sync")


async def test_an_error_sends_the_attendee_to_staff_and_tells_staff_what_it_was(make_app, station, monkeypatch):
    sound = RecordingSound()
    app = make_app(camera=False, sound=sound)

    def disk_full(text: str):
        raise StorageError("the station's disk is full: free space, then retry; nothing recorded was lost")

    async with app.run_test(size=(110, 34)) as pilot:
        await until_screen(pilot, ScanScreen)
        monkeypatch.setattr(station.checkin, "check_in", disk_full)
        await type_text(pilot, "REG-0001")
        await pilot.press("enter")
        await until(pilot, lambda: text(app, "#scan-error") == "Ada kendala. Silakan ke petugas")
        assert "disk" not in text(app, "#scan-error")
        assert sound.played == ["see_staff"]
        await unlock(pilot, app, STAFF_PIN)
        await until_screen(pilot, StaffScreen)
        await until(pilot, lambda: "disk is full" in str(app.screen.query_one("#staff-message", Label).render()))


async def test_each_result_has_its_sound(make_app, station):
    sound = RecordingSound()
    app = make_app(camera=False, sound=sound)
    async with app.run_test(size=(110, 34)) as pilot:
        await until_screen(pilot, ScanScreen)
        for code, expected in (("REG-0001", "admitted"), ("REG-0001", "refused"), ("REG-9999", "see_staff")):
            before = len(sound.played)
            await type_text(pilot, code)
            await pilot.press("enter")
            await until(pilot, lambda before=before: len(sound.played) == before + 1)
            assert sound.played[-1] == expected, code
            await until_screen(pilot, ResultScreen)
            await pilot.click("#result-box")
            await until_screen(pilot, ScanScreen)
    assert sound.played == ["admitted", "refused", "see_staff"]
