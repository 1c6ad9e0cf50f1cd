"""A live station refuses the example config: the published PINs, a fake device, a plan that ended."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.pins import hash_pin
from kiosk.readiness import EXAMPLE_PIN_HASHES

EXAMPLE = Path(__file__).parents[2] / "deploy" / "kiosk.example.toml"


def _example_in(tmp_path: Path) -> Path:
    """The installer's copy of the example, with only data_dir pointed at a scratch folder."""
    config = tmp_path / "kiosk.toml"
    config.write_text(EXAMPLE.read_text(encoding="utf-8").replace('"/var/lib/sentra"', f'"{tmp_path}"'), encoding="utf-8")
    return config


def _made_ready(config: Path, monkeypatch) -> None:
    """What the README tells a technician to do: the venue's own PINs (`sentra pin set staff`), real devices, the plan."""
    import getpass

    answers = iter(["5817", "5817", "40213", "40213"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    config.chmod(0o640)
    assert main(["--config", str(config), "pin", "set", "staff"]) == 0
    assert main(["--config", str(config), "pin", "set", "technician"]) == 0
    assert config.stat().st_mode & 0o777 == 0o640
    today = dt.date.today()
    text = config.read_text(encoding="utf-8")
    for old, new in (('camera = "folder"', 'camera = "none"'), ('printer_url = "preview://"', 'printer_url = "tcp://10.0.0.5:9100"'),
                     ("first_day = 2021-08-05", f"first_day = {today}"), ("last_day = 2021-08-09", f"last_day = {today + dt.timedelta(days=4)}")):
        assert old in text
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")


def test_the_example_file_holds_exactly_the_hashes_the_station_knows_as_published():
    pins = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))["pins"]
    assert {pins["staff"], pins["technician"]} == EXAMPLE_PIN_HASHES


def test_the_station_refuses_to_start_on_the_example_config_and_says_what_to_change(tmp_path, capsys):
    config = _example_in(tmp_path)
    launched = []
    assert main(["--config", str(config)], launch=lambda settings: launched.append(settings) or 0) == 2
    err = capsys.readouterr().err
    assert not launched, "the UI started on the example config"
    assert err.count("\n") == 1 and f"kiosk: {config} is not ready for a live station" in err
    for fix in ("pins.staff is a published example PIN: set the venue's own with `sentra pin set staff`",
                "pins.technician is a published example PIN: set the venue's own with `sentra pin set technician`",
                'devices.camera = "folder" is the demo\'s fake camera: use "opencv"',
                "devices.printer_url = preview:// writes slips to files, not paper: use usb://",
                "the dose plan ended on 2021-08-09: set first_day, last_day and stock"):
        assert fix in err
    assert main(["--config", str(config), "config", "check"]) == 2
    assert "is not ready for a live station" in capsys.readouterr().err


def test_a_real_config_passes_and_a_freshly_hashed_published_pin_does_not(tmp_path, capsys, monkeypatch):
    config = _example_in(tmp_path)
    _made_ready(config, monkeypatch)
    assert main(["--config", str(config), "config", "check"]) == 0
    assert "config OK: 5 service days" in capsys.readouterr().err
    text = config.read_text(encoding="utf-8")
    staff = tomllib.loads(text)["pins"]["staff"]
    config.write_text(text.replace(staff, hash_pin("1234", iterations=1000)), encoding="utf-8")
    assert main(["--config", str(config), "config", "check"]) == 2  # config check tries the published PINs too
    err = capsys.readouterr().err
    assert "pins.staff is a published example PIN" in err and "technician" not in err


@pytest.mark.parametrize("trial", ["true", "false"])
def test_a_trial_station_may_run_on_fake_devices(tmp_path, capsys, trial):
    config = _example_in(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace('role = "all"', f'role = "all"\ntrial = {trial}'), encoding="utf-8")
    assert main(["--config", str(config), "config", "check"]) == (0 if trial == "true" else 2)
    if trial == "true":
        assert "a trial station: fake devices and example PINs allowed" in capsys.readouterr().err
