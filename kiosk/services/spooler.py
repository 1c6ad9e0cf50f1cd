"""The one owner of the station's printer: a thread that opens it, prints what waits, and answers questions.

Everybody else asks the spooler: the app when a slip is queued (``kick``), the print-queue and
technician screens for the printer's status (``kick``: it comes with the next report) or a test
page (``test_page``). Only this thread touches the printer, so a status query never closes a
connection a slip is using.

While jobs wait, the printer is asked every ``poll_seconds``; a waiting job goes out by itself
within seconds of the printer reporting ready (paper loaded, cover closed). Each job is claimed
with a conditional UPDATE, so a job is printed once however many passes run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.ports import DeviceError, Printer, PrinterState, Slip

if TYPE_CHECKING:  # the app imports this module before its first paint: nothing heavy at import
    from kiosk.services.printing import PrintQueue

POLL_SECONDS = 3.0   # while slips wait: how soon a printer that came back is noticed
IDLE_SECONDS = 30.0  # with nothing waiting: how often the printer's own state is refreshed for staff


@dataclass(frozen=True)
class SpoolReport:
    """What the spooler knows after a pass: the printer's word, what printed, what still waits and why."""

    state: str            # the printer's state ("ready", "paper out"...) or why it cannot be reached
    ready: bool
    printed: int = 0
    waiting: int = 0
    error: str = ""       # the last job error, when a slip could not print
    error_kind: str = ""  # card | pass | ticket: what the attendee (or staff) is waiting for


log = logging.getLogger("kiosk.printer")


class PrintSpooler:
    """Owns ``printer`` on its own thread; ``on_report`` hears each pass (from that thread)."""

    def __init__(self, queue: PrintQueue, printer: Printer, on_report: Callable[[SpoolReport], None] = lambda r: None,
                 poll_seconds: float = POLL_SECONDS, idle_seconds: float = IDLE_SECONDS) -> None:
        self.queue = queue
        self.printer = printer
        self.on_report = on_report
        self.poll_seconds, self.idle_seconds = poll_seconds, idle_seconds
        self.last = SpoolReport("unknown", False)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._tests: list[tuple[Slip, Future[str]]] = []
        self._opened = False
        self._thread = threading.Thread(target=self._run, name="printer", daemon=True)

    def start(self) -> None:
        """At the station's start: slips cut off by a crash are marked (they print again), then the thread runs."""
        self.queue.recover_interrupted()
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread and close the printer."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def kick(self) -> None:
        """Something was queued (or staff pressed print): look at the queue now."""
        self._wake.set()

    def test_page(self, slip: Slip) -> Future[str]:
        """Print ``slip`` (nothing is recorded); the future holds what happened, in words."""
        future: Future[str] = Future()
        with self._lock:
            self._tests.append((slip, future))
        self._wake.set()
        return future

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._wake.clear()
                report = self.run_once()
                self.last = report
                self.on_report(report)
                self._wake.wait(self.poll_seconds if report.waiting else self.idle_seconds)
        finally:
            self._close()

    def run_once(self) -> SpoolReport:
        """One pass: the printer's state, test pages, then every waiting job while the printer takes them."""
        state = self._state()
        self._test_pages(state)
        printed = 0
        if isinstance(state, PrinterState) and state.can_print:
            printed = len(self.queue.run_pending(self.printer))
        else:  # staff see why each slip waits
            self.queue.note_waiting(f"printer {state.value}" if isinstance(state, PrinterState) else state)
        waiting = self.queue.pending()
        failing = next((job for job in waiting if job.last_error), None)
        words = state.value if isinstance(state, PrinterState) else state
        ready = isinstance(state, PrinterState) and state.can_print
        if printed:
            log.info("printed %d slips", printed)
        if words != self.last.state:
            (log.info if ready else log.warning)("printer %s (%d slips waiting)", words, len(waiting))
        return SpoolReport(words, ready, printed, len(waiting), failing.last_error if failing else "",
                           failing.kind if failing else "")

    def _state(self) -> PrinterState | str:
        try:
            if not self._opened:
                self.printer.open()
                self._opened = True
            return self.printer.status()
        except DeviceError as exc:
            self._close()
            return str(exc)

    def _test_pages(self, state: PrinterState | str) -> None:
        with self._lock:
            tests, self._tests = self._tests, []
        for slip, future in tests:
            if not isinstance(state, PrinterState):
                future.set_result(f"printer: {state}")
                continue
            try:
                self.printer.print_slip(slip)
                future.set_result("printed")
            except DeviceError as exc:
                future.set_result(f"printer: {exc}")

    def _close(self) -> None:
        if self._opened:
            self.printer.close()
        self._opened = False
