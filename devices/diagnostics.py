"""``kiosk diag [--json]``: every check with what to do; ``kiosk diag printer``: status and a test page;
``kiosk diag decode``: what the decoders read in a folder or video."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from kiosk.config import DeviceSettings, Settings
from kiosk.diagnostics import Check
from kiosk.ports import DeviceError


def diag(settings: Settings | None, args: argparse.Namespace) -> int:
    """Route ``kiosk diag [--json]``, ``kiosk diag printer`` and ``kiosk diag decode`` (which needs no config: None)."""
    if args.action == "decode":
        return diag_decode(settings, args)
    assert settings is not None
    if args.action is None:
        return diag_all(settings, bool(getattr(args, "json", False)))
    return diag_printer(settings, args)


PRINTER_ACTIONS = {"paper out": "load a new paper roll", "cover open": "close the printer's cover",
                   "offline": "check the printer's power and cable", "unknown": "check the printer's power and cable"}


def device_checks(settings: Settings) -> list[Check]:
    """Open each device the way the station would: the decoders, the camera, the printer's own status."""
    from devices.factory import build_devices

    devices = build_devices(settings)
    checks = [Check("decoder", not devices.problems, ", ".join(d.name for d in devices.decoder.decoders)
                    + ("; " + "; ".join(devices.problems) if devices.problems else ""),
                    "install the missing decoder's library (libzbar0 for pyzbar) or remove it from devices.decoders")]
    checks.append(_opened("camera", devices.camera, lambda camera: (f"{settings.devices.camera} opened", True, ""),
                          "plug the camera in, or close the program that holds it, then check devices.camera"))

    def printer_state(printer: Any) -> tuple[str, bool, str]:
        state = printer.status()
        return f"{settings.devices.printer_url}: {state.value}", state.can_print, PRINTER_ACTIONS.get(state.value, "")
    checks.append(_opened("printer", devices.printer, printer_state,
                          "check the printer's power, cable or network address (devices.printer_url)",
                          f"{settings.devices.printer_url}: "))
    return checks


def _opened(part: str, device: Any, probe: Callable[[Any], tuple[str, bool, str]], fix: str, where: str = "") -> Check:
    """Open ``device`` as the station would, ask ``probe`` for (detail, ok, action), close it; a refusal is ``fix``."""
    if device is None:
        return Check(part, True, "not configured")
    try:
        device.open()
        detail, ok, action = probe(device)
        return Check(part, ok, detail, action)
    except DeviceError as exc:
        return Check(part, False, f"{where}{exc}", fix)
    finally:
        device.close()


def diag_all(settings: Settings, as_json: bool) -> int:
    """Every check, each with what to do when it fails; exit 1 when any fails."""
    import json

    from kiosk.bootstrap import build_station
    from kiosk.diagnostics import station_checks

    station = build_station(settings)
    try:
        checks = station_checks(station) + device_checks(settings)
    finally:
        station.close()
    if as_json:
        print(json.dumps([c.as_dict() for c in checks], indent=2))
    else:
        for c in checks:
            print(f"{'OK     ' if c.ok else 'PROBLEM'} {c.part}: {c.detail}" + ("" if c.ok else f"\n        -> {c.action}"))
    return 0 if all(c.ok for c in checks) else 1


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
