"""The printer's one owner, against a fake TCP printer (a TEST DOUBLE that counts what reaches paper)."""

from __future__ import annotations

import threading
import time

from devices.escpos_printer import printer_from_url
from kiosk.services.slips import diagnostic_slip
from kiosk.services.spooler import PrintSpooler
from tests.escpos_parse import parse
from tests.fake_printer import FakeNetworkPrinter


def wait_for(condition, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def queue_tickets(station, count: int) -> list[str]:
    station.ctx.print_queue_tickets = True
    return [station.checkin.check_in(f"REG-{n:04d}").queue_number for n in range(1, count + 1)]


def test_every_slip_prints_once_under_concurrent_passes_and_a_test_page(station):
    fake = FakeNetworkPrinter()
    spooler = PrintSpooler(station.printing, printer_from_url(fake.url, "TM-T20II"), poll_seconds=0.05)
    try:
        numbers = queue_tickets(station, 8)
        spooler.start()
        rivals = [printer_from_url(fake.url, "TM-T20II") for _ in range(3)]  # passes that bypass the owner
        threads = [threading.Thread(target=station.printing.run_pending, args=(p,)) for p in rivals]
        threads += [threading.Thread(target=spooler.kick) for _ in range(10)]
        test = spooler.test_page(diagnostic_slip(station.settings))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert test.result(15) == "printed"
        wait_for(lambda: not station.printing.outstanding())
        spooler.kick()
        time.sleep(0.3)  # one more pass of the owner finds nothing to print
    finally:
        spooler.stop()
        fake.close()
    paper = parse(bytes(fake.paper))
    printed = [line.text.strip() for line in paper.lines if line.text.strip() in numbers]
    assert sorted(printed) == sorted(numbers)  # each ticket exactly once
    assert paper.text().count("SENTRA TEST") == 1


def test_a_waiting_slip_goes_out_by_itself_when_the_printer_is_ready_again(station):
    fake = FakeNetworkPrinter()
    reports = []
    spooler = PrintSpooler(station.printing, printer_from_url(fake.url, "TM-T20II"), reports.append, poll_seconds=0.1)
    fake.mode = "paper_out"
    try:
        [number] = queue_tickets(station, 1)
        spooler.start()
        wait_for(lambda: reports and reports[-1].waiting == 1 and reports[-1].state == "paper out")
        assert fake.paper == b""
        fake.mode = "ready"  # staff load paper; nobody presses anything
        wait_for(lambda: not station.printing.outstanding())
        assert reports[-1].ready and reports[-1].waiting == 0
    finally:
        spooler.stop()
        fake.close()
    assert parse(bytes(fake.paper)).text().count(number) == 1


