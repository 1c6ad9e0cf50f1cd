"""What a technician installs: the scripts, the units and their sandbox, the installer, the cage + foot kiosk.

Real parts: shellcheck, systemd-analyze (systemd 252), the installer run into a scratch root with
`--root` (a real `uv sync --frozen --no-dev --no-editable` of the locked packages), cage with wlroots'
headless backend, foot and grim. systemd itself is not running here: units are verified and rated,
not started.
"""

from __future__ import annotations

import datetime as dt
import os
import pwd
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.pins import hash_pin
from tests.conftest import _PIN_HASHES
from tests.real_parts import missing, need_command

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted((DEPLOY / "systemd").glob("*.timer"))
SCRIPTS = [DEPLOY / "install.sh", *sorted((DEPLOY / "bin").iterdir()), ROOT / ".ci" / "run"]
ARTIFACTS = ROOT / "test-artifacts"


def test_every_script_passes_shellcheck():
    shellcheck = need_command("shellcheck")
    done = subprocess.run([shellcheck, "--severity=style", *map(str, SCRIPTS)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


@pytest.fixture(scope="module")
def installed():
    """deploy/install.sh --root into a scratch folder others may traverse (the kiosk runs as another user)."""
    if shutil.which("uv") is None:
        missing("uv on PATH", "pip install uv")
    scratch = Path(tempfile.mkdtemp(prefix="sentra-root-"))
    scratch.chmod(0o755)
    done = subprocess.run([str(DEPLOY / "install.sh"), "--root", str(scratch)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    yield scratch
    shutil.rmtree(scratch, ignore_errors=True)


def _units_at(root: Path, folder: Path) -> list[Path]:
    """The units as installed under ``root`` (their /opt/sentra paths pointed there), for systemd-analyze."""
    folder.mkdir(exist_ok=True)
    made = []
    for unit in UNITS:
        target = folder / unit.name
        target.write_text(unit.read_text(encoding="utf-8").replace("/opt/sentra", f"{root}/opt/sentra"), encoding="utf-8")
        made.append(target)
    return made


def test_every_unit_verifies_clean(installed, tmp_path):
    analyze = need_command("systemd-analyze", "systemd")
    need_command("cage")
    done = subprocess.run([analyze, "verify", *map(str, _units_at(installed, tmp_path))], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout + done.stderr == "", done.stdout + done.stderr


def test_a_misspelt_setting_is_caught_by_verify(installed, tmp_path):
    """The check above can fail: systemd-analyze names a setting it does not know."""
    analyze = need_command("systemd-analyze", "systemd")
    [unit] = [u for u in _units_at(installed, tmp_path) if u.name == "sentra-console.service"]
    unit.write_text(unit.read_text().replace("ProtectSystem=strict", "ProtectSytem=strict"))
    done = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, cwd=tmp_path)
    assert "Unknown key 'ProtectSytem' in section [Service]" in done.stderr


@pytest.mark.parametrize("unit", ["sentra-kiosk.service", "sentra-serve.service", "sentra-console.service",
                                  "sentra-browser.service", "sentra-backup.service"])
def test_the_sandbox_rates_at_most_4_0(unit):
    analyze = need_command("systemd-analyze", "systemd")
    done = subprocess.run([analyze, "security", "--offline=true", "--no-pager", str(DEPLOY / "systemd" / unit)],
                          capture_output=True, text=True)
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert found, done.stdout + done.stderr
    assert float(found[1]) <= 4.0, done.stdout


def test_the_station_units_keep_their_devices_reachable():
    """PrivateDevices would hide the camera and printers; the device allow list must name them."""
    for name in ("sentra-kiosk.service", "sentra-serve.service", "sentra-console.service"):
        text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
        assert "PrivateDevices" not in text and "DevicePolicy=closed" in text, name
        for device in ("char-video4linux", "char-usb_device", "char-usb ", "char-ttyUSB", "char-ttyACM"):
            assert f"DeviceAllow={device.strip()} rw" in text, (name, device)
        assert "RestartPreventExitStatus=2" in text and "UMask=0077" in text, name


def _config(data: Path, *, ready: bool) -> str:
    today = dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()
    pins = {"staff": hash_pin("5817", iterations=1000), "technician": hash_pin("40213", iterations=1000)} if ready else _PIN_HASHES
    devices = 'camera = "none"\nprinter_url = "tcp://127.0.0.1:9"' if ready else 'camera = "folder"\nprinter_url = "preview://"'
    return (f'data_dir = "{data}"\n[venue]\nname = "Stadion Singaperbangsa"\ncode = "KRW"\n[station]\nid = "ST-04"\n'
            f"[quota]\nstock = 2000\nfirst_day = {today}\nlast_day = {today + dt.timedelta(days=4)}\n"
            f'[devices]\n{devices}\n[pins]\nstaff = "{pins["staff"]}"\ntechnician = "{pins["technician"]}"\n')


def test_the_installed_kiosk_passes_a_real_config_and_refuses_the_example(installed, tmp_path):
    kiosk = installed / "opt/sentra/.venv/bin/kiosk"
    site = next((installed / "opt/sentra/.venv/lib").glob("python3*/site-packages"))
    editable = [p.name for p in site.glob("*.pth") if "sentra" in p.name or "editable" in p.name]
    assert (site / "kiosk" / "__init__.py").is_file() and not editable, f"installed editable: {editable}"
    assert not list((installed / "opt/sentra").glob(".venv/lib/python3*/site-packages/pytest")), "dev packages installed"
    assert (installed / "etc/sentra/kiosk.toml").stat().st_mode & 0o777 == 0o640
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    example = (installed / "etc/sentra/kiosk.toml").read_text(encoding="utf-8").replace('"/var/lib/sentra"', f'"{tmp_path}"')
    (tmp_path / "example.toml").write_text(example, encoding="utf-8")
    refused = subprocess.run([str(kiosk), "--config", str(tmp_path / "example.toml"), "config", "check", "--quiet"],
                             capture_output=True, text=True, env=env)
    assert refused.returncode == 2 and "is not ready for a live station" in refused.stderr
    (tmp_path / "real.toml").write_text(_config(tmp_path / "data", ready=True), encoding="utf-8")
    passed = subprocess.run([str(kiosk), "--config", str(tmp_path / "real.toml"), "config", "check", "--quiet"],
                            capture_output=True, text=True, env=env)
    assert passed.returncode == 0 and passed.stderr.startswith("config OK"), passed.stderr
    upgraded = subprocess.run([str(kiosk), "--config", str(tmp_path / "real.toml"), "db", "upgrade"], capture_output=True, text=True, env=env)
    assert upgraded.returncode == 0 and "database at revision" in upgraded.stdout


def test_installing_again_updates_without_stale_files_and_keeps_the_config(installed):
    stale = installed / "opt/sentra/kiosk/removed_in_this_version.py"
    stale.write_text("raise SystemExit('stale code ran')\n")
    config = installed / "etc/sentra/kiosk.toml"
    config.write_text(config.read_text(encoding="utf-8") + "# the venue's edit\n", encoding="utf-8")
    done = subprocess.run([str(DEPLOY / "install.sh"), "--root", str(installed)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert not stale.exists() and config.read_text(encoding="utf-8").endswith("# the venue's edit\n")
    assert (installed / "usr/local/bin/sentra").stat().st_mode & 0o111


def test_the_sentra_wrapper_leaves_no_root_owned_file(installed):
    """A technician's `sentra db upgrade` as root: the database it makes belongs to the service user."""
    if os.geteuid() != 0:
        pytest.skip("the wrapper's point is running as root: this test needs root")
    user = _kiosk_user()
    assert user is not None
    tmp_path = Path(tempfile.mkdtemp(prefix="sentra-wrapper-"))
    data = tmp_path / "data"
    data.mkdir()
    os.chown(data, *user)
    tmp_path.chmod(0o755)
    config = tmp_path / "real.toml"
    config.write_text(_config(data, ready=True) + f'[backup]\nfolder = "{data}/backups"\n', encoding="utf-8")
    config.chmod(0o644)
    env = {"PATH": os.environ["PATH"], "SENTRA_PREFIX": str(installed), "SENTRA_USER": "sentra-test", "KIOSK_CONFIG": str(config)}
    for command in (["db", "upgrade"], ["backup", "run"]):
        done = subprocess.run([str(installed / "usr/local/bin/sentra"), *command], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
    made = [p for p in data.rglob("*")]
    owners = {p.stat().st_uid for p in made}
    shutil.rmtree(tmp_path)
    assert len(made) >= 4 and owners == {user[0]}, made  # station.db, venue key, the backup folder and its copies


def _kiosk_user() -> tuple[int, int] | None:
    """cage refuses to run as root: as root, a system user of our own for it; otherwise ourselves."""
    if os.geteuid() != 0:
        return None
    x11 = Path("/tmp/.X11-unix")  # cage starts Xwayland, which wants this folder root's (as it is on a booted system)
    if x11.exists() and x11.stat().st_uid != 0:
        os.chown(x11, 0, 0)
        x11.chmod(0o1777)
    try:
        entry = pwd.getpwnam("sentra-test")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "sentra-test"], check=True)
        entry = pwd.getpwnam("sentra-test")
    return entry.pw_uid, entry.pw_gid


def test_the_cage_and_foot_unit_paints_the_attendee_screen(installed):
    """The unit's own ExecStart, on wlroots' headless backend: the station runs in foot, full screen.

    What the station painted is read from Textual's own screenshot (TEXTUAL_SCREENSHOT): on Debian 12's
    cage 0.1.4 (wlroots 0.15) with the headless backend and the pixman renderer, screencopy returns stale
    frames, so the grim picture is kept as an artifact but is not what the test reads.
    """
    for tool in ("cage", "foot", "grim"):
        need_command(tool)
    unit = (DEPLOY / "systemd" / "sentra-kiosk.service").read_text(encoding="utf-8")
    [exec_start] = re.findall(r"^ExecStart=(.+)$", unit, flags=re.M)
    argv = shlex.split(exec_start.replace("/opt/sentra", f"{installed}/opt/sentra"))
    assert argv[0] == "/usr/bin/cage" and argv[-2:] == [f"{installed}/opt/sentra/.venv/bin/kiosk", "run"]
    work = Path(tempfile.mkdtemp(prefix="sentra-cage-"))
    user = _kiosk_user()
    try:
        (work / "run").mkdir(mode=0o700)
        (work / "data").mkdir()
        config = work / "kiosk.toml"
        config.write_text(_config(work / "data", ready=False).replace('id = "ST-04"', 'id = "ST-04"\ntrial = true')
                          + '[log]\nto = "file"\n', encoding="utf-8")
        work.chmod(0o755)
        config.chmod(0o644)
        if user is not None:
            for path in (work / "run", work / "data"):
                os.chown(path, *user)
        env = {"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(work / "run"), "WLR_BACKENDS": "headless",
               "WLR_LIBINPUT_NO_DEVICES": "1", "WLR_RENDERER": "pixman", "KIOSK_CONFIG": str(config),
               "TEXTUAL_SCREENSHOT": "10", "TEXTUAL_SCREENSHOT_LOCATION": str(work / "data"),
               "TEXTUAL_SCREENSHOT_FILENAME": "attendee.svg"}
        as_user = ["runuser", "-u", "sentra-test", "--"] if user is not None else []
        cage = subprocess.Popen([*as_user, "env", "-i", *(f"{k}={v}" for k, v in env.items()), *argv],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        log = work / "data" / "kiosk.log"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and cage.poll() is None and not (log.exists() and "kiosk.printer" in log.read_text()):
            time.sleep(0.2)
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "cage-foot-grim.png"
        grim = subprocess.run([*as_user, "env", f"XDG_RUNTIME_DIR={work / 'run'}", "WAYLAND_DISPLAY=wayland-0", "grim", "-"],
                              capture_output=True, timeout=30)
        shot.write_bytes(grim.stdout)
        output, _ = cage.communicate(timeout=60)  # the app exits after its screenshot: foot, then cage, end with it
        assert (work / "data" / "attendee.svg").exists(), f"no screenshot from the app; cage said:\n{output[-3000:]}\nlog:\n" + (
            log.read_text() if log.exists() else "(none)")
        svg = (work / "data" / "attendee.svg").read_text(encoding="utf-8")
        shutil.copy(work / "data" / "attendee.svg", ARTIFACTS / "cage-foot-attendee.svg")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert grim.returncode == 0 and grim.stdout[:8] == b"\x89PNG\r\n\x1a\n", grim.stderr
    text = re.sub(r"&#160;|\s+", " ", re.sub(r"<[^>]+>", "", svg))
    assert "Scan your QR or type your NIK" in text and "Petugas" in text, text[:2000]
    columns = re.search(r'viewBox="0 0 (\d+(?:\.\d+)?) ', svg)
    assert columns and float(columns[1]) > 1000, "foot did not fill the 1280x720 output"  # wider than 80 columns' SVG
    assert "station ST-04 starting" in output or cage.returncode is not None
