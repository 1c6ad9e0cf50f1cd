"""``kiosk diag [--json]``: every check with what to do; ``kiosk diag printer``: status and a test page;
``kiosk diag decode``: what the decoders read in a folder or video."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.config import DeviceSettings, Settings
from kiosk.diagnostics import Check
from kiosk.i18n import N_, _
from kiosk.ports import DeviceError


def diag(settings: Settings | None, args: argparse.Namespace) -> int:
    """Route ``kiosk diag [--json]``, ``kiosk diag printer``, ``kiosk diag decode`` and ``kiosk diag ocr`` (the last two
    need no config: None)."""
    if args.action == "decode":
        return diag_decode(settings, args)
    if args.action == "ocr":
        return diag_ocr(args)
    assert settings is not None
    if args.action is None:
        return diag_all(settings, bool(getattr(args, "json", False)))
    if args.action == "export":
        return diag_export(settings, args.path)
    return diag_printer(settings, args)


PRINTER_ACTIONS = {"paper out": N_("load a new paper roll"), "cover open": N_("close the printer's cover"),
                   "offline": N_("check the printer's power and cable"), "unknown": N_("check the printer's power and cable")}
CAMERA_SAMPLE_S = 1.0  # how long the camera check watches: enough for a frame rate, short enough to wait for


def device_checks(settings: Settings, sample_s: float = CAMERA_SAMPLE_S) -> list[Check]:
    """Open each device the way the station would: the decoders, the camera (resolution, frame rate and a live
    decode of what it sees), the printer's own status."""
    from devices.factory import build_devices

    devices = build_devices(settings)
    checks = [Check("decoder", not devices.problems, ", ".join(d.name for d in devices.decoder.decoders)
                    + ("; " + "; ".join(devices.problems) if devices.problems else ""),
                    _("install the missing decoder's library (libzbar0 for pyzbar) or remove it from devices.decoders"))]
    checks.append(_opened("camera", devices.camera, lambda camera: camera_probe(camera, devices.decoder, sample_s),
                          _("plug the camera in, or close the program that holds it, then check devices.camera")))

    def printer_state(printer: Any) -> tuple[str, bool, str]:
        state = printer.status()
        return f"{settings.devices.printer_url}: {state.words}", state.can_print, _(PRINTER_ACTIONS.get(state.value, ""))
    checks.append(sound_check(settings))
    checks.append(ektp_check(settings, devices.card_reader))
    checks.append(_opened("printer", devices.printer, printer_state,
                          _("check the printer's power, cable or network address (devices.printer_url)"),
                          f"{settings.devices.printer_url}: "))
    return checks


def ektp_check(settings: Settings, reader: Any) -> Check:
    """Whether the e-KTP reader is on, its models load, and what one attempt costs on this machine."""
    import time

    import numpy as np

    if not settings.devices.read_ektp:
        return Check("ektp", True, _("off (devices.read_ektp = false): attendees without a QR type their NIK"))
    if reader is None:
        return Check("ektp", True, _("off: no camera"))
    started, was_loaded = time.perf_counter(), reader.loaded
    try:
        reader.engine()
    except DeviceError as exc:
        return Check("ektp", False, str(exc), _("run uv sync (rapidocr-onnxruntime), or set devices.read_ektp = false"))
    seconds = round(time.perf_counter() - started, 1)
    ready = _("models loaded") if was_loaded else _("models loaded in {seconds} s", seconds=seconds)
    attempt = reader.read(np.full((720, 1280), 128, np.uint8)).ms  # an empty 720p view: detection alone
    return Check("ektp", True, _("{engine}: {ready}; an attempt on an empty 720p view {ms} ms",
                                 engine=reader.name, ready=ready, ms=round(attempt)))


def sound_check(settings: Settings) -> Check:
    """Whether the feedback sounds can play as ``[sound]`` says."""
    from devices.sound import build_sound

    s = settings.sound
    sound = build_sound(s.output, s.device, s.volume, lambda: None, lambda _delay, _ring: None)
    try:
        sound.check()
    except DeviceError as exc:
        return Check("sound", False, str(exc), _("install alsa-utils, or set sound.output = \"bell\""))
    where = {"alsa": f"aplay -D {s.device}", "bell": _("the terminal bell"), "off": _("off")}[s.output]
    return Check("sound", True, where)


def camera_probe(camera: Any, decoder: Any, sample_s: float = CAMERA_SAMPLE_S,
                 now: Callable[[], float] | None = None) -> tuple[str, bool, str]:
    """Watch an opened ``camera`` for ``sample_s`` as the camera loop would: its resolution, frames per second,
    and whether the decoder reads what is held to it (``CameraStats.describe``)."""
    import time

    from devices.camera_loop import CameraStats

    clock = now or time.monotonic
    stats, started = CameraStats(window=10_000), clock()
    while clock() - started < sample_s:
        frame = camera.read()
        if frame is not None:
            stats.frame(frame, decoder.decode_live(frame), clock())
    return stats.describe(clock())


def _opened(part: str, device: Any, probe: Callable[[Any], tuple[str, bool, str]], fix: str, where: str = "") -> Check:
    """Open ``device`` as the station would, ask ``probe`` for (detail, ok, action), close it; a refusal is ``fix``."""
    if device is None:
        return Check(part, True, _("not configured"))
    try:
        device.open()
        detail, ok, action = probe(device)
        return Check(part, ok, detail, action)
    except DeviceError as exc:
        return Check(part, False, f"{where}{exc}", fix)
    finally:
        device.close()


