"""``kiosk diag printer``: open the configured printer, report its status, print a test page."""

from __future__ import annotations

import argparse

from kiosk.config import DeviceSettings, Settings
from kiosk.ports import DeviceError


def diag(settings: Settings | None, args: argparse.Namespace) -> int:
    """Route ``kiosk diag printer`` and ``kiosk diag decode`` (which needs no config: None)."""
    if args.action == "decode":
        return diag_decode(settings, args)
    assert settings is not None
    return diag_printer(settings, args)


def diag_decode(settings: Settings | None, args: argparse.Namespace) -> int:
    """Decode a folder or video with the configured chain; 1 when something was read wrongly."""
    from devices.decode.report import report
    from devices.factory import build_chain

    if not args.path.exists():
        print(f"{args.path}: no such file or folder")
        return 1
    chain, problems = build_chain(settings.devices if settings else DeviceSettings())
    for problem in problems:
        print(problem)
    decoder = chain.decoders[0] if len(chain.decoders) == 1 else chain
    totals = report(decoder, args.path, args.json)
    return 1 if totals["wrong_reads"] or totals["false_positives"] else 0


def diag_printer(settings: Settings, args: argparse.Namespace) -> int:
    """Print what the printer says; 0 when it is usable (and the test page went out)."""
    from devices.factory import build_devices
    from kiosk.services.slips import diagnostic_slip

    printer = build_devices(settings).printer
    try:
        printer.open()
        state = printer.status()
        print(f"printer {settings.devices.printer_url}: {state.value}")
        if not state.can_print:
            return 1
        if not args.no_test_page:
            printer.print_slip(diagnostic_slip(settings))
            print("test page printed")
    except DeviceError as exc:
        print(f"printer {settings.devices.printer_url}: {exc}")
        return 1
    finally:
        printer.close()
    return 0
