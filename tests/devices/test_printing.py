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
