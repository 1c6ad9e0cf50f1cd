"""``kiosk diag printer``: open the configured printer, report its status, print a test page."""

from __future__ import annotations

import argparse

from kiosk.config import Settings
from kiosk.ports import DeviceError


def diag(settings: Settings, args: argparse.Namespace) -> int:
    """Print what the printer says; 0 when it is usable (and the test page went out)."""
    from devices.factory import build_devices
    from kiosk.services.slips import test_slip

    printer = build_devices(settings).printer
    try:
        printer.open()
        state = printer.status()
        print(f"printer {settings.devices.printer_url}: {state.value}")
        if not state.can_print:
            return 1
        if not args.no_test_page:
            printer.print_slip(test_slip(settings))
            print("test page printed")
    except DeviceError as exc:
        print(f"printer {settings.devices.printer_url}: {exc}")
        return 1
    finally:
        printer.close()
    return 0
