"""The station's log: what happened, by id, in the file or journald — never a NIK, a name or a phone."""

from __future__ import annotations

import csv
import logging
import socket

import pytest

from kiosk import logs
from kiosk.sync.drainer import Backoff, Drainer
from kiosk.sync.port import PermanentFailure, TransientFailure
from kiosk.sync.records import Venue
from tests.conftest import DEMO_CSV
from tests.sync.test_drainer_rules import ScriptedServer
from tests.sync_helpers import serve


@pytest.fixture(autouse=True)
def _no_handler_left():
    yield
    for handler in list(logs.log.handlers):
        logs.log.removeHandler(handler)
        handler.close()


def clock_day() -> str:
    import datetime as dt

    return dt.date.today().isoformat()


def personal_data() -> set[str]:
    """Every NIK, name, name part and phone of the demo registrations (the names' words of 4+ letters)."""
    found: set[str] = set()
    with DEMO_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found |= {row["nik"], row["name"], *(w for w in row["name"].split() if len(w) >= 4)}
            if row.get("phone"):
                found.add(row["phone"])
    return found


def test_a_day_is_logged_by_id_and_no_personal_data_reaches_the_log(station, clock):
    station.settings.log.to = "file"
    logs.setup(station.settings)
    codes = [f"REG-{n:04d}" for n in range(1, 13)]
    served = serve(station, clock, codes, fever={"REG-0003"})
    station.checkin.check_in("REG-0001")                   # again: refused, and why
    station.checkin.check_in("3215216504535199")           # by NIK (REG-0021)
    for visit in served.visits[:4]:
        try:
            station.clinic.issue_card(visit)
        except Exception:  # noqa: BLE001 - the postponed one has no dose to put on a card
            pass
    # the server refuses a record quoting the person, and fails another once with a number in its words
    nik, name = served.niks[1], "Siti Wijaya"
    script = {("vaccination.recorded", 1): PermanentFailure(f"HTTP 422: Patient {name} NIK {nik} unknown"),
              ("visit.checked_in", 2): TransientFailure(f"HTTP 503: try later, call 0812-3456-7890 {nik}", server_wide=False)}
    drainer = Drainer(station.ctx.db, ScriptedServer(script), Venue("KRW", "Stadion", "ST-01"), backoff=Backoff(0.01, 0.02))
    for _ in range(6):
        drainer.drain()
    try:
        raise ValueError(f"a bug that quotes {nik} and +62 812 3456 7890")
    except ValueError:
        logging.getLogger("kiosk.app").exception("worker 'check-in' failed")

    text = (station.settings.data_dir / "kiosk.log").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith(f"{clock_day()} ")  # the time of each line is kept
    assert sum(" checkin.admitted " in line for line in lines) == 13       # 12 served and one by NIK
    assert sum(" checkin.already_checked_in " in line for line in lines) == 1
    assert sum(" dose.recorded " in line for line in lines) == 11          # the feverish one was postponed
    assert any("records acknowledged" in line for line in lines)
    assert any("refused, set aside for staff (kiosk sync attention)" in line for line in lines)
    assert any("worker 'check-in' failed" in line for line in lines) and "Traceback" in text
    assert str(served.visits[0]) in text                                    # the ids are there to follow a case
    leaked = sorted(p for p in personal_data() | {"0812-3456-7890", "812 3456 7890"} if p in text)
    assert not leaked, f"personal data in the log: {leaked}"
    assert (station.settings.data_dir / "kiosk.log").stat().st_mode & 0o777 == 0o600


def test_an_audit_row_rolled_back_is_not_logged(station, clock):
    station.settings.log.to = "file"
    logs.setup(station.settings)
    from kiosk.audit import append

    with pytest.raises(OSError, match="No space left"):  # the disk filled before the commit
        with station.ctx.db.write() as session:
            append(session, "ST-01", "staff", "checkin.admitted", None, "", clock.now())
            raise OSError(28, "No space left on device")
    station.checkin.check_in("REG-0002")
    text = (station.settings.data_dir / "kiosk.log").read_text(encoding="utf-8")
    assert text.count("checkin.admitted") == 1


def test_under_systemd_lines_go_to_the_journal_socket_with_the_identifier(station, tmp_path, monkeypatch):
    """journald reads syslog datagrams on /dev/log; here a socket in a temporary folder stands in for it."""
    path = str(tmp_path / "dev-log")
    journal = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    journal.bind(path)
    journal.settimeout(5)
    monkeypatch.setenv("INVOCATION_ID", "0123abcd")
    monkeypatch.setattr(logs, "JOURNAL_SOCKET", path)
    assert logs.under_systemd()
    station.settings.log.to = "auto"
    logs.setup(station.settings, journal_socket=path)
    station.checkin.check_in("3215110310804423")
    datagram = journal.recv(4096).decode()
    journal.close()
    assert datagram.startswith("<14>sentra-kiosk: INFO kiosk.audit: checkin.admitted ")  # user.info, SYSLOG_IDENTIFIER
    assert "3215110310804423" not in datagram and "Ahmad" not in datagram


@pytest.mark.parametrize(("text", "shown"), [
    ("NIK 3215110310804423 unknown", "NIK [number] unknown"),
    ("call +62 812-3456-7890 now", "call [number] now"),
    ("visit 5f0c3a2e-1b4d-4c8e-9a7f-0123456789ab queue A-12 at 08:30, 3 slots", None),  # ids and small numbers stay
])
def test_numbers_shaped_like_a_nik_or_a_phone_are_masked(text, shown):
    assert logs.redact(text) == (shown or text)
