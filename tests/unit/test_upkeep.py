"""A station's upkeep: the daily backup (database and venue key, N kept) and the clock check."""

from __future__ import annotations

import datetime as dt
import sqlite3

from kiosk.cli import main
from kiosk.diagnostics import _clock
from tests.unit.test_config import station_config


def test_the_daily_backup_keeps_the_database_and_the_key_and_only_the_newest_n(station, tmp_path, monkeypatch, capsys):
    station.checkin.check_in("REG-0001")
    data = station.settings.data_dir
    config = tmp_path / "kiosk.toml"
    backups = tmp_path / "backups"
    config.write_text(station_config(str(data)) + f'[backup]\nfolder = "{backups}"\nkeep = 2\n', encoding="utf-8")
    stamps = iter(["2021-08-05T210000", "2021-08-06T210000", "2021-08-07T210000"])

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime.strptime(next(stamps), "%Y-%m-%dT%H%M%S")

    import kiosk.services.backup as backup

    monkeypatch.setattr(backup.dt, "datetime", Clock)
    for _ in range(3):
        assert main(["--config", str(config), "backup", "run"]) == 0
    assert sorted(p.name for p in backups.iterdir()) == ["2021-08-06T210000", "2021-08-07T210000"]  # the oldest went
    newest = backups / "2021-08-07T210000"
    assert sorted(p.name for p in newest.iterdir()) == ["station.db", "venue-key.pem"]
    assert (newest / "venue-key.pem").read_bytes() == station.settings.venue_key_path.read_bytes()
    assert {oct(p.stat().st_mode & 0o777) for p in newest.iterdir()} == {"0o600"} and newest.stat().st_mode & 0o777 == 0o700
    with sqlite3.connect(newest / "station.db") as db:
        assert db.execute("SELECT count(*) FROM visit").fetchone() == (1,)
    assert "backup written to" in capsys.readouterr().out


def test_a_backup_folder_the_station_cannot_write_is_said_with_the_fix(station, tmp_path, capsys):
    config = tmp_path / "kiosk.toml"
    blocker = tmp_path / "afile"
    blocker.write_text("")
    config.write_text(station_config(str(station.settings.data_dir)) + f'[backup]\nfolder = "{blocker}/sub"\n', encoding="utf-8")
    assert main(["--config", str(config), "backup", "run"]) == 1
    assert "backup.folder" in capsys.readouterr().err


def test_the_clock_turns_red_behind_the_newest_record_and_says_whether_it_is_synchronised(station, clock):
    station.checkin.check_in("REG-0001")
    check = _clock(station.ctx, synchronised=False)
    assert check.ok and "NOT synchronised" in check.detail
    assert "synchronisation unknown" in _clock(station.ctx, synchronised=None).detail
    clock.advance(minutes=-90)  # the battery of the box's clock died and it booted an hour and a half back
    check = _clock(station.ctx, synchronised=True)
    assert not check.ok and "the clock is behind the newest record (2021-08-05 08:00)" in check.detail
    assert "timedatectl" in check.action


def test_config_check_quiet_says_only_the_verdict(tmp_path, capsys):
    config = tmp_path / "kiosk.toml"
    config.write_text(station_config(str(tmp_path)), encoding="utf-8")
    assert main(["--config", str(config), "config", "check", "--quiet"]) == 0
    out = capsys.readouterr()
    assert out.out == "" and out.err.startswith("config OK")
