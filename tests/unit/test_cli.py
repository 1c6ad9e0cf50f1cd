"""The admin subcommands as a person runs them."""
import json
import subprocess
import sys

from kiosk.cli import main
from tests.conftest import DEMO_CSV


def kiosk(*args, config):
    """`kiosk --config CONFIG ARGS` in this process (the command itself as a process: test_python_m_kiosk_and_...)."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--config", str(config), *args])
    from kiosk import logs

    for handler in list(logs.log.handlers):  # as the process's exit would: the log file is closed
        logs.log.removeHandler(handler)
        handler.close()
    return subprocess.CompletedProcess(["kiosk", *args], code, out.getvalue(), err.getvalue())


def test_import_verify_upgrade_backup_report(tmp_path):
    from tests.unit.test_config import station_config

    config = tmp_path / "kiosk.toml"
    config.write_text(station_config(str(tmp_path)), encoding="utf-8")
    done = kiosk("import", "registrations", str(DEMO_CSV), config=config)
    assert done.returncode == 0 and "36 imported, 0 unchanged, 0 refused" in done.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(DEMO_CSV.read_text().splitlines()[0] + "\n123,X,2000-01-01,M,,REG-X1,,\n", encoding="utf-8")
    done = kiosk("import", "registrations", str(bad), config=config)
    assert done.returncode == 1 and f"{bad}:2: nik: a NIK has 16 digits, this has 3" in done.stdout
    assert "revision 0005" in kiosk("db", "upgrade", config=config).stdout
    assert kiosk("db", "backup", str(tmp_path / "copy.db"), config=config).returncode == 0
    assert (tmp_path / "copy.db").stat().st_size > 0
    assert "cap: 400" in kiosk("report", "--day", "2021-08-05", config=config).stdout
    assert kiosk("card", "verify", "SC1/C/KRW/AAAA1111/20210805/1/AAAA", config=config).stdout.strip() == "forged"
    assert kiosk("card", "verify", "SC1/C/XYZ/AAAA1111/20210805/1/AAAA", config=config).stdout.strip() == "unknown venue"
    assert kiosk("card", "verify", "hello", config=config).stdout.strip() == "not a Sentra card or pass"


def test_run_without_a_ui_says_so(tmp_path, capsys, monkeypatch):
    """A core installed without the station's UI (no ``sentra.kiosk`` entry points) says what is missing."""
    import kiosk.cli
    from tests.unit.test_config import station_config

    monkeypatch.setattr(kiosk.cli, "_plugged", lambda name: None)
    config = tmp_path / "kiosk.toml"
    config.write_text(station_config(str(tmp_path)), encoding="utf-8")
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


def test_a_negative_demo_cap_is_refused_before_anything_runs(tmp_path):
    import os
    from pathlib import Path

    kiosk = str(Path(sys.executable).parent / "kiosk")
    done = subprocess.run([kiosk, "demo", "--cap", "-5", "--setup-only"], capture_output=True, text=True,
                          env={**os.environ, "TMPDIR": str(tmp_path)})
    assert done.returncode == 2 and "-5 is below 0" in done.stderr and not list(tmp_path.glob("sentra-demo-*"))


def test_without_a_config_commands_say_how_to_give_one_and_diag_decode_needs_none(tmp_path, monkeypatch):
    import os
    from pathlib import Path

    import segno

    from kiosk.config import DEFAULT_CONFIG

    assert not DEFAULT_CONFIG.exists()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    kiosk = str(Path(sys.executable).parent / "kiosk")
    report = subprocess.run([kiosk, "report"], capture_output=True, text=True, env=env)
    assert report.returncode == 2
    assert report.stderr.strip() == "kiosk: no configuration file found (looked in --config, $KIOSK_CONFIG and /etc/sentra/kiosk.toml)"
    for name in ("a", "b"):
        segno.make_qr(f"REG-00{name}1").save(tmp_path / f"{name}.png", scale=6)
    decode = subprocess.run([kiosk, "diag", "decode", str(tmp_path), "--json"], capture_output=True, text=True, env=env)
    summary = json.loads(decode.stdout.splitlines()[-1])["summary"]
    assert decode.returncode == 0 and summary["decoded"] == 2
    assert summary["p95_ms"] >= summary["median_ms"]  # two files: the larger, never below the median


def test_report_into_a_closed_pipe_is_no_traceback(tmp_path):
    from pathlib import Path

    from tests.unit.test_config import station_config

    config = tmp_path / "kiosk.toml"
    config.write_text(station_config(str(tmp_path)), encoding="utf-8")
    kiosk = str(Path(sys.executable).parent / "kiosk")
    for reader in ("head -1", "true"):  # `true` has gone before the report is written: a closed pipe for sure
        done = subprocess.run(f"'{kiosk}' --config '{config}' report | {reader}", shell=True, capture_output=True,
                              text=True)
        assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr


def test_python_m_kiosk_and_the_kiosk_command_offer_the_same_commands():
    from pathlib import Path

    kiosk = str(Path(sys.executable).parent / "kiosk")
    installed = subprocess.run([kiosk, "--help"], capture_output=True, text=True).stdout
    module = subprocess.run([sys.executable, "-m", "kiosk", "--help"], capture_output=True, text=True).stdout
    assert installed == module and "diag" in installed and "demo" in installed


def test_the_database_and_its_backups_are_the_owner_s_alone_and_a_backup_never_overwrites(tmp_path):
    import csv
    import io
    import stat

    from tests.unit.test_config import station_config

    config = tmp_path / "kiosk.toml"
    config.write_text(station_config(str(tmp_path)), encoding="utf-8")
    assert kiosk("import", "registrations", str(DEMO_CSV), config=config).returncode == 0
    for name in ("station.db", "station.db-wal", "venue-key.pem"):
        if (tmp_path / name).exists():
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    copy = tmp_path / "copy.db"
    assert kiosk("db", "backup", str(copy), config=config).returncode == 0
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    before = copy.read_bytes()
    again = kiosk("db", "backup", str(copy), config=config)
    assert again.returncode == 1 and "never overwrites" in again.stderr and copy.read_bytes() == before
    rows = list(csv.DictReader(io.StringIO(kiosk("report", "--day", "2021-08-05", "--csv", config=config).stdout)))
    as_json = json.loads(kiosk("report", "--day", "2021-08-05", "--json", config=config).stdout)
    assert len(rows) == 1 and rows[0]["cap"] == str(as_json["cap"]) == "400" and set(rows[0]) == set(as_json)
