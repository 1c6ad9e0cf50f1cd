"""Time from starting the ``kiosk`` command to the attendee screen painted in a real terminal.

Measured in tmux (poll capture-pane every 5 ms) against a bare Textual app that paints one
line, started the same way in the same run. Target (issue 2): first screen within 1 s.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parents[2]))

from kiosk.pins import hash_pin  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("Scan your QR or type your NIK")
Bare().run()
"""


def time_to_text(command: str, text: str, timeout: float = 20.0) -> float:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    start = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "110", "-y", "34",
                    f"env -u COLUMNS -u LINES {command}; sleep 30"], check=True)
    try:
        while time.perf_counter() - start < timeout:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout
            if text in screen:
                return time.perf_counter() - start
            time.sleep(0.005)
        raise RuntimeError(f"{text!r} did not appear within {timeout} s")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def main() -> None:
    kiosk = Path(sys.executable).parent / "kiosk"
    # Keep the tmux server alive between runs: killing the last session ends it, racing the next start.
    subprocess.run(["tmux", "new-session", "-d", "-s", "bench-keeper", "sleep 600"], check=True)
    try:
        measure(kiosk)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", "bench-keeper"], capture_output=True)


def measure(kiosk: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        today = dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()
        config = folder / "kiosk.toml"
        config.write_text(f"""data_dir = "{folder}"
[venue]
name = "Bench"
code = "BENCH"
[station]
id = "B1"
trial = true
[quota]
stock = 2000
first_day = {today}
last_day = {today + dt.timedelta(days=4)}
[devices]
camera_folder = "{folder / 'camera'}"
printer_url = "preview://{folder / 'slips'}"
[pins]
staff = "{hash_pin('1234', 1000)}"
technician = "{hash_pin('9999', 1000)}"
""", encoding="utf-8")
        bare = folder / "bare.py"
        bare.write_text(BARE_APP, encoding="utf-8")
        time_to_text(f"{kiosk} --config {config}", "Scan your QR")  # first run creates the database and key
        ours = [time_to_text(f"{kiosk} --config {config}", "Scan your QR") for _ in range(RUNS)]
        peer = [time_to_text(f"{sys.executable} {bare}", "Scan your QR") for _ in range(RUNS)]
    print(f"time to first paint in tmux, {RUNS} runs each (existing database)")
    print(f"{'':26} {'median s':>9} {'max s':>7}")
    for name, values in (("kiosk (attendee screen)", ours), ("bare Textual app", peer)):
        print(f"{name:26} {statistics.median(values):9.3f} {max(values):7.3f}")
    print(f"ratio (kiosk / bare): {statistics.median(ours) / statistics.median(peer):.2f}x; target: within 1 s")


if __name__ == "__main__":
    main()