def all_checks(settings: Settings) -> list[Check]:
    """The station's checks and the devices'."""
    from kiosk.bootstrap import build_station
    from kiosk.diagnostics import station_checks

    station = build_station(settings)
    try:
        return station_checks(station) + device_checks(settings)
    finally:
        station.close()


def diag_export(settings: Settings, path: Path) -> int:
    """Write the support bundle (see ``bundle_parts``) as a zip, 0600, never over a file."""
    import os
    import zipfile

    from kiosk.errors import KioskError

    checks = all_checks(settings)
    parts = bundle_parts(settings, checks)
    try:
        handle = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
    except FileExistsError:
        raise KioskError(_("{path} already exists: an export never overwrites one; give a new name", path=path)) from None
    except OSError as exc:
        raise KioskError(_("cannot write {path}: {strerror}", path=path, strerror=exc.strerror)) from None
    with handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in parts.items():
            bundle.writestr(name, text)
    print(_("support bundle written to {path} ({count} checks, {problems} with a problem)",
            path=path, count=len(checks), problems=sum(not c.ok for c in checks)))
    return 0


def bundle_parts(settings: Settings, checks: list[Check]) -> dict[str, str]:
    """The bundle's files: the checks, the config with secrets masked, the audit chain's verdict, the sync
    status and the recent log, which holds ids, never a NIK, name or phone."""
    import json
    import subprocess

    from kiosk.audit import verify
    from kiosk.bootstrap import build_station
    from kiosk.config import effective_settings
    from kiosk.logs import LOG_FILE, redact

    station = build_station(settings)
    try:
        with station.ctx.db.read() as session:
            chain = verify(session)
        status = station.sync.status()
    finally:
        station.close()
    log_file = settings.data_dir / LOG_FILE
    if log_file.exists():
        log = "\n".join(log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-5000:])
    else:
        try:
            log = subprocess.run(["journalctl", "-t", "sentra-kiosk", "-n", "5000", "--no-pager", "-o", "short-iso"],
                                 capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.TimeoutExpired):
            log = ""
    return {
        "diagnostics.json": json.dumps([c.as_dict() for c in checks], indent=2),
        "config.json": json.dumps(effective_settings(settings), indent=2, sort_keys=True),
        "audit.txt": f"{chain.rows} rows, " + ("chain intact" if chain.ok else f"broken at row {chain.broken_at}: {chain.reason}"),
        "sync-status.json": json.dumps({k: str(v) for k, v in vars(status).items()}, indent=2),
        "log.txt": "\n".join(redact(line) for line in (log or "(no log found)").splitlines()),
    }


def diag_all(settings: Settings, as_json: bool) -> int:
    """Every check, each with what to do when it fails; exit 1 when any fails."""
    import json

    checks = all_checks(settings)
    if as_json:
        print(json.dumps([c.as_dict() for c in checks], indent=2))
    else:
        for c in checks:
            verdict = "OK" if c.ok else _("PROBLEM")
            print(f"{verdict:7} {c.part_words}: {c.detail}" + ("" if c.ok else f"\n        -> {c.action}"))
    return 0 if all(c.ok for c in checks) else 1


def diag_decode(settings: Settings | None, args: argparse.Namespace) -> int:
    """Decode a folder or video with the configured chain; 1 when something was read wrongly."""
    from devices.decode.report import report
    from devices.factory import build_chain

    if not args.path.exists():
        print(_("{path}: no such file or folder", path=args.path))
        return 1
    chain, problems = build_chain(settings.devices if settings else DeviceSettings())
    for problem in problems:
        print(problem)
    decoder = chain.decoders[0] if len(chain.decoders) == 1 else chain
    totals = report(decoder, args.path, args.json)
    return 1 if totals["wrong_reads"] or totals["false_positives"] else 0


def diag_ocr(args: argparse.Namespace) -> int:
    """Read e-KTP images with the station's reader; 1 when a NIK was taken wrongly (or where none was expected)."""
    from devices.ektp.report import report

    if not args.path.exists():
        print(_("{path}: no such file or folder", path=args.path))
        return 1
    try:
        totals = report(args.path, args.json)
    except DeviceError as exc:
        print(exc)
        return 1
    return 1 if totals["wrong"] or totals["false_reads"] else 0


def diag_printer(settings: Settings, args: argparse.Namespace) -> int:
    """Print what the printer says; 0 when it is usable (and the test page went out)."""
    from devices.factory import build_devices
    from kiosk.services.slips import diagnostic_slip

    printer = build_devices(settings).printer
    try:
        printer.open()
        state = printer.status()
        print(_("printer {url}: {state}", url=settings.devices.printer_url, state=state.words))
        if not state.can_print:
            return 1
        if not args.no_test_page:
            printer.print_slip(diagnostic_slip(settings))
            print(_("test page printed"))
    except DeviceError as exc:
        print(_("printer {printer_url}: {exc}", printer_url=settings.devices.printer_url, exc=exc))
        return 1
    finally:
        printer.close()
    return 0
