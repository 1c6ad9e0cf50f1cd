"""Real printing over TCP to the fake network printer (a test double), faults included."""

import datetime as dt

import pytest

from devices.escpos_printer import decode_status, printer_from_url
from kiosk.credentials import Verdict, verify
from kiosk.domain.screening import ScreeningAnswers
from kiosk.errors import ConfigError
from kiosk.ports import DeviceError, PrinterState
from kiosk.services.clinic import DoseEntry
from tests.escpos_parse import parse
from tests.fake_printer import FakeNetworkPrinter


@pytest.fixture
def fake():
    printer = FakeNetworkPrinter()
    yield printer
    printer.close()


def issue(station, code="REG-0002"):
    visit = station.checkin.check_in(code).visit_id
    station.clinic.record_screening(visit, ScreeningAnswers(36.6, 120, 80), "nurse")
    station.clinic.record_dose(visit, DoseEntry("SINOVAC", "SNV-1", dt.date(2021, 12, 1), "left deltoid", "dr. Ani"))
    return station.clinic.issue_card(visit)


@pytest.mark.parametrize("mode, state", [("ready", PrinterState.READY), ("near_end", PrinterState.PAPER_NEAR_END),
                                         ("paper_out", PrinterState.PAPER_OUT), ("cover_open", PrinterState.COVER_OPEN),
                                         ("silent", PrinterState.UNKNOWN)])
def test_status_is_read_from_the_printer_and_silence_is_unknown(fake, mode, state):
    fake.mode = mode
    printer = printer_from_url(fake.url, "TM-T20II")
    printer.open()
    assert printer.status() is state
    printer.close()


def test_status_bytes_that_do_not_look_like_status_are_unknown():
    assert decode_status(0x00, 0x12, 0x12) is PrinterState.UNKNOWN
    assert decode_status(0x12, 0x12, 0x12) is PrinterState.READY


def test_card_prints_over_tcp_and_its_qr_verifies(station, fake):
    card = issue(station)
    printer = printer_from_url(fake.url, "TM-T20II")
    assert len(station.printing.run_pending(printer)) == 1
    paper = parse(bytes(fake.paper))
    assert "KARTU VAKSIN SEMENTARA" in paper.text() and paper.cuts == 1
    assert verify(station.ctx.keys, paper.qr_payloads[0])[0] is Verdict.VALID
    assert paper.qr_payloads[0] == card.payload


def test_paper_out_keeps_the_job_and_prints_it_once_when_refilled(station, fake):
    issue(station)
    printer = printer_from_url(fake.url, "TM-T20II")
    fake.mode = "paper_out"
    assert station.printing.run_pending(printer) == []
    [job] = station.printing.pending()
    assert job.last_error == "printer paper out" and fake.paper == b""
    fake.mode = "ready"
    assert len(station.printing.run_pending(printer)) == 1
    assert station.printing.run_pending(printer) == []
    assert parse(bytes(fake.paper)).text().count("KARTU VAKSIN SEMENTARA") == 1


def test_connection_dropped_mid_slip_leaves_the_job_pending_then_one_whole_slip(station, fake):
    issue(station)
    printer = printer_from_url(fake.url, "TM-T20II")
    fake.drop_after = 100
    assert station.printing.run_pending(printer) == []
    [job] = station.printing.pending()
    assert "connection lost" in job.last_error or "not reachable" in job.last_error
    torn = len(fake.paper)
    assert torn == 100
    assert len(station.printing.run_pending(printer)) == 1
    whole = parse(bytes(fake.paper[torn:]))
    assert "KARTU VAKSIN SEMENTARA" in whole.text() and whole.cuts == 1


def test_silent_printer_is_still_tried(station, fake):
    issue(station)
    fake.mode = "silent"
    printer = printer_from_url(fake.url, "TM-T20II")
    assert len(station.printing.run_pending(printer)) == 1  # unknown status: send, as hardware without DLE EOT


def test_unreachable_printer_says_where(station):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    printer = printer_from_url(f"tcp://127.0.0.1:{port}", "TM-T20II", timeout=1)
    with pytest.raises(DeviceError, match=f"printer at tcp://127.0.0.1:{port} not reachable"):
        printer.open()


@pytest.mark.parametrize("url, message", [("lpt://x", "use usb://"), ("usb://zz:01", "VID:PID in hex"),
                                          ("tcp://", "tcp://HOST:PORT"), ("cups://TM-T20", "CUPS is not supported .* use usb://VID:PID")])
def test_bad_printer_urls_name_the_key(url, message):
    with pytest.raises(ConfigError, match=f"devices.printer_url: .*{message}"):
        printer_from_url(url, "TM-T20II")


def test_kiosk_diag_printer_against_the_fake_printer(tmp_path, fake):
    import subprocess
    import sys
    from pathlib import Path

    from tests.unit.test_config import station_config

    config = tmp_path / "kiosk.toml"
    text = station_config(str(tmp_path))
    config.write_text(text + f'[devices]\nprinter_url = "{fake.url}"\n', encoding="utf-8")
    kiosk = str(Path(sys.executable).parent / "kiosk")
    done = subprocess.run([kiosk, "--config", str(config), "diag", "printer"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.splitlines() == [f"printer {fake.url}: ready", "test page printed"]
    paper = parse(bytes(fake.paper))
    assert "SENTRA TEST" in paper.text() and "Perez Nandu" in paper.text() and paper.qr_payloads
    fake.mode = "cover_open"
    done = subprocess.run([kiosk, "--config", str(config), "diag", "printer"], capture_output=True, text=True)
    assert done.returncode == 1 and done.stdout.strip() == f"printer {fake.url}: cover open"
