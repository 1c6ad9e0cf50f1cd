"""Messages the app and its workers send to the screens. Screens import these, never the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from kiosk.hub.worker import HubReport
    from kiosk.services.checkin import CheckInOutcome
    from kiosk.services.spooler import SpoolReport
    from kiosk.sync.port import DrainReport


class StationReady(Message, bubble=False):
    """The station and its devices are built; scanning can start."""


class CheckedIn(Message, bubble=False):
    """A check-in finished: its outcome, or an error a person can act on."""

    def __init__(self, outcome: CheckInOutcome | None, error: str = "") -> None:
        super().__init__()
        self.outcome = outcome
        self.error = error


class Scanned(Message, bubble=False):
    """A keyboard-wedge scanner typed a code (sent to the active screen, if it takes scans)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class Synced(Message, bubble=False):
    """The sender finished a pass (relayed to the active screen, which may show sync numbers)."""

    def __init__(self, report: DrainReport | Any, relayed: bool = False) -> None:
        super().__init__()
        self.report = report
        self.relayed = relayed


class Printed(Message, bubble=False):
    """The printer's owner finished a pass (relayed to the active screen)."""

    def __init__(self, report: SpoolReport, relayed: bool = False) -> None:
        super().__init__()
        self.report = report
        self.relayed = relayed


class HubUpdated(Message, bubble=False):
    """A venue station's hub duty finished a step: the venue's numbers, or that the hub is out of reach."""

    def __init__(self, report: HubReport, relayed: bool = False) -> None:
        super().__init__()
        self.report = report
        self.relayed = relayed
