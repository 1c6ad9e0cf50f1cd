"""Diagnostics that say what to do (disk, integrity, config, clock against the central server), the support
bundle, and config changes as audit rows naming the keys, never the values."""

from __future__ import annotations

import datetime as dt
import email.utils
import http.server
import json
import re
import threading
import zipfile
from collections import namedtuple

import pytest
from sqlmodel import col, select

from kiosk import diagnostics
from kiosk.audit import verify
from kiosk.configaudit import record_config_change
from kiosk.storage.tables import AuditEntry


def test_a_config_change_is_an_audit_row_naming_the_keys_never_the_values(station):
    assert record_config_change(station) == "first start"
    assert record_config_change(station) is None  # nothing changed, nothing written
    station.settings.quota.stock = 3000
    old_pin = station.settings.pins.staff
    from kiosk.pins import hash_pin

    station.settings.pins.staff = hash_pin("5817", iterations=1000)
    assert record_config_change(station, actor="Rina") == "pins.staff, quota.stock"
    with station.ctx.db.read() as s:
        rows = s.exec(select(AuditEntry).where(AuditEntry.action == "config.changed").order_by(col(AuditEntry.seq))).all()
        assert verify(s).ok
    assert [r.detail.split("\n")[0] for r in rows] == ["first start", "pins.staff, quota.stock"] and rows[1].actor == "Rina"
    assert all(old_pin not in r.detail and station.settings.pins.staff not in r.detail and "3000" not in r.detail for r in rows)


def test_low_disk_and_a_damaged_database_are_red_with_the_fix(station, monkeypatch):
    assert diagnostics._disk(station.settings).ok
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(diagnostics.shutil, "disk_usage", lambda path: usage(8_000_000_000, 7_950_000_000, 50_000_000))
    low = diagnostics.with_action(diagnostics._disk(station.settings))
    assert not low.ok and "50 MB free" in low.detail and "free disk space" in low.action
    good = diagnostics._database(station.ctx)
    assert good.ok and "integrity ok" in good.detail and "WAL" in good.detail


def test_the_config_line_names_what_keeps_a_live_station_from_starting(station):
    assert diagnostics._config(station.settings).ok and "trial station" in diagnostics._config(station.settings).detail
    station.settings.station.trial = False
    check = diagnostics._config(station.settings)  # the test venue's plan ended in 2021 and its printer is a preview
    assert not check.ok and "the dose plan ended on 2021-08-09" in check.detail and "preview://" in check.detail


class _Server(http.server.BaseHTTPRequestHandler):
    skew = dt.timedelta(0)

    def do_HEAD(self):  # noqa: N802
        self.send_response(200)
        self.end_headers()

    def date_time_string(self, timestamp=None):
        return email.utils.format_datetime(dt.datetime.now(dt.UTC) + self.skew, usegmt=True)

    def log_message(self, *args):
        pass


@pytest.fixture
def central():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/fhir"
    server.shutdown()


def test_the_clock_is_compared_with_the_central_server_s_date(station, central):
    station.settings.sync.server, station.settings.sync.url = "fhir", central
    _Server.skew = dt.timedelta(0)
    assert abs(diagnostics.server_offset(station.settings)) < 5
    _Server.skew = dt.timedelta(minutes=-10)  # the server says 10 minutes earlier: this clock is 600 s ahead
    offset = diagnostics.server_offset(station.settings)
    assert 590 < offset < 610
    check = diagnostics._clock(station.ctx, True, offset)
    assert not check.ok and re.search(r"\+(599|600|601) s from the central server", check.detail) and "timedatectl" in check.action
    station.settings.sync.url = "http://127.0.0.1:9/nothing-listens"
    assert diagnostics.server_offset(station.settings, timeout=1) is None


def test_the_support_bundle_has_the_checks_the_masked_config_and_no_personal_data(station, clock, tmp_path, capsys):
    from devices.diagnostics import diag
    from kiosk import logs
    from kiosk.cli import main
    from tests.unit.test_config import station_config

    station.settings.log.to = "file"
    logs.setup(station.settings)
    station.checkin.check_in("3215110310804423")
    for handler in list(logs.log.handlers):
        logs.log.removeHandler(handler)
        handler.close()
    config = tmp_path / "kiosk.toml"
    config.write_text(station_config(str(station.settings.data_dir))
                      + '[devices]\ncamera = "none"\nprinter_url = "preview://"\n[sync]\nserver = "json"\nurl = "https://st:hunter2@c.example/in"\n',
                      encoding="utf-8")
    bundle = tmp_path / "support.zip"
    assert main(["--config", str(config), "diag", "export", str(bundle)], devices={"diag": diag}) == 0
    assert "support bundle written" in capsys.readouterr().out
    assert bundle.stat().st_mode & 0o777 == 0o600
    with zipfile.ZipFile(bundle) as z:
        names = set(z.namelist())
        text = {n: z.read(n).decode() for n in names}
    assert names == {"diagnostics.json", "config.json", "audit.txt", "sync-status.json", "log.txt"}
    parts = {c["part"] for c in json.loads(text["diagnostics.json"])}
    assert {"database", "disk", "clock", "software", "config", "camera", "printer"} <= parts
    assert "hunter2" not in text["config.json"] and "chain intact" in text["audit.txt"]
    assert "checkin.admitted" in text["log.txt"]
    assert not any(secret in body for body in text.values() for secret in ("3215110310804423", "Ahmad", "Wijaya"))
    assert main(["--config", str(config), "diag", "export", str(bundle)], devices={"diag": diag}) == 1  # never over a file
    assert "already exists" in capsys.readouterr().err
