"""KioskApp: the station's Textual app with attendee, staff and technician modes.

Attendee mode is locked: no command palette, no quit key; leaving it needs a PIN. Blocking
work (check-in, camera, printing) runs in thread workers that post messages back.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual import log
from textual.worker import Worker, WorkerState

from kiosk.bootstrap import Station
from kiosk.i18n import both
from kiosk.ports import DeviceError
from screens.pin import PinScreen
from screens.scan import ScanScreen
from screens.staff import StaffScreen
from screens.technician import TechnicianScreen


@dataclass
class PrintReport:
    """What one pass over the print queue did."""

    printed: int
    error: str = ""


class KioskApp(App[int], inherit_bindings=False):
    """One station: scan, check in, screen, vaccinate, print."""

    TITLE = "Sentra"
    ENABLE_COMMAND_PALETTE = False
    MODES = {"attendee": ScanScreen, "staff": StaffScreen, "technician": TechnicianScreen}
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="quit", show=False, priority=True)]

    class Printed(Message, bubble=False):
        """The print worker finished a pass over the queue (forwarded to the active screen)."""

        def __init__(self, report: PrintReport, relayed: bool = False) -> None:
            super().__init__()
            self.report = report
            self.relayed = relayed

    def __init__(self, station: Station, devices: object) -> None:
        super().__init__()
        self.station = station
        self.devices = devices
        self.lang = station.settings.language
        self.last_print = PrintReport(0)

    def on_mount(self) -> None:
        """Start in attendee mode and print anything left from before a restart."""
        self.switch_mode("attendee")
        self.print_pending()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Quitting is for technicians only."""
        if action == "quit":
            return self.current_mode == "technician"
        return True

    def unlock(self, mode: str) -> None:
        """Ask for the PIN of ``mode`` and switch to it when the PIN is right."""

        def done(ok: bool | None) -> None:
            if ok:
                self.switch_mode(mode)

        self.push_screen(PinScreen(mode), done)

    def lock(self) -> None:
        """Back to the attendee scan screen."""
        self.switch_mode("attendee")

    @work(thread=True, group="printer", exclusive=False, exit_on_error=False, description="print pending slips")
    def print_pending(self) -> None:
        """Open the printer in this worker and print every pending job."""
        printer = getattr(self.devices, "printer", None)
        if printer is None:
            return
        try:
            printer.open()
            printed = self.station.printing.run_pending(printer)
            pending = self.station.printing.pending()
            error = pending[0].last_error if pending else ""
            report = PrintReport(len(printed), error)
        except DeviceError as exc:
            report = PrintReport(0, str(exc))
        self.post_message(self.Printed(report))

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Every worker's unexpected failure ends here: shown to staff, logged, never a crash."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            log.error(f"worker {event.worker.description!r} failed: {error!r}")
            self.notify(f"{event.worker.description}: {error}", title="Kesalahan / Error", severity="error", timeout=10)

    @on(Printed)
    def _printed(self, message: Printed) -> None:
        self.last_print = message.report
        if message.relayed:
            return
        self.screen.post_message(self.Printed(message.report, relayed=True))
        if not message.report.error:
            return
        if self.current_mode == "attendee":  # the attendee needs a next step, not a fault code
            self.notify(" / ".join(both("printing_at_desk", self.lang)), severity="warning", timeout=8)
        else:
            self.notify(f"Printer: {message.report.error}. The slip stays queued.", severity="error", timeout=8)
