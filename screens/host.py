"""What a screen may ask of the app it runs in: the station, its devices and a few services, typed.

Screens see the app through ``StationHost`` (``self.kiosk``), never by importing ``KioskApp``: the
app imports the screens, so the screens must not import the app.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from kiosk.i18n import speaking

T = TypeVar("T")

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

    from kiosk.bootstrap import Station
    from kiosk.config import Settings
    from kiosk.hub.worker import HubReport
    from kiosk.ports import Camera, LiveDecoder, Printer, Sound
    from kiosk.services.spooler import PrintSpooler, SpoolReport
    from kiosk.sync.port import CentralServer


class StationDevices(Protocol):
    """The station's devices, each behind its port (None: this station has none)."""

    camera: Camera | None
    decoder: LiveDecoder
    printer: Printer | None
    problems: list[str]


class StationHost(Protocol):
    """The running station as screens use it."""

    settings: Settings
    lang: str  # the venue's language
    attendee_lang: str  # the attendee's choice for their own visit (ID/EN on the scan screen)
    staff_lang: str  # the staff member's choice on the PIN pad
    camera_stats: Any  # the camera loop's CameraStats while it runs
    camera_state: str  # "ready", or why the camera cannot be used
    sound: Sound  # feedback sounds for the attendee
    station: Station
    devices: StationDevices
    spooler: PrintSpooler | None
    last_print: SpoolReport
    hub_report: HubReport | None  # a venue station's last word from its hub duty (None: not yet, or no hub)
    operator: str  # who unlocked staff or technician mode: the audit's actor for what they do
    last_error: str  # the last application error (staff and technicians see it; attendees are sent to staff)

    @property
    def ready(self) -> bool: ...

    def check_in(self, text: str, reply_to: MessagePump) -> None: ...

    def print_pending(self) -> None: ...

    def unlock(self, mode: str) -> None: ...

    def lock(self, why: str = "locked") -> None: ...

    def central_server(self) -> CentralServer | None: ...

    def desk_language(self) -> str: ...


def in_desk_language(method: Callable[..., T]) -> Callable[..., T]:
    """Run a thread worker in the desk's language (the staff member's while unlocked): a worker thread otherwise
    speaks the venue's language, which is what the sender and the hub duty store."""

    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> T:
        host = getattr(self, "kiosk", self)
        with speaking(host.desk_language()):
            return method(self, *args, **kwargs)
    return run


class HostedScreen:
    """Mixin for screens: ``self.kiosk`` is the app as a ``StationHost``."""

    @property
    def kiosk(self) -> StationHost:
        """The station this screen serves."""
        return cast("StationHost", self.app)  # type: ignore[attr-defined]

    def fill_operator(self, *selectors: str) -> None:
        """Put the name of whoever unlocked with their own PIN into the "who did this" fields (still editable)."""
        from textual.widgets import Input

        name = self.kiosk.operator
        if not name or name in ("staff", "technician"):  # a shared PIN names no one
            return
        for selector in selectors:
            field = self.query_one(selector, Input)  # type: ignore[attr-defined]
            if not field.value:
                field.value = name
