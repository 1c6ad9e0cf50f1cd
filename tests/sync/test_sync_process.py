"""`kiosk sync run` as its own process: killed with SIGKILL mid-batch, restarted, nothing lost or doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from kiosk.services.sync_desk import sync_status
from kiosk.storage.tables import SyncState
from kiosk.sync.drainer import utcnow
from tests.sync_helpers import assert_exactly_once_in_order, serve
from tests.unit.test_config import station_config


def config_for(station, url: str) -> Path:
    data = station.settings.data_dir
    text = station_config(str(data))
    text += (f'[sync]\nserver = "fhir"\nurl = "{url}"\npatients = "create"\nbatch_size = 10\nlease_seconds = 6\n'
             "retry_base_seconds = 0.05\nretry_cap_seconds = 0.5\npoll_seconds = 0.2\n")
    path = data / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def kiosk(config: Path, *args: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config), *args], capture_output=True,
                          text=True, timeout=120, **kw)


def bundles(proxy) -> list[bytes]:
    return [r.body for r, _ in proxy.seen if r.method == "POST" and r.path.rstrip("/").endswith("/fhir")]


def test_kill_9_mid_batch_then_restart(station, clock, fhir_server, proxy):
    served = serve(station, clock, [f"REG-{n:04d}" for n in range(1, 21)], {"REG-0004", "REG-0011"})
    proxy.rule = lambda request: ("delay", 0.05)  # a slow uplink, so the kill lands inside a batch
    config = config_for(station, proxy.url())
    runner = subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(config), "sync", "run"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while len(bundles(proxy)) < 15 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(runner.pid, signal.SIGKILL)
    runner.wait(10)
    sent_before_kill = len(bundles(proxy))
    assert 15 <= sent_before_kill < 58, sent_before_kill
    assert sync_status(station.ctx.db).in_flight > 0  # it died holding a batch

    # Its 6-second lease has not run out, but its process is gone from this machine: the next sender takes over
    # at once (`sync once` never waits for a lease: before, this run was refused with "another sender holds it").
    with station.ctx.db.read() as s:
        lease = s.get(SyncState, "central")
    assert f":{runner.pid}:" in lease.holder and lease.lease_until > utcnow()  # the dead sender still holds it
    done = kiosk(config, "sync", "once")
    assert done.returncode == 0, done.stdout + done.stderr
    assert sync_status(station.ctx.db).backlog == 0

    assert_exactly_once_in_order(fhir_server, served)
    sent = bundles(proxy)
    assert len(sent) > len(set(sent)), "the batch cut off by the kill was sent again"
    status = kiosk(config, "sync", "status")
    assert "waiting: 0" in status.stdout and "need attention: 0" in status.stdout and "last success: " in status.stdout


def test_sync_run_stops_cleanly_and_hands_the_lease_on(station, clock, fhir_server, proxy):
    serve(station, clock, ["REG-0001", "REG-0002"])
    config = config_for(station, proxy.url())
    runner = subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(config), "sync", "run"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while sync_status(station.ctx.db).backlog and time.monotonic() < deadline:
        time.sleep(0.05)
    refused = kiosk(config, "sync", "once")  # a live sender's lease is respected
    assert refused.returncode == 1 and "another sender holds the lease" in refused.stdout
    runner.send_signal(signal.SIGTERM)
    out, _ = runner.communicate(timeout=20)
    assert runner.returncode == 0 and " sent" in out and "sending to" in out, out
    assert sync_status(station.ctx.db).backlog == 0
    again = kiosk(config, "sync", "once")  # no waiting for a lease: it was given up at exit
    assert again.returncode == 0 and again.stdout.startswith("0 sent"), again.stdout


def test_attention_list_and_resend_from_the_command_line(station, clock, fhir_server, proxy):
    from tests.fault_proxy import operation_outcome

    served = serve(station, clock, ["REG-0005"])
    proxy.rule = lambda r: (operation_outcome(422, "NIK belum terdaftar di Dukcapil")
                            if r.has(str(served.doses[0])) else "forward")
    config = config_for(station, proxy.url())
    first = kiosk(config, "sync", "once")
    assert first.returncode == 1 and "1 need attention" in first.stdout
    listed = kiosk(config, "sync", "attention")
    assert listed.returncode == 1 and "vaccination.recorded" in listed.stdout
    assert "HTTP 422: NIK belum terdaftar di Dukcapil" in listed.stdout and served.niks[0] in listed.stdout
    short = listed.stdout.split()[0]
    proxy.rule = lambda r: "forward"
    again = kiosk(config, "sync", "resend", short, "--by", "Teknisi Budi")
    assert again.returncode == 0 and "queued again" in again.stdout
    assert kiosk(config, "sync", "once").returncode == 0
    assert kiosk(config, "sync", "attention").stdout.strip() == "nothing needs attention"
    assert_exactly_once_in_order(fhir_server, served)


def test_status_counts_only_what_will_be_sent_and_success_only_when_acknowledged(station, clock):
    """Sync off: the imported registrations and a card are not 'waiting'; a down server gives no success."""
    import datetime as dt
    import re
    from zoneinfo import ZoneInfo

    served = serve(station, clock, ["REG-0001", "REG-0002"])
    station.clinic.issue_card(served.visits[0])
    off = station.settings.data_dir / "off.toml"
    off.write_text(station_config(str(station.settings.data_dir)), encoding="utf-8")
    waiting = kiosk(off, "sync", "status").stdout
    assert waiting.startswith("waiting: 6 ")  # 2 check-ins, 2 screenings, 2 doses: nothing else leaves
    down = config_for(station, "http://127.0.0.1:9/fhir")  # nothing listens on the discard port
    assert kiosk(down, "sync", "once", env={**os.environ, "TZ": "UTC"}).returncode == 1
    status = kiosk(down, "sync", "status", env={**os.environ, "TZ": "UTC"}).stdout
    assert "acknowledged by the server: 0" in status and "last success: never" in status
    shown = re.search(r"last error \((\d\d-\d\d \d\d:\d\d):\d\d\)", status).group(1)
    jakarta = dt.datetime.now(ZoneInfo("Asia/Jakarta"))  # the venue's time, not the machine's (UTC here)
    assert shown in {f"{jakarta - dt.timedelta(minutes=m):%d-%m %H:%M}" for m in (0, 1)}
