"""Slips as real ESC/POS bytes on 58 and 80 mm, and a print queue that loses nothing."""

import datetime as dt

import pytest
import zxingcpp

from devices.printer import PreviewPrinter
from devices.slip_layout import render, transliterate
from kiosk.credentials import Verdict, verify
from kiosk.domain.screening import ScreeningAnswers
from kiosk.ports import PrinterState, Slip, SlipLine
from kiosk.services.clinic import DoseEntry
from tests.escpos_parse import parse


def issued_card(station):
    visit = station.checkin.check_in("REG-0002").visit_id
    station.clinic.record_screening(visit, ScreeningAnswers(36.6, 120, 80), "nurse")
    station.clinic.record_dose(visit, DoseEntry("ASTRAZENECA", "AZ-1", dt.date(2021, 12, 1), "left deltoid", "dr. Ani"))
    return station.clinic.issue_card(visit)


@pytest.mark.parametrize("profile, columns, native_qr", [("TM-T20II", 48, True), ("POS-5890", 32, False)])
def test_card_slip_on_both_widths(station, profile, columns, native_qr):
    card = issued_card(station)
    slip = station.printing.slip_for(station.printing.pending()[0].id)
    paper = parse(render(slip, profile))
    assert all(len(line.text) <= columns for line in paper.lines)
    assert "KARTU VAKSIN SEMENTARA" in paper.text() and "AstraZeneca" in paper.text()
    assert "Next dose: 28-10-2021" in " ".join(paper.text().split())  # 12 weeks after 5 Aug, wrapped on 58 mm
    if native_qr:
        payload = paper.qr_payloads[0]
        assert paper.cuts == 1
    else:  # no GS ( k on this head: a raster image, which a decoder must be able to read
        assert paper.qr_payloads == [] and paper.cuts == 0
        payload = zxingcpp.read_barcodes(paper.images[0])[0].text
    assert verify(station.ctx.keys, payload)[0] is Verdict.VALID and payload == card.payload


def test_characters_the_code_page_lacks_are_transliterated():
    assert transliterate("Siti Nurhayati Pérez — Ünal") == "Siti Nurhayati Perez ? Unal"
    paper = parse(render(Slip("card", (SlipLine("Dewi Ayu Ñ"),)), "TM-T20II"))
    assert paper.lines[0].text == "Dewi Ayu N"


def test_paper_out_leaves_the_job_pending_and_it_prints_once_when_back(station, tmp_path):
    issued_card(station)
    printer = PreviewPrinter(tmp_path / "slips")
    printer.open()
    printer.state = PrinterState.PAPER_OUT
    assert station.printing.run_pending(printer) == []
    [job] = station.printing.pending()
    assert (job.attempts, job.last_error) == (1, "printer paper out")
    assert not list((tmp_path / "slips").glob("*.bin"))
    printer.state = PrinterState.READY
    assert len(station.printing.run_pending(printer)) == 1
    assert station.printing.run_pending(printer) == []  # never printed twice by itself
    assert len(list((tmp_path / "slips").glob("*-card.bin"))) == 1
    assert station.desk.find("REG-0002")[0].state == "card_issued"  # the card never depended on paper


def test_unwritable_preview_folder_is_a_clear_printer_error(station, tmp_path):
    issued_card(station)
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    printer = PreviewPrinter(blocker / "slips")
    assert station.printing.run_pending(printer) == []
    assert "cannot" in station.printing.pending()[0].last_error


def test_queue_ticket_is_printed_big_with_the_check_in(make_station, tmp_path):
    from tests.conftest import DEMO_CSV

    station = make_station()
    station.ctx.print_queue_tickets = True
    station.registrations.import_csv(DEMO_CSV)
    station.checkin.check_in("REG-0005")
    [job] = station.printing.pending()
    assert job.kind == "ticket"
    printer = PreviewPrinter(tmp_path / "slips")
    assert len(station.printing.run_pending(printer)) == 1
    paper = parse(next((tmp_path / "slips").glob("*-ticket.bin")).read_bytes())
    number = [line for line in paper.lines if line.text.strip() == "A-1"]
    assert number and number[0].large and number[0].bold  # 4x: readable at arm's length
    assert "Rina" in paper.text() and "3215" not in paper.text()


def test_interrupted_job_prints_again_after_a_restart_and_cancel_needs_a_reason(station, tmp_path):
    from kiosk.errors import KioskError
    from kiosk.services.printing import INTERRUPTED
    from kiosk.storage.tables import AuditEntry, PrintJob

    issued_card(station)
    [job] = station.printing.pending()
    with station.ctx.db.write() as s:  # the power went off while the slip was going out
        s.get(PrintJob, job.id).state = "printing"
    assert station.printing.pending() == [] and station.printing.outstanding()[0].state == "printing"
    assert station.printing.recover_interrupted() == 1
    [view] = station.printing.outstanding()
    assert (view.state, view.last_error) == ("failed", INTERRUPTED)
    with pytest.raises(KioskError, match="needs a reason"):
        station.printing.cancel(job.id, "desk", " ")
    station.printing.cancel(job.id, "desk", "attendee left, card reprinted at the card desk")
    assert station.printing.outstanding() == []
    with station.ctx.db.read() as s:
        from sqlmodel import select

        assert "attendee left" in s.exec(select(AuditEntry).where(AuditEntry.action == "print.cancel")).one().detail
    with pytest.raises(KioskError, match="only a waiting job"):
        station.printing.cancel(job.id, "desk", "again")


