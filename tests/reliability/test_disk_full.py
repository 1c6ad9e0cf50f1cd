"""A full disk in the middle of the day: the check-in that hit it fails with a message, the station recovers.

The station's data folder is a small tmpfs mounted for the test (root only: a developer's
machine skips it with the reason; CI runs as root), filled up with a file, then emptied.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from kiosk.bootstrap import build_station
from kiosk.clock import FixedClock
from kiosk.config import Settings
from kiosk.errors import StorageError
from tests.conftest import DEMO_CSV, JAKARTA, OPENING, _fixed_venue_key, settings_values
from tests.real_parts import missing


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 2 MiB filesystem of its own, unmounted at the end."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        missing("root (to mount a small tmpfs)", "run the suite as root, as .ci/run does")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        missing("permission to mount a tmpfs", done.stderr.strip())
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> Path:
    """Fill the filesystem to the last byte."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def test_after_a_failed_first_check_in_of_the_day_the_same_station_admits_once_space_is_back(small_disk):
    clock = FixedClock(JAKARTA, instant=OPENING.astimezone(dt.UTC))
    settings = Settings(**settings_values(small_disk))
    _fixed_venue_key(settings.venue_key_path)
    station = build_station(settings, clock=clock)
    try:
        assert not station.registrations.import_csv(DEMO_CSV).errors
        filler = fill(small_disk)
        with pytest.raises(StorageError, match="disk is full"):
            for code in ("REG-0001", "REG-0002", "REG-0003", "REG-0004"):
                station.checkin.check_in(code)
        filler.unlink()
        outcome = station.checkin.check_in("REG-0005")  # the same running station, no restart
        assert outcome.kind == "admitted", outcome
        assert station.desk.day_numbers().turned_away == 0
    finally:
        station.close()


def test_a_first_start_on_a_full_disk_leaves_no_empty_venue_key(small_disk):
    from kiosk.errors import KioskError

    filler = fill(small_disk)
    settings = Settings(**settings_values(small_disk / "station"))
    with pytest.raises(KioskError) as failed:
        build_station(settings).close()
    assert "No space left" in str(failed.value) or "disk is full" in str(failed.value)
    assert not settings.venue_key_path.exists() or settings.venue_key_path.stat().st_size > 0
    filler.unlink()
    build_station(settings).close()  # space is back: the next start works
    assert settings.venue_key_path.stat().st_size > 100


def test_a_read_only_data_folder_gives_one_line_from_every_command(small_disk):

    from tests.unit.test_config import station_config

    config = small_disk / "kiosk.toml"
    config.write_text(station_config(str(small_disk)), encoding="utf-8")
    from tests.unit.test_cli import kiosk  # in this process: the same main() the installed command runs

    assert kiosk("import", "registrations", str(DEMO_CSV), config=config).returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    for command in (["report"], ["import", "registrations", str(DEMO_CSV)], ["sync", "status"], ["db", "upgrade"]):
        done = kiosk(*command, config=config)
        lines = done.stderr.strip().splitlines()
        assert done.returncode in (1, 2) and len(lines) == 1 and "Traceback" not in done.stderr, (command, done.stderr)
        assert "read-only" in lines[0] or "cannot be" in lines[0], (command, lines)
