"""The demo venue: 2,000 doses over five days from today, demo registrations, fake devices.

``kiosk demo`` creates it in a temporary folder (or reuses the one made today) so a newcomer
sees the whole flow without any set-up. ``--cap N`` fixes today's cap to make "full" reachable.
"""

from __future__ import annotations

import datetime as dt
import string
import tempfile
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.pins import hash_pin

DEMO_STAFF_PIN = "1234"
DEMO_TECHNICIAN_PIN = "9999"
DEMO_TZ = "Asia/Jakarta"


def demo_dir(cap: int | None, root: Path | None = None) -> Path:
    """The demo's folder: one per day and cap, so a rerun the same day reuses its records."""
    today = dt.datetime.now(ZoneInfo(DEMO_TZ)).date()
    suffix = f"-cap{cap}" if cap is not None else ""
    return (root or Path(tempfile.gettempdir())) / f"sentra-demo-{today:%Y%m%d}{suffix}"


def demo_csv() -> Path:
    """The sample registrations kept in the repository."""
    return Path(str(resources.files("kiosk.data").joinpath("demo_registrations.csv")))


def write_demo_config(folder: Path, cap: int | None) -> Path:
    """Write the demo's kiosk.toml (kept if it exists, so a rerun reuses the venue)."""
    path = folder / "kiosk.toml"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    today = dt.datetime.now(ZoneInfo(DEMO_TZ)).date()
    overrides = f"\noverrides = {{ {today.isoformat()} = {cap} }}" if cap is not None else ""
    template = string.Template(resources.files("kiosk.data").joinpath("demo_kiosk.toml").read_text(encoding="utf-8"))
    path.write_text(template.substitute(
        folder=folder, time_zone=DEMO_TZ, first_day=today.isoformat(), last_day=(today + dt.timedelta(days=4)).isoformat(),
        overrides=overrides, staff_pin=hash_pin(DEMO_STAFF_PIN), technician_pin=hash_pin(DEMO_TECHNICIAN_PIN),
    ), encoding="utf-8")
    return path


def write_demo_qr_images(folder: Path, codes: list[str]) -> None:
    """PNG QR codes of the demo registrations, to copy into the fake camera's folder."""
    import segno

    folder.mkdir(parents=True, exist_ok=True)
    for code in codes:
        target = folder / f"{code}.png"
        if not target.exists():
            segno.make_qr(code, error="m").save(str(target), scale=8, border=4)
