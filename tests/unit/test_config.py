"""Settings: one TOML file, KIOSK_* overrides, and one clear line for a wrong value."""

import json
import subprocess
import sys

import pytest

from kiosk.cli import main
from kiosk.config import load_settings
from kiosk.errors import ConfigError
from kiosk.pins import check_pin, hash_pin
from tests.conftest import _PIN_HASHES

GOOD = f"""
data_dir = "{{data}}"
[venue]
name = "Stadion Singaperbangsa"
code = "KRW"
[station]
id = "ST-01"
trial = true
[quota]
stock = 2000
first_day = 2021-08-05
last_day = 2021-08-09
[database]
url = "postgresql+psycopg://kiosk:s3cret@127.0.0.1/venue"
[pins]
staff = "{_PIN_HASHES['staff']}"
technician = "{_PIN_HASHES['technician']}"
"""


def station_config(data) -> str:
    """GOOD for a station on its own SQLite file in ``data``."""
    return GOOD.replace("{data}", str(data)).replace('url = "postgresql+psycopg://kiosk:s3cret@127.0.0.1/venue"', "")


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(GOOD.replace("{data}", str(tmp_path)), encoding="utf-8")
    return path


def test_file_loads_with_defaults(config_file):
    settings = load_settings(config_file)
    assert settings.venue.time_zone == "Asia/Jakarta" and settings.devices.decoders == ["zxingcpp"]
    assert settings.quota.carry_forward is True and settings.language == "id"


def test_env_overrides_the_file(config_file, monkeypatch):
    monkeypatch.setenv("KIOSK_STATION__ID", "ST-07")
    monkeypatch.setenv("KIOSK_LANGUAGE", "en")
    settings = load_settings(config_file)
    assert (settings.station.id, settings.language) == ("ST-07", "en")


@pytest.mark.parametrize("change, expected", [
    (("code = \"KRW\"", "code = \"krw!\""), "venue.code: String should match pattern"),
    (("stock = 2000", "stock = -5"), "quota.stock: Input should be greater than or equal to 0"),
    (("[station]\nid = \"ST-01\"", "[station]\nname = \"x\""), "station.id: missing (required)"),
    (("last_day = 2021-08-09", "last_day = 2021-08-01"), "quota: last_day is before first_day"),
    (("[venue]", "[venue]\ntime_zone = \"Mars/Olympus\""), "venue.time_zone: unknown time zone 'Mars/Olympus'"),
    (("[venue]", "[venue]\nnmae = \"typo\""), "venue.nmae: unknown key"),
    (("staff = ", "staff = \"1234\"\n#"), "pins.staff: must be a PIN hash"),
    # each of these used to pass `config check` and fail later, or run and break the plan
    (("last_day = 2021-08-09", "last_day = 2021-08-09\noverrides = { 2021-08-06 = -5 }"),
     "quota: override for 2021-08-06 is -5: a cap is 0 or more"),
    (("last_day = 2021-08-09", "last_day = 2021-08-09\noverrides = { 2021-08-06 = 2001 }"),
     "quota: per-day overrides add up to more than the stock"),
    (("stock = 2000", "stock = 100000000000000000000"), "quota.stock: "),
    (("first_day = 2021-08-05", "first_day = 0001-01-01"), "quota: the plan spans 738011 days; a plan covers at most 366"),
    (('url = "postgresql+psycopg://kiosk:s3cret@127.0.0.1/venue"', 'url = "nonsense"'), "database.url: not a database URL"),
    (('url = "postgresql+psycopg://kiosk:s3cret@127.0.0.1/venue"', 'url = "oracle://x@y/z"'), "database.url: a oracle database"),
    (("staff = ", "staff = \"pbkdf2_sha256$0$00112233445566778899aabbccddeeff$" + "0" * 64 + "\"\n#"),
     "pins.staff: must be a PIN hash"),
    (("staff = ", "staff = \"pbkdf2_sha256$1000$not-hex-salt-not-hex-salt-000000$" + "0" * 64 + "\"\n#"),
     "pins.staff: must be a PIN hash"),
])
def test_wrong_values_name_the_key(config_file, change, expected):
    config_file.write_text(config_file.read_text().replace(*change, 1))
    with pytest.raises(ConfigError) as caught:
        load_settings(config_file)
    assert expected in str(caught.value) and str(config_file) in str(caught.value)


