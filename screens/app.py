"""KioskApp: the station's Textual app with attendee, staff and technician modes.

Attendee mode is locked: no command palette, no quit key; leaving it needs a PIN. Blocking
work (building the station, check-in, camera, printing) runs in thread workers that post
messages back. The attendee screen paints first; the database, rules and device libraries
(SQLAlchemy, Alembic, OpenCV, zxing-cpp, python-escpos) load in a worker right after, so the
station shows its face within a second of power-on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import events, log, on, work
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from devices.hid import KeyWedge, Scan, WedgeSettings
from devices.sound import build_sound
from kiosk.errors import ConfigError, KioskError
from kiosk.i18n import _, both, set_default_language, set_language
from kiosk.services.spooler import PrintSpooler, SpoolReport
from screens.host import in_desk_language
from screens.messages import CheckedIn, HubUpdated, Printed, Scanned, StationReady, Synced
from screens.pin import PinScreen
from screens.scan import ScanScreen

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

    from kiosk.bootstrap import Station
    from kiosk.config import Settings
    from kiosk.hub.worker import HubReport
    from kiosk.ports import Sound
    from kiosk.sync.port import CentralServer
    from screens.host import StationDevices

Builder = Callable[[], "tuple[Station, Any]"]
IDLE_WARNING_S = 10


def _staff_screen() -> Any:
    from screens.staff import StaffScreen

    return StaffScreen()


def _technician_screen() -> Any:
    from screens.technician import TechnicianScreen

    return TechnicianScreen()

journal = logging.getLogger("kiosk.app")  # the station log (kiosk/logs.py); `log` is Textual's devtools log


class KioskApp(App[int], inherit_bindings=False):
    """One station: scan, check in, screen, vaccinate, print."""

    TITLE = "Sentra"
    ENABLE_COMMAND_PALETTE = False
    MODES = {"attendee": ScanScreen, "staff": _staff_screen, "technician": _technician_screen}
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="quit", show=False, priority=True)]
    # Screens lay out for an 80x24 terminal as well as a 10" panel: each .tcss styles these classes.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (130, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    def __init__(self, settings: Settings, station: Station | None = None, devices: StationDevices | None = None,
                 builder: Builder | None = None, sound: Sound | None = None) -> None:
        """Give either a built ``station`` and ``devices`` (tests) or a ``builder`` run after the first paint."""
        super().__init__()
        self.settings = settings
        self.lang = settings.language  # the venue's language: attendee screens and slips put it first
        self.attendee_lang = self.lang  # what the attendee at the screen chose for their own visit (ID/EN)
        self.staff_lang = self.lang  # what the staff member chose on the PIN pad for their session
        self._mode_lang: dict[str, str] = {}  # the language each staff/technician mode's screens were made in
        set_default_language(self.lang)  # workers and the sender store their words in the venue language
        self.station: Station | None = station
        self.devices = devices
        self._builder = builder
        self.last_print = SpoolReport("unknown", False)
        self.camera_stats: Any = None  # the camera loop's CameraStats while it runs, for the technician's line
        self.camera_state = ""  # "ready", or why the camera cannot be used
        self.spooler: PrintSpooler | None = None
        self._told_print_error = ""
        self._sync_stop = threading.Event()
        self.hub_report: HubReport | None = None
        self.operator = ""  # who unlocked staff or technician mode (a named person, or the role's shared PIN)
        self.last_error = ""  # the last application error, for staff and technicians (never the attendee screen)
        self._central: CentralServer | None = None
        d = settings.devices
        self._wedge: KeyWedge[events.Key] | None = KeyWedge(WedgeSettings(
            d.hid_max_gap_ms / 1000, d.hid_min_length, d.hid_prefix, tuple(d.hid_suffix))) if d.hid_scanner else None
        self._wedge_timer: Any = None
        self._last_touch = time.monotonic()
        self._warned_idle = False
        s = settings.sound
        self.sound: Sound = sound or build_sound(s.output, s.device, s.volume, self.bell, self.set_timer)

    @property
    def ready(self) -> bool:
        """Whether the station can take scans."""
        return self.station is not None

    def on_mount(self) -> None:
        """Attendee mode first; then build the station (if not given) and print what was left queued."""
        self.switch_mode("attendee")
        self.set_interval(1.0, self._lock_when_idle)
        if self.ready:
            self._started()
        else:
            self.build_station()

    @work(thread=True, group="startup", exit_on_error=False, description="start the station")
    def build_station(self) -> None:
        """Open the database (migrating it), load keys, rules and devices, off the UI thread."""
        assert self._builder is not None
        try:
            self.station, self.devices = self._builder()
        except ConfigError as exc:  # a wrong value stops start-up with one line naming the key
            self.call_from_thread(self.exit, 2, 2, f"kiosk: {exc}")
            return
        self.post_message(StationReady())

    @on(StationReady)
    def _station_ready(self) -> None:
        self._started()

    def _started(self) -> None:
        self.screen.post_message(StationReady())
        printer = getattr(self.devices, "printer", None)
        if printer is not None and self.station is not None:
            self.spooler = PrintSpooler(self.station.printing, printer, lambda report: self.post_message(Printed(report)))
            self.spooler.start()
        if self.settings.sync.server != "none":
            self.run_sync()
        if self.settings.hub.url:
            self.run_hub()

    @work(thread=True, group="hub", exit_on_error=False, description="keep the venue hub's lease and lists")
    def run_hub(self) -> None:
        """A venue station's hub duty (kiosk.hub.worker): renew and refill its lease, pull, send, every few seconds."""
        from kiosk.hub.worker import HubWorker

        assert self.station is not None
        HubWorker(self.station).run(self._sync_stop, self.settings.hub.poll_seconds,
                                    on_report=lambda report: self.post_message(HubUpdated(report)))

    @on(HubUpdated)
    def _hub_updated(self, message: HubUpdated) -> None:
        if not message.relayed:
            self.hub_report = message.report
            self.screen.post_message(HubUpdated(message.report, relayed=True))

    @work(thread=True, group="sync", exit_on_error=False, description="send records to the central server")
    def run_sync(self) -> None:
        """The station's sender: drains the outbox while the app runs (see kiosk.sync.drainer)."""
        from kiosk.sync.factory import build_drainer

        assert self.station is not None
        drainer = build_drainer(self.settings, self.station.ctx.db, clock=self.station.ctx.clock)
        try:
            drainer.run(self._sync_stop, self.settings.sync.poll_seconds,
                        on_report=lambda report: self.post_message(Synced(report)))
        finally:
            drainer.server.close()

    def central_server(self) -> CentralServer | None:
        """The configured central server for lookups (the exchange desk), or None without sync."""
        if self.settings.sync.server == "none":
            return None
        if self._central is None:
            from kiosk.sync.factory import build_server

            self._central = build_server(self.settings)
        return self._central

    def on_unmount(self) -> None:
        """Stop the sender (it gives its lease up) and the printer's owner, and close lookups."""
        self._sync_stop.set()
        if self.spooler is not None:
            self.spooler.stop()
        if self._central is not None:
            self._central.close()

    def _lock_when_idle(self) -> None:
        """Staff and technician modes lock themselves after ``station.idle_lock_seconds`` without a touch."""
        if self.current_mode == "attendee":
            return
        idle = time.monotonic() - self._last_touch
        limit = self.settings.station.idle_lock_seconds
        if idle >= limit:
            self.lock("left alone")
        elif idle >= limit - IDLE_WARNING_S and not self._warned_idle:
            self._warned_idle = True
            self.notify(_("Locking in {seconds} s without a touch", seconds=IDLE_WARNING_S),
                        severity="warning", timeout=IDLE_WARNING_S)

    async def on_event(self, event: events.Event) -> None:
        """Keys pass the scanner detector first: a burst is a scan, anything else reaches the focus."""
        if isinstance(event, (events.Key, events.MouseDown)):
            self._last_touch, self._warned_idle = time.monotonic(), False
        if self._wedge is not None and isinstance(event, events.Key) and not event.is_forwarded:
            await self._wedge_do(self._wedge.key(event, event.key, event.character, event.time))
            if self._wedge_timer is not None:
                self._wedge_timer.stop()
            self._wedge_timer = self.set_timer(self._wedge.settings.max_gap, self._wedge_expired) \
                if self._wedge.holding else None
            return
        await super().on_event(event)

    async def _wedge_expired(self) -> None:
        self._wedge_timer = None
        if self._wedge is not None:
            await self._wedge_do(self._wedge.expire())

    async def _wedge_do(self, actions: list[Any]) -> None:
        for action in actions:
            if isinstance(action, Scan):
                if getattr(self.screen, "TAKES_SCANS", False):
                    self.screen.post_message(Scanned(action.text))
                else:
                    self.notify(_("A scan is not taken on this screen"),
                                severity="warning", timeout=4)
            else:
                for key in action.events:
                    await super().on_event(key)

    @on(Synced)
    def _synced(self, message: Synced) -> None:
        if not message.relayed:
            self.screen.post_message(Synced(message.report, relayed=True))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Quitting is for technicians only."""
        if action == "quit":
            return self.current_mode == "technician"
        return True

    def desk_language(self) -> str:
        """The staff member's language while a desk is unlocked, the venue's in attendee mode."""
        return self.lang if self.current_mode == "attendee" else self.staff_lang

    def unlock(self, mode: str) -> None:
        """Ask for the PIN of ``mode`` and switch to it when the PIN is right."""
        if not self.ready:
            self.notify(_("Starting the station…"), timeout=3)
            return

        def done(ok: bool | None) -> None:
            if not ok:
                return
            set_language(self.staff_lang)
            if self._mode_lang.get(mode, self.staff_lang) != self.staff_lang:  # its screens speak the last one's language
                self.remove_mode(mode)
                self.add_mode(mode, self.MODES[mode])
            self._mode_lang[mode] = self.staff_lang
            self.switch_mode(mode)

        self.push_screen(PinScreen(mode, self.lang), done)

    def lock(self, why: str = "locked") -> None:
        """Back to the attendee scan screen (audited, naming who had the desk open)."""
        if self.current_mode != "attendee" and self.station is not None:
            self.station.access.locked(self.current_mode, self.operator, why)
        self.operator = ""
        self._last_touch, self._warned_idle = time.monotonic(), False
        set_language(self.lang)  # toasts and errors in attendee mode: the venue's language again
        self.attendee_lang = self.lang
        self.switch_mode("attendee")

    @work(thread=True, group="checkin", exit_on_error=False, description="check in")
    @in_desk_language
    def check_in(self, text: str, reply_to: MessagePump) -> None:
        """Run the check-in transaction off the UI thread; the outcome goes to ``reply_to``."""
        assert self.station is not None
        try:
            outcome = self.station.checkin.check_in(text)
        except KioskError as exc:
            reply_to.post_message(CheckedIn(None, str(exc)))
            return
        if outcome.slip_queued:  # the core made a print job with the check-in: its owner prints it
            self.print_pending()
        reply_to.post_message(CheckedIn(outcome))

    def print_pending(self) -> None:
        """A slip was queued (or staff asked): the printer's owner looks at the queue now."""
        if self.spooler is not None:
            self.spooler.kick()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Every worker's unexpected failure ends here: shown to staff, logged, never a crash."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            log.error(f"worker {event.worker.description!r} failed: {error!r}")
            journal.error("worker %r failed", event.worker.description, exc_info=error)
            self.last_error = f"{event.worker.description}: {error}"
            if self.current_mode == "attendee":  # the words are for staff: an attendee is sent to them
                self.notify(" / ".join(both("see_staff", self.attendee_lang)), severity="warning", timeout=6)
            else:
                self.notify(self.last_error, title=_("Error"), severity="error", timeout=10)

    @on(Printed)
    def _printed(self, message: Printed) -> None:
        if message.relayed:
            return
        self.last_print = report = message.report
        self.screen.post_message(Printed(report, relayed=True))
        if report.error == self._told_print_error:
            return  # said once; the spooler keeps trying every few seconds
        self._told_print_error = report.error
        if not report.error:
            return
        if self.current_mode == "attendee":  # the attendee needs a next step, not a fault code
            key = "card_at_desk" if report.error_kind == "card" else "ticket_at_desk"
            self.notify(" / ".join(both(key, self.attendee_lang)), severity="warning", timeout=8)
        else:
            self.notify(_("Printer: {error}. The slip stays queued and prints when the printer is ready.", error=report.error),
                        severity="error", timeout=8)
