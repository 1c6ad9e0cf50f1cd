"""The admin subcommands as a person runs them."""

import subprocess
import sys

from kiosk.cli import main
from tests.conftest import DEMO_CSV


def kiosk(*args, config):
    return subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config), *args], capture_output=True, text=True)


def test_import_verify_upgrade_backup_report(tmp_path):
    from tests.unit.test_config import GOOD

    config = tmp_path / "kiosk.toml"
    config.write_text(GOOD.replace("{data}", str(tmp_path)).replace(
        'url = "postgresql://kiosk:s3cret@127.0.0.1/venue"', ""), encoding="utf-8")
    done = kiosk("import", "registrations", str(DEMO_CSV), config=config)
    assert done.returncode == 0 and "36 imported, 0 unchanged, 0 refused" in done.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(DEMO_CSV.read_text().splitlines()[0] + "\n123,X,2000-01-01,M,,REG-X1,,\n", encoding="utf-8")
    done = kiosk("import", "registrations", str(bad), config=config)
    assert done.returncode == 1 and f"{bad}:2: nik: a NIK has 16 digits, this has 3" in done.stdout
    assert "revision 0002" in kiosk("db", "upgrade", config=config).stdout
    assert kiosk("db", "backup", str(tmp_path / "copy.db"), config=config).returncode == 0
    assert (tmp_path / "copy.db").stat().st_size > 0
    assert "cap: 400" in kiosk("report", "--day", "2021-08-05", config=config).stdout
    assert kiosk("card", "verify", "SC1/C/KRW/AAAA1111/20210805/1/AAAA", config=config).stdout.strip() == "forged"
    assert kiosk("card", "verify", "SC1/C/XYZ/AAAA1111/20210805/1/AAAA", config=config).stdout.strip() == "unknown venue"
    assert kiosk("card", "verify", "hello", config=config).stdout.strip() == "not a Sentra card or pass"


def test_run_without_a_ui_says_so(tmp_path, capsys):
    from tests.unit.test_config import GOOD

    config = tmp_path / "kiosk.toml"
    config.write_text(GOOD.replace("{data}", str(tmp_path)).replace(
        'url = "postgresql://kiosk:s3cret@127.0.0.1/venue"', ""), encoding="utf-8")
    assert main(["--config", str(config), "run"]) == 1
    assert "station UI is not available" in capsys.readouterr().err


def test_pin_hash_refuses_non_digits(capsys):
    assert main(["pin", "hash", "abc"]) == 1
    assert main(["pin", "hash", "2468"]) == 0
    assert capsys.readouterr().out.startswith("pbkdf2_sha256$")


def test_demo_setup_makes_a_venue_with_registrations_and_qr_images(tmp_path):
    import os
    from pathlib import Path

    import cv2
    import zxingcpp

    env = {**os.environ, "TMPDIR": str(tmp_path)}
    kiosk = str(Path(sys.executable).parent / "kiosk")
    first = subprocess.run([kiosk, "demo", "--cap", "3", "--setup-only"], capture_output=True, text=True, env=env)
    assert first.returncode == 0 and "36 registrations imported, 0 already there" in first.stdout
    assert "staff PIN 1234, technician PIN 9999" in first.stdout
    again = subprocess.run([kiosk, "demo", "--cap", "3", "--setup-only"], capture_output=True, text=True, env=env)
    assert "0 registrations imported, 36 already there" in again.stdout  # reused, not duplicated
    [folder] = tmp_path.glob("sentra-demo-*-cap3")
    image = cv2.imread(str(folder / "qr-codes" / "REG-0007.png"))
    assert zxingcpp.read_barcodes(image)[0].text == "REG-0007"
    report = subprocess.run([kiosk, "--config", str(folder / "kiosk.toml"), "report", "--json"],
                            capture_output=True, text=True, env=env)
    assert '"cap": 3' in report.stdout