@pytest.mark.parametrize("profile", ["TM-T20II", "TM-T88V", "POS-5890"])
@pytest.mark.parametrize("kind", ["card", "pass", "ticket"])
def test_every_slip_kind_on_every_width(make_station, profile, kind):
    """Fields present, lines fit the head, NIK masked, and the QR decodes and verifies."""
    from tests.conftest import DEMO_CSV

    station = make_station(overrides={dt.date(2021, 8, 5): 1})
    station.ctx.print_queue_tickets = kind == "ticket"
    station.registrations.import_csv(DEMO_CSV)
    if kind == "card":
        issued_card(station)
    elif kind == "pass":
        station.checkin.check_in("REG-0001")
        station.checkin.check_in("REG-0002")  # the day is full: a pass for tomorrow
    else:
        station.checkin.check_in("REG-0002")
    job = next(j for j in station.printing.pending() if j.kind == kind)
    paper = parse(render(station.printing.slip_for(job.id), profile))
    from escpos.printer import Dummy

    from devices.slip_layout import columns

    width = columns(Dummy(profile=profile))
    assert all(len(line.text) <= (width // 4 if line.large and line.text.strip() == "A-1" else width) for line in paper.lines)
    text = " ".join(paper.text().split())
    assert "Stadion Singaperbangsa" in text and "3215110310804423" not in text
    if kind == "ticket":
        assert "A-1" in text and not paper.qr_payloads and not paper.images
        return
    assert "************4423" in text and "Ahmad W." in text and "Wijaya" not in text
    payload = paper.qr_payloads[0] if paper.qr_payloads else zxingcpp.read_barcodes(paper.images[0])[0].text
    verdict, credential = verify(station.ctx.keys, payload)
    assert verdict is Verdict.VALID and credential.kind == kind
    if kind == "pass":
        assert "TIKET PRIORITAS" in text and "06-08-2021" in text


def test_unanswered_serial_status_is_unknown_not_paper_ok(tmp_path):
    """On a real pseudo-terminal nobody answers DLE EOT: python-escpos alone reads that as paper OK."""
    import os
    import pty

    from devices.escpos_printer import printer_from_url

    controller, device = pty.openpty()
    try:
        printer = printer_from_url(f"serial://{os.ttyname(device)}?baud=19200", "TM-T20II")
        printer.open()
        assert printer.status() is PrinterState.UNKNOWN
        printer.print_slip(Slip("test", (SlipLine("HELLO SERIAL"),)))  # unknown status is still tried
        sent = b""
        while b"HELLO SERIAL" not in sent:
            sent += os.read(controller, 4096)
        printer.close()
    finally:
        os.close(controller)
        os.close(device)


def test_a_command_run_beside_the_station_leaves_its_slip_printing(station):
    """`kiosk report` (or import, sync status) builds the station too; only the station's start recovers."""
    from kiosk.bootstrap import build_station

    station.ctx.print_queue_tickets = True
    station.checkin.check_in("REG-0001")
    [job] = station.printing.pending()
    assert station.printing._claim(job.id)  # the running station is printing it right now
    beside = build_station(station.settings, clock=station.ctx.clock)
    try:
        assert [j.state for j in beside.printing.outstanding()] == ["printing"]
    finally:
        beside.close()


def test_kiosk_diag_json_names_each_problem_with_what_to_do(tmp_path, capsys):
    """A printer out of paper fails with its fix, a clock outside the plan with its, and the exit code says
    whether anything is red."""
    import json

    from kiosk.cli import main
    from tests.fake_printer import FakeNetworkPrinter
    from tests.unit.test_config import station_config

    printer = FakeNetworkPrinter()
    try:
        config = tmp_path / "kiosk.toml"
        text = station_config(str(tmp_path)).replace("[pins]", f'[devices]\nprinter_url = "tcp://127.0.0.1:{printer.port}"\n[pins]')
        config.write_text(text, encoding="utf-8")
        assert main(["--config", str(config), "diag", "--json"]) == 1  # the clock is outside the 2021 plan
        checks = {c["part"]: c for c in json.loads(capsys.readouterr().out)}
        assert checks["printer"]["ok"] and checks["database"]["ok"] and checks["decoder"]["ok"]
        assert not checks["clock"]["ok"] and "timedatectl" in checks["clock"]["action"]
        printer.mode = "paper_out"
        assert main(["--config", str(config), "diag", "--json"]) == 1
        checks = {c["part"]: c for c in json.loads(capsys.readouterr().out)}
        assert not checks["printer"]["ok"] and checks["printer"]["action"] == "load a new paper roll"
    finally:
        printer.close()
