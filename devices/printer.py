"""The preview printer: real ESC/POS bytes written to files, the slip text kept for the screen.

It behaves like a receipt printer, faults included: a technician or a test can put it in
``PAPER_OUT``, ``COVER_OPEN`` or ``OFFLINE`` and printing then fails as it would on hardware.
The real connectors (USB, TCP, serial, file, CUPS) are in ``devices/escpos_printer.py``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from devices.slip_layout import render
from kiosk.i18n import _
from kiosk.ports import DeviceError, PrinterState, Slip


class PreviewPrinter:
    """A ``Printer`` that writes each slip to ``folder`` as ``.bin`` (ESC/POS) and ``.txt``."""

    def __init__(self, folder: Path, profile: str = "TM-T20II", tz: dt.tzinfo | None = None) -> None:
        self.folder = folder
        self.profile = profile
        self.tz = tz  # file names in the venue's time, like everything else staff read
        self.state = PrinterState.READY
        self.last_text = ""
        self._counter = itertools.count(1)

    def open(self) -> None:
        """Make the output folder; a folder that cannot be made is a printer that is offline."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeviceError(_("preview folder {folder} cannot be created: {strerror}", folder=self.folder, strerror=exc.strerror)) from exc

    def status(self) -> PrinterState:
        """What the printer reports."""
        return self.state

    def print_slip(self, slip: Slip) -> None:
        """Write the slip's bytes; fails like hardware when not ready or the disk is full."""
        if self.state is not PrinterState.READY:
            raise DeviceError(_("printer {state}", state=self.state.words))
        data = render(slip, self.profile)
        stem = f"{dt.datetime.now(self.tz):%Y%m%d-%H%M%S}-{next(self._counter):04d}-{slip.kind}"
        try:
            self.open()
            (self.folder / f"{stem}.bin").write_bytes(data)
            (self.folder / f"{stem}.txt").write_text(slip.text(), encoding="utf-8")
        except OSError as exc:
            raise DeviceError(_("cannot write the slip to {folder}: {strerror}", folder=self.folder, strerror=exc.strerror)) from exc
        self.last_text = slip.text()

    def close(self) -> None:
        """Nothing to release."""
