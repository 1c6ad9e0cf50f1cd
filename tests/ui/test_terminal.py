"""The installed ``kiosk`` command in a real terminal (tmux): type, tap, read the screen.

Taps are xterm SGR mouse sequences, as a touchscreen's terminal would send them.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import _PIN_HASHES, DEMO_CSV
from tests.real_parts import need_command

CONFIG = """
data_dir = "{data}"
result_seconds = 3
[venue]
name = "Stadion Singaperbangsa"
code = "KRW"
[station]
id = "ST-09"
trial = true
[quota]
stock = 2000
first_day = {today}
last_day = {today}
[devices]
camera = "none"
printer_url = "preview://{data}/slips"
[pins]
staff = "{staff}"
technician = "{technician}"
"""


class Terminal:
    """A tmux session running one command."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.name = f"kiosk-test-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        shell = f"env -u COLUMNS -u LINES {exports} {' '.join(command)}; sleep 30"
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", "110", "-y", "34", shell], check=True)
        # A detached session follows the server's default size on some tmux versions: pin it.
        subprocess.run(["tmux", "resize-window", "-t", self.name, "-x", "110", "-y", "34"], check=True)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True).stdout

    def wait_for(self, text: str, seconds: float = 20.0) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *(["-l"] if literal else []), *keys], check=True)

    def tap(self, label: str) -> None:
        """Press and release the mouse on the first place ``label`` shows on its own on screen."""
        pattern = re.compile(rf"(?<= ){re.escape(label)}(?= |$)")
        for row, line in enumerate(self.screen().splitlines(), start=1):
            found = pattern.search(line)
            if found:
                col = found.start()
                self.keys(f"\x1b[<0;{col + 1};{row}M", literal=True)
                self.keys(f"\x1b[<0;{col + 1};{row}m", literal=True)
                return
        raise AssertionError(f"{label!r} is not on screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def terminal(tmp_path: Path):
    need_command("tmux")
    import datetime as dt
    from zoneinfo import ZoneInfo

    today = dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()
    config = tmp_path / "kiosk.toml"
    config.write_text(CONFIG.format(data=tmp_path, today=today, **_PIN_HASHES), encoding="utf-8")
    kiosk = str(Path(sys.executable).parent / "kiosk")
    subprocess.run([kiosk, "--config", str(config), "import", "registrations", str(DEMO_CSV)], check=True,
                   capture_output=True)
    term = Terminal([kiosk, "--config", str(config)], {"TERM": "xterm-256color", "COLORTERM": "truecolor"})
    yield term
    term.close()


def test_typed_nik_and_tapped_keypad_in_a_real_terminal(terminal):
    terminal.wait_for("Scan your QR or type your NIK")
    terminal.keys("3215110310804423", literal=True)
    terminal.keys("Enter")
    screen = terminal.wait_for("Queue number A-1")
    assert "Ahmad W." in screen and "Wijaya" not in screen and "Silakan ke meja skrining" in screen
    terminal.wait_for("Scan your QR or type your NIK")  # back by itself
    nik = "3215216807038915"
    for n, digit in enumerate(nik, start=1):  # as a person watching the field: each digit shows before the next tap
        terminal.tap(digit)
        terminal.wait_for(nik[:n], seconds=5)
    terminal.tap("OK")
    shown = terminal.wait_for("Queue number A-2")  # a typed NIK shows whose it is only to its owner's eyes
    assert "Siti W." in shown and "Wijaya" not in shown


def test_scanner_burst_and_a_person_typing_in_a_real_terminal(terminal):
    """tmux delivers a literal string in one write, as a keyboard-wedge scanner's burst arrives."""
    terminal.wait_for("Scan your QR or type your NIK")
    terminal.keys("REG-0003\t", literal=True)  # the scanner ends with Tab; focus must not move
    assert "Queue number A-1" in terminal.wait_for("Queue number A-1")
    terminal.wait_for("Scan your QR or type your NIK")
    for char in "REG-0004":  # a person: one key at a time
        terminal.keys(char, literal=True)
        time.sleep(0.1)
    terminal.wait_for("REG-0004")  # each key reached the field
    terminal.keys("Enter")
    assert "Queue number A-2" in terminal.wait_for("Queue number A-2")
