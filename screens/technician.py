"""Technician mode: device and station diagnostics, a test print, the effective config."""

from __future__ import annotations

import json

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, Static

from devices.diagnostics import ektp_check, sound_check
from kiosk.config import effective_settings
from kiosk.diagnostics import Check, station_checks, with_action
from kiosk.i18n import _
from kiosk.services.slips import diagnostic_slip
from screens.host import HostedScreen, in_desk_language
from screens.messages import Scanned


class TechnicianScreen(HostedScreen, Screen[None]):
    """One row per check: database, clock, camera, decoders, printer."""

    CSS_PATH = "technician.tcss"
    BINDINGS = [Binding("f5", "run_checks", "Check again", id="tech-recheck"),
                Binding("f9", "lock", "Lock", id="tech-lock")]

    class DeviceChecks(Message):
        """The worker's findings: the devices, and the station checks that may take seconds."""

        def __init__(self, checks: list[Check], station: list[Check]) -> None:
            super().__init__()
            self.checks = checks
            self.station = station

    device_checks: list[Check] = []
    station_lines: list[Check] = []
    TAKES_SCANS = True  # the scanner test: whatever the scanner reads here is shown, never checked in
    scanner_line: Check | None = None

    def compose(self) -> ComposeResult:
        """Checks table, config view, buttons."""
        yield Static(_("Technician diagnostics"), id="tech-title")
        with VerticalScroll(id="tech-body"):
            yield DataTable(id="tech-checks", cursor_type="row")
            yield Static("", id="tech-config")
        with Horizontal(id="tech-buttons"):
            yield Button(_("Check again"), id="tech-recheck-button")
            yield Button(_("Test print"), id="tech-test-print")
            yield Button(_("Lock"), id="tech-lock-button")
            yield Button(_("Quit"), id="tech-quit", variant="error")

    def on_mount(self) -> None:
        """Columns, then the first round of checks."""
        self.query_one(DataTable).add_columns(_("Part"), _("Status"), _("Detail"))
        config = effective_settings(self.kiosk.station.settings)
        self.query_one("#tech-config", Static).update(json.dumps(config, indent=2, sort_keys=True, default=str))
        self.action_run_checks()

    def action_run_checks(self) -> None:
        """Quick station checks now; devices and the slow checks (integrity, clocks) in a worker."""
        self.station_lines = station_checks(self.kiosk.station, slow=False)
        self._fill(self.station_lines + self.device_checks)
        self.check_devices()

    @work(thread=True, group="diagnostics", exclusive=True, exit_on_error=False, description="device checks")
    @in_desk_language
    def check_devices(self) -> None:
        """Open each device the way the station would, and report."""
        devices = self.kiosk.devices
        checks = [Check("decoder", not devices.problems, ", ".join(d.name for d in devices.decoder.decoders)
                        + ("; " + "; ".join(devices.problems) if devices.problems else ""))]
        checks.append(self._camera_check())
        checks.append(sound_check(self.kiosk.settings))
        checks.append(ektp_check(self.kiosk.settings, getattr(devices, "card_reader", None)))
        self.post_message(self.DeviceChecks(checks, station_checks(self.kiosk.station)))
        self.kiosk.print_pending()  # the printer's owner answers with its next report

    @on(DeviceChecks)
    def _device_checks(self, message: DeviceChecks) -> None:
        self.device_checks, self.station_lines = message.checks, message.station
        self._fill(self.station_lines + message.checks + [self._printer_check()])

    def on_printed(self) -> None:
        """The printer's owner reported: refresh its line."""
        self._fill(self.station_lines + self.device_checks + [self._printer_check()])

    def _camera_check(self) -> Check:
        """The camera's line from its owner, the scan screen's loop: resolution, frame rate, the last code read."""
        import time

        camera, stats, state = self.kiosk.devices.camera, self.kiosk.camera_stats, self.kiosk.camera_state
        if camera is None:
            return Check("camera", True, _("not configured"))
        if stats is None or not state:
            return Check("camera", False, _("not started yet"))
        if state != "ready":
            return Check("camera", False, state)
        detail, ok, action = stats.describe(time.monotonic())
        return Check("camera", ok, f"{detail} — {type(camera).__name__}{_where(camera)}", action)

    def _scanner_check(self) -> Check:
        if self.scanner_line is not None:
            return self.scanner_line
        if not self.kiosk.settings.devices.hid_scanner:
            return Check("scanner", True, _("keyboard-wedge detection is off (devices.hid_scanner = false)"))
        return Check("scanner", True, _("scan something now (a registration QR, a card) to test the scanner"))

    def on_scanned(self, message: Scanned) -> None:
        """A scanner's burst on this screen: what it read, kept to what a technician needs (a NIK masked)."""
        from kiosk.identity import Nik, RegistrationCode, SignedCredential, parse_payload

        payload = parse_payload(message.text)
        if isinstance(payload, RegistrationCode):
            what = _("registration code {code}", code=payload.code)
        elif isinstance(payload, Nik):
            what = _("a NIK ({nik})", nik=payload.masked)
        elif isinstance(payload, SignedCredential):
            what = _("a Sentra {kind} {id}", kind=payload.kind, id=payload.credential_id)
        else:
            what = _("{count} characters the station does not take ({reason})", count=len(message.text), reason=payload.reason)
        self.scanner_line = Check("scanner", True, _("read {what}, as one burst: the scanner works", what=what))
        self._fill(self.station_lines + self.device_checks + [self._printer_check()])

    def _printer_check(self) -> Check:
        if self.kiosk.devices.printer is None:
            return Check("printer", True, _("not configured"))
        report = self.kiosk.last_print
        waiting = _("; {count} slip(s) waiting", count=report.waiting) if report.waiting else ""
        return Check("printer", report.state == "ready", f"{self.kiosk.settings.devices.printer_url}: {_(report.state)}{waiting}")

    def _fill(self, checks: list[Check]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for check in map(with_action, [*checks, self._scanner_check()]):
            detail = check.detail if check.ok else f"{check.detail} — {check.action}"
            table.add_row(check.part_words, "OK" if check.ok else _("PROBLEM"), detail)

    @on(Button.Pressed, "#tech-recheck-button")
    def _recheck(self) -> None:
        self.action_run_checks()

    @on(Button.Pressed, "#tech-test-print")
    def _test_print(self) -> None:
        self.test_print()

    @work(thread=True, group="test-print", exit_on_error=False, description="test print")
    @in_desk_language
    def test_print(self) -> None:
        """Ask the printer's owner for a test slip (nothing is recorded) and say how it went."""
        if self.kiosk.spooler is None:
            return
        outcome = self.kiosk.spooler.test_page(diagnostic_slip(self.kiosk.settings)).result()
        if outcome == "printed":
            self.app.call_from_thread(self.app.notify, _("Test slip printed"))
        else:
            self.app.call_from_thread(self.app.notify, outcome, severity="error")

    @on(Button.Pressed, "#tech-lock-button")
    def action_lock(self) -> None:
        """Back to attendee mode."""
        self.kiosk.lock()

    @on(Button.Pressed, "#tech-quit")
    def _quit(self) -> None:
        self.app.exit(0)



def _where(device: object) -> str:
    folder = getattr(device, "folder", None)
    return f" ({folder})" if folder else ""
