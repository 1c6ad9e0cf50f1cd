"""The attendee's scan screen: "scan your QR or type your NIK".

Scans come from the camera worker (started here, so it stops with this screen), from a
keyboard-wedge scanner typing into the box, or from the on-screen keypad.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from kiosk.i18n import LANGUAGE_NAMES, N_, _, both, other, say
from screens.host import HostedScreen
from screens.messages import CheckedIn, Scanned
from screens.result import ResultScreen
from screens.widgets.camera_preview import CameraPreview, preview_pixels
from screens.widgets.keypad import Keypad, edit

CARD_HINTS = {  # the hints of devices/ektp/watch.py, for someone holding an e-KTP to the camera
    "closer": N_("Hold the card still, closer"),  # 30 cells at most: the scan column of an 80x24 terminal
    "type": N_("Card not read: type your NIK"),
}

if TYPE_CHECKING:
    from kiosk.services.checkin import CheckInOutcome


journal = logging.getLogger("kiosk.scan")


class ScanScreen(HostedScreen, Screen[None]):
    """Attendee mode's home screen."""

    TAKES_SCANS = True
    CSS_PATH = "scan.tcss"
    AUTO_FOCUS = "#scan-input"
    BINDINGS = [Binding("f2", "unlock('staff')", _("Staff"), id="unlock-staff", show=False),
                Binding("f3", "unlock('technician')", _("Technician"), id="unlock-technician", show=False)]

    class CodeSeen(Message):
        """The camera worker decoded a code."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class CameraStatus(Message):
        """The camera worker's state changed (opened, failed)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

        def can_replace(self, message: Message) -> bool:
            """A newer status makes an older queued one moot."""
            return isinstance(message, ScanScreen.CameraStatus)

    class CardHint(Message):
        """What to tell someone holding an e-KTP to the camera ("" when nothing, or no card any more)."""

        def __init__(self, hint: str) -> None:
            super().__init__()
            self.hint = hint

    class Preview(Message):
        """A downscaled camera frame for the preview (only the newest one matters)."""

        def __init__(self, pixels: object) -> None:
            super().__init__()
            self.pixels = pixels

        def can_replace(self, message: Message) -> bool:
            """Frames arriving faster than the screen paints coalesce into the newest."""
            return isinstance(message, ScanScreen.Preview)

    def __init__(self) -> None:
        super().__init__()
        self.busy = False
        self.started = False
        self.preview_cells: tuple[int, int] | None = None
        self.queued: deque[str] = deque()  # scans not yet checked in, in the order they came
        self.camera_state = ""
        self.card_hint = ""  # what to tell someone holding an e-KTP to the camera (devices/ektp/watch.py)

    def compose(self) -> ComposeResult:
        """Venue, prompt in both languages, input box, keypad, camera status, staff corner, language switch."""
        lang = self.kiosk.attendee_lang
        first, second = both("scan_prompt", lang)
        with Vertical(id="scan-main"):
            yield Static(self.kiosk.settings.venue.name, id="scan-venue")
            yield Static(first, id="scan-prompt")
            yield Static(second, id="scan-prompt-2")
            with Horizontal(id="scan-body"):
                with Vertical(id="scan-left"):
                    yield Input(placeholder=say(N_("NIK or code"), lang), id="scan-input", max_length=2048)
                    yield Label("", id="scan-error")
                    yield Label(say(N_("Camera: starting…"), lang), id="scan-camera")
                    if self._previewing():
                        yield CameraPreview(id="scan-preview")
                yield Keypad()
        yield Button(_("Staff"), id="scan-staff", compact=True)
        yield Button(LANGUAGE_NAMES[other(lang)], id="scan-language", compact=True)

    @on(Button.Pressed, "#scan-language")
    def _switch_language(self) -> None:
        """The attendee's language for their own visit: the screen's words and their result follow it."""
        self.kiosk.attendee_lang = other(self.kiosk.attendee_lang)
        self.show_language()
        self.query_one("#scan-input", Input).focus()  # typing goes on where it was

    def show_language(self) -> None:
        """Word the screen in the attendee's language (first) with the other beneath."""
        lang = self.kiosk.attendee_lang
        first, second = both("scan_prompt", lang)
        self.query_one("#scan-prompt", Static).update(first)
        self.query_one("#scan-prompt-2", Static).update(second)
        self.query_one("#scan-input", Input).placeholder = say(N_("NIK or code"), lang)
        self.query_one("#scan-language", Button).label = LANGUAGE_NAMES[other(lang)]
        self._show_camera()

    def on_screen_resume(self) -> None:
        """Back from a result, a lock or the PIN pad: the next attendee starts in the venue's language."""
        if self.kiosk.attendee_lang != self.kiosk.lang:
            self.kiosk.attendee_lang = self.kiosk.lang
            self.show_language()
        self.query_one("#scan-input", Input).focus()

    def _previewing(self) -> bool:
        return self.kiosk.settings.devices.camera != "none" and self.kiosk.settings.devices.camera_preview \
            and (not self.kiosk.ready or getattr(self.kiosk.devices, "camera", None) is not None)

    def on_mount(self) -> None:
        """Start at once when the station was built before this screen (tests, mode switches)."""
        if self.kiosk.ready:
            self.on_station_ready()

    def on_station_ready(self) -> None:
        """The station is built: start the camera worker if this station has a camera."""
        if self.started:
            return
        self.started = True
        if getattr(self.kiosk.devices, "camera", None) is not None:
            self.watch_camera()
        else:
            self.query_one("#scan-camera", Label).update(say(N_("Camera: none — type your NIK"), self.kiosk.attendee_lang))
        self._next()

    @on(Keypad.Pressed)
    def _key(self, event: Keypad.Pressed) -> None:
        self.typed(event.key)

    def typed(self, key: str) -> None:
        """A keypad key, tapped here or typed while a result showed over this screen."""
        box = self.query_one("#scan-input", Input)
        if edit(box, key):
            self._submit_box()

    @on(Input.Submitted, "#scan-input")
    def _typed(self, event: Input.Submitted) -> None:
        self._submit_box()

    def _submit_box(self) -> None:
        """What was typed into the box: checked in, and the box emptied for the next person."""
        box = self.query_one("#scan-input", Input)
        text, box.value = box.value, ""
        self.submit(text)

    def on_scanned(self, message: Scanned) -> None:
        """A keyboard-wedge scanner read a code."""
        self.submit(message.text)

    @on(CodeSeen)
    def _seen(self, message: CodeSeen) -> None:
        """A code (or an e-KTP's NIK) the camera read: the attendee's check-in, or, while a staff screen that
        takes scans is up (the desk, a card exchange, the technician's scanner test), that screen's scan."""
        if self.attending():
            self.submit(message.text)
        elif self.app.current_mode != "attendee" and getattr(self.app.screen, "TAKES_SCANS", False):
            self.app.screen.post_message(Scanned(message.text))

    def attending(self) -> bool:
        """Whether attendees are being served: this screen or its result on top (not the PIN pad, not staff)."""
        return self.app.current_mode == "attendee" and isinstance(self.app.screen, (ScanScreen, ResultScreen))

    def on_camera_preview_resized(self, message: CameraPreview.Resized) -> None:
        """Remember the preview's size on the UI thread; the camera worker only reads it."""
        self.preview_cells = message.cells

    def _send_preview(self, frame: object, codes: list) -> None:  # type: ignore[type-arg]
        """From the camera worker: a downscaled frame for the preview (never stops scanning)."""
        cells = self.preview_cells
        if cells is None or frame is None:
            return
        try:
            pixels = preview_pixels(frame, cells, codes[0].corners if codes else ())  # type: ignore[arg-type]
        except Exception:  # an odd frame makes no picture; the scan loop goes on
            return
        self.post_message(self.Preview(pixels))

    @on(Preview)
    def _preview(self, message: Preview) -> None:
        previews = self.query(CameraPreview)
        if previews:
            previews.first().show(message.pixels)  # type: ignore[arg-type]

    @on(CameraStatus)
    def _camera(self, message: CameraStatus) -> None:
        self.camera_state = message.text
        self._show_camera()

    @on(CardHint)
    def _card_hint(self, message: CardHint) -> None:
        self.card_hint = message.hint
        self._show_camera()

    def _show_camera(self) -> None:
        lang, state = self.kiosk.attendee_lang, self.camera_state
        if not state:
            return
        if state != "ready":
            words = say(N_("Camera: not working — type your NIK"), lang)
        elif self.card_hint in CARD_HINTS:
            words = say(CARD_HINTS[self.card_hint], lang)
        else:
            words = say(N_("Camera: ready"), lang)
        self.query_one("#scan-camera", Label).update(words)

    def submit(self, text: str) -> None:
        """Check in whoever ``text`` names; scans that come meanwhile wait their turn, none is lost (nor what the
        next person is half-way through typing: a camera or scanner read leaves the box alone)."""
        if not text.strip():
            return
        self.queued.append(text)
        self._next()

    def _next(self) -> None:
        if self.busy or not self.queued or not self.kiosk.ready:  # before the station is built: kept for then
            return
        self.busy = True
        self.query_one("#scan-error", Label).update("")
        self.kiosk.check_in(self.queued.popleft(), self)

    def on_checked_in(self, message: CheckedIn) -> None:
        """Show the outcome (or the error) of the check-in this screen asked for, then take the next scan."""
        self.busy = False
        outcome = message.outcome
        if outcome is None:  # the words are for staff (kept for their desk and the log); the attendee is sent to them
            self.kiosk.last_error = message.error
            journal.warning("check-in failed: %s", message.error)
            self.query_one("#scan-error", Label).update(say("see_staff", self.kiosk.attendee_lang))
            self.kiosk.sound.play("see_staff")
        else:
            self._show(outcome)
        self._next()

    def _show(self, outcome: CheckInOutcome) -> None:
        top = self.app.screen
        if isinstance(top, ResultScreen) and top.owner is self:
            top.offer(outcome)
        elif self.app.current_mode == "attendee" and top is self:
            self.app.push_screen(ResultScreen(outcome, owner=self))

    @on(Button.Pressed, "#scan-staff")
    def _staff(self) -> None:
        self.action_unlock("staff")

    def action_unlock(self, mode: str) -> None:
        """Ask for a PIN to leave attendee mode."""
        self.kiosk.unlock(mode)

    @work(thread=True, group="camera", exclusive=True, exit_on_error=False, description="camera")
    def watch_camera(self) -> None:
        """Run the camera loop (devices/camera_loop.py) in this screen's worker: it stops with the screen."""
        from textual.worker import get_current_worker

        from devices.camera_loop import CameraLoop

        devices, fps = self.kiosk.devices, self.kiosk.settings.devices.camera_fps
        cards = None
        if getattr(devices, "card_reader", None) is not None:
            from devices.ektp.watch import CardWatcher

            cards = CardWatcher(devices.card_reader)
        loop = CameraLoop(devices.camera, devices.decoder, fps, cards=cards)
        self.kiosk.camera_stats = loop.stats
        loop.run(get_current_worker().cancelled_event, on_code=lambda text: self.post_message(self.CodeSeen(text)),
            on_status=self._camera_status, on_frame=self._send_preview,
            on_hint=lambda hint: self.post_message(self.CardHint(hint)))

    def _camera_status(self, state: str) -> None:
        """From the camera worker: "ready", or why not (for the technician; the attendee is told to type)."""
        self.kiosk.camera_state = state
        self.post_message(self.CameraStatus(state))
