"""The browser kiosk end to end: `kiosk serve` on loopback, Chromium with touch, one station however many pages.

Real parts: the installed `kiosk` command, textual-serve, Debian's Chromium driven by playwright (no
browser download), the station's SQLite file and log. The camera is the folder fake (no webcam here).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import _PIN_HASHES, DEMO_CSV
from tests.fhir_server import free_port
from tests.real_parts import missing, need_command
from tests.ui.browser import StationPage
from tests.ui.test_terminal import CONFIG as TERMINAL_CONFIG

# the terminal test's venue, on the folder camera (its opening is logged) and logging to the data folder
CONFIG = TERMINAL_CONFIG.replace('id = "ST-09"', 'id = "ST-07"').replace(
    'camera = "none"', 'camera = "folder"\ncamera_folder = "{data}/camera"').replace("[pins]", '[log]\nto = "file"\n[pins]')


def _station_pids(config: Path) -> list[int]:
    """The station apps running on ``config`` (not the server that starts them)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue
        if str(config).encode() in argv and b"run" in argv and b"serve" not in argv:
            pids.append(int(entry.name))
    return pids


def _log_until(config: Path, event: str, seconds: float = 30.0) -> list[str]:
    """The server's and camera's log events, once ``event`` is among them."""
    deadline = time.monotonic() + seconds
    while True:
        log = (config.parent / "kiosk.log").read_text(encoding="utf-8")
        events = [ln.split(": ", 1)[1] for ln in log.splitlines() if "kiosk.serve" in ln or "kiosk.camera" in ln]
        if event in events or time.monotonic() > deadline:
            return events
        time.sleep(0.2)


@pytest.fixture
def served(tmp_path: Path):
    chromium = need_command("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright", "uv sync (it is in the dev group)")
    import datetime as dt
    from zoneinfo import ZoneInfo

    today = dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()
    config = tmp_path / "kiosk.toml"
    config.write_text(CONFIG.format(data=tmp_path, today=today, **_PIN_HASHES), encoding="utf-8")
    kiosk = str(Path(sys.executable).parent / "kiosk")
    from tests.unit.test_cli import kiosk as in_process

    assert in_process("import", "registrations", str(DEMO_CSV), config=config).returncode == 0
    (tmp_path / "camera").mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    server = subprocess.Popen([kiosk, "--config", str(config), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert server.stdout is not None
    line = server.stdout.readline()
    assert "the station is on" in line, line
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
        try:
            yield config, context, f"http://127.0.0.1:{port}/"
        finally:
            browser.close()
            server.terminate()
            server.wait(20)
    assert not _station_pids(config), "the station app outlived its server"


def test_a_tapped_nik_checks_in_and_reloads_tabs_and_crashes_leave_one_station(served):
    config, context, url = served
    page = StationPage(context, url)
    page.wait_for("Scan your QR or type your NIK")
    nik = "3215110310804423"
    for n, digit in enumerate(nik, start=1):  # as a person watching the field: each digit shows before the next tap
        page.tap(digit)
        page.wait_for(nik[:n], seconds=5)
    page.tap("OK")
    shown = page.wait_for("Queue number A-1")
    page.shot("browser-result.png")
    assert "Ahmad W." in shown and "Wijaya" not in shown
    with sqlite3.connect(config.parent / "station.db") as db:
        rows = db.execute("SELECT r.nik, v.queue_number FROM visit v JOIN registration r ON r.id = v.registration_id").fetchall()
    assert rows == [("3215110310804423", "A-1")]

    first = _station_pids(config)
    assert len(first) == 1
    page.page.reload()
    most = 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # through the reload, never two apps on one camera and printer
        pids = _station_pids(config)
        most = max(most, len(pids))
        if pids and pids != first:
            break
        page.page.wait_for_timeout(50)
    page.wait_for("Scan your QR or type your NIK")
    after = _station_pids(config)
    assert most == 1 and len(after) == 1 and after != first

    events = _log_until(config, f"camera opened (pid {after[0]})")
    opened = [e for e in events if e.startswith("camera opened")]
    assert opened[0] == f"camera opened (pid {first[0]})"
    ended = events.index(f"station app (pid {first[0]}) ended")
    assert events.index(f"camera opened (pid {after[0]})") > ended  # the new app's camera opened after the old app had gone

    os.kill(after[0], signal.SIGKILL)  # the app dies: the page brings the station back by itself
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _station_pids(config) in ([], after):
        page.page.wait_for_timeout(100)
    again = _station_pids(config)
    assert len(again) == 1 and again != after
    page.wait_for("Scan your QR or type your NIK")

    # a second tab takes the station over, and the first does not take it back
    second = StationPage(context, url)
    second.wait_for("Scan your QR or type your NIK")
    page.page.wait_for_function("document.body.classList.contains('-closed')")
    assert "another window" in page.page.inner_text(".closed-dialog .message")
    page.page.wait_for_timeout(3000)  # longer than the page's own reload delay
    now = _station_pids(config)
    assert len(now) == 1 and now != again
    assert "Scan your QR or type your NIK" in second.screen()
    second.shot("browser-second-tab.png")