def test_data_dir_that_is_a_file_names_the_key(config_file, tmp_path):
    (tmp_path / "afile").write_text("x")
    config_file.write_text(config_file.read_text().replace(str(tmp_path), str(tmp_path / "afile"), 1))
    with pytest.raises(ConfigError, match="data_dir: .*afile is a file: data_dir names a folder"):
        load_settings(config_file)


def test_a_postgresql_url_without_its_driver_is_one_line(config_file, capsys):
    """A driver that is not installed (psycopg2; the station ships psycopg 3) is said in one line."""
    config_file.write_text(config_file.read_text().replace("postgresql+psycopg://", "postgresql+psycopg2://"))
    assert main(["--config", str(config_file), "config", "check"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "database.url: the driver for postgresql+psycopg2:// is not installed" in err[0]
    assert "postgresql+psycopg://" in err[0] and "s3cret" not in err[0]


def test_sync_url_password_is_masked_by_config_check(config_file, capsys):
    config_file.write_text(config_file.read_text() + '[sync]\nserver = "json"\nurl = "https://sta:hunter2@c.example/in"\n')
    assert main(["--config", str(config_file), "config", "check"]) == 0
    out = capsys.readouterr().out
    assert "hunter2" not in out and json.loads(out)["sync"]["url"] == "https://sta:***@c.example/in"


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[venue\nname=", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_settings(broken)


def test_config_check_masks_secrets(config_file, capsys):
    assert main(["--config", str(config_file), "config", "check"]) == 0
    out = capsys.readouterr()
    shown = json.loads(out.out)
    assert shown["database"]["url"] == "postgresql+psycopg://kiosk:***@127.0.0.1/venue"
    assert shown["pins"]["staff"] == "(hashed, hidden)" and "s3cret" not in out.out
    assert "5 service days, 400-400 people a day" in out.err


def test_cli_prints_one_line_not_a_traceback(config_file):
    config_file.write_text(config_file.read_text().replace("stock = 2000", "stock = \"lots\""))
    done = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config_file), "config", "check"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"kiosk: configuration error in {config_file}: quota.stock: Input should be a valid integer, unable to parse string as an integer"]


def test_pins_are_hashed_and_checked():
    stored = hash_pin("2468", iterations=1000)
    assert "2468" not in stored and check_pin("2468", stored) and not check_pin("1357", stored)
    assert not check_pin("2468", "2468")


def test_core_imports_no_ui_or_device_library():
    code = ("import sys, kiosk.bootstrap, kiosk.cli, kiosk.services.printing, kiosk.demo; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'textual', 'cv2', 'zxingcpp', 'pyzbar', 'escpos', 'screens', 'devices'}); print(bad)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_example_config_in_deploy_is_valid(tmp_path, monkeypatch):
    from pathlib import Path

    example = Path(__file__).parents[2] / "deploy" / "kiosk.example.toml"
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    settings = load_settings(example)
    assert settings.venue.code == "KRW01" and settings.quota.walkin_share == 0.2
    assert check_pin("1234", settings.pins.staff) and check_pin("9999", settings.pins.technician)


def test_import_linter_contract_is_kept():
    """The headless-core contract in pyproject.toml, checked by import-linter itself."""
    from pathlib import Path

    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint)], capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout


def test_nothing_heavy_loads_before_the_attendee_screen_paints():
    """The first paint within a second depends on it: only Textual and the settings come first."""
    code = ("import sys, kiosk.cli, screens.launch, screens.app, kiosk.config; "
            "heavy = {'sqlalchemy', 'sqlmodel', 'alembic', 'cv2', 'zxingcpp', 'pyzbar', 'escpos', 'numpy', "
            "'cryptography', 'stdnum', 'PIL', 'segno'}; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
