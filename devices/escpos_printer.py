"""Real printers through python-escpos connectors, chosen by a URL in config.

``usb://04b8:0202``, ``tcp://10.0.0.5:9100``, ``serial:///dev/ttyUSB0?baud=19200``,
``file:///dev/usb/lp0``. The connection is opened explicitly (in a worker),
never implicitly on first use, and every operation has a timeout. Real-time status comes from
DLE EOT where the connector can read; an empty or malformed reply is UNKNOWN, never "paper OK".
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any

from devices.slip_layout import render
from kiosk.errors import ConfigError
from kiosk.i18n import _
from kiosk.ports import DeviceError, PrinterState, Slip

DLE_EOT = b"\x10\x04"
STATUS_TIMEOUT_S = 1.0


class EscposPrinter:
    """A ``Printer`` over one python-escpos connector."""

    def __init__(self, connect: Callable[[], Any], profile: str, where: str, can_read: bool,
                 empty_is_closed: bool = False) -> None:
        self._connect = connect
        self.profile = profile
        self.where = where
        self.can_read = can_read
        self.empty_is_closed = empty_is_closed  # TCP: an empty read is end of stream; serial: just silence
        self._conn: Any = None

    def open(self) -> None:
        """Connect now; a printer that is not there is a DeviceError naming where we looked."""
        self.close()
        try:
            conn = self._connect()
            conn.open(raise_not_found=True)
        except Exception as exc:  # escpos raises its own DeviceNotFoundError, USBNotFoundError, OSError…
            raise DeviceError(_("printer at {where} not reachable: {exc}", where=self.where, exc=_reason(exc))) from exc
        self._conn = conn

    def status(self) -> PrinterState:
        """Ask the printer (DLE EOT 1, 2, 4); UNKNOWN when it cannot or does not answer."""
        if self._conn is None or not self.can_read:
            return PrinterState.UNKNOWN
        replies = []
        for n in (1, 2, 4):
            reply = self._query(n)
            if not reply:  # silence, end of stream or an error: the printer cannot tell us
                return PrinterState.UNKNOWN
            replies.append(reply[-1])
        return decode_status(*replies)

    def _query(self, n: int) -> bytes | None:
        """The raw reply to DLE EOT n: bytes, b"" when the link closed, None when nothing came."""
        try:
            self._conn._raw(DLE_EOT + bytes([n]))
            reply = self._conn._read()
        except TimeoutError:
            return None
        except (OSError, AttributeError, NotImplementedError):
            return b""
        return reply if reply or self.empty_is_closed else None

    def print_slip(self, slip: Slip) -> None:
        """Send one slip; refused before sending when the printer says it cannot print."""
        if self._conn is None:
            self.open()
        state = self.status()
        if not state.can_print:
            raise DeviceError(_("printer {state}", state=state.words))
        data = render(slip, self.profile)
        try:
            self._conn._raw(data)
            if hasattr(self._conn, "flush"):
                self._conn.flush()
        except Exception as exc:
            self.close()
            raise DeviceError(_("printer connection lost during the slip: {exc}", exc=_reason(exc))) from exc
        self._confirm()

    def _confirm(self) -> None:
        """Ask once more after the slip: a closed link or a fault means the slip may be torn.

        The bytes of a slip fit in the socket buffers, so a printer dropping the connection
        mid-slip is only noticed here. A printer that never answers cannot confirm; its slip counts.
        """
        if not self.can_read:
            return
        reply = self._query(4)
        if reply == b"":
            self.close()
            raise DeviceError(_("printer connection lost during the slip"))
        if reply and decode_status(0x12, 0x12, reply[-1]) is PrinterState.PAPER_OUT:
            raise DeviceError(_("printer ran out of paper during the slip"))

    def close(self) -> None:
        """Disconnect (safe to call twice)."""
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # closing a dead connection is not news
                pass
            self._conn = None


def decode_status(printer: int, offline_cause: int, paper: int) -> PrinterState:
    """Epson's real-time status bytes to one state (each reply has bits 1 and 4 set, 0 and 7 clear)."""
    if any(b & 0x93 != 0x12 for b in (printer, offline_cause, paper)):
        return PrinterState.UNKNOWN
    if paper & 0x60:
        return PrinterState.PAPER_OUT
    if offline_cause & 0x04:
        return PrinterState.COVER_OPEN
    if offline_cause & 0x20:
        return PrinterState.PAPER_OUT
    if printer & 0x08:
        return PrinterState.OFFLINE
    if paper & 0x0C:
        return PrinterState.PAPER_NEAR_END
    return PrinterState.READY


def printer_from_url(url: str, profile: str, timeout: float = 5.0) -> EscposPrinter:
    """Parse a printer URL from config; a bad one is a ConfigError naming devices.printer_url."""
    parts = urllib.parse.urlsplit(url)
    makers = {"tcp": _tcp, "usb": _usb, "serial": _serial, "file": _file}
    if parts.scheme == "cups":  # a spooler between the station and the printer hides paper-out and cover-open
        raise ConfigError(_("devices.printer_url: {url!r}: CUPS is not supported (it hides the printer's status "
                            "from the station): use usb://VID:PID (deploy/udev/60-sentra-printers.rules) or "
                            "file:///dev/usb/lp0", url=url))
    if parts.scheme not in makers:
        raise ConfigError(_("devices.printer_url: {url!r}: use usb://, tcp://, serial://, file:// or preview://", url=url))
    try:
        connect, can_read = makers[parts.scheme](parts, profile, timeout)
    except ValueError as exc:
        raise ConfigError(_("devices.printer_url: {url!r}: {exc}", url=url, exc=exc)) from None
    return EscposPrinter(connect, profile, url, can_read, empty_is_closed=parts.scheme == "tcp")


def _tcp(parts: urllib.parse.SplitResult, profile: str, timeout: float) -> tuple[Callable[[], Any], bool]:
    from escpos.printer import Network

    if not parts.hostname:
        raise ValueError(_("expected tcp://HOST:PORT"))
    host, port = parts.hostname, parts.port or 9100
    return (lambda: _StatusTimeout(Network(host, port=port, timeout=timeout, profile=profile))), True


def _usb(parts: urllib.parse.SplitResult, profile: str, timeout: float) -> tuple[Callable[[], Any], bool]:
    from escpos.printer import Usb

    try:
        vendor, product = (int(x, 16) for x in parts.netloc.split(":"))
    except ValueError:
        raise ValueError(_("expected usb://VID:PID in hex, e.g. usb://04b8:0202")) from None
    return (lambda: Usb(vendor, product, timeout=int(timeout * 1000), profile=profile)), True


def _serial(parts: urllib.parse.SplitResult, profile: str, timeout: float) -> tuple[Callable[[], Any], bool]:
    from escpos.printer import Serial

    query = urllib.parse.parse_qs(parts.query)
    baud = int(query.get("baud", ["9600"])[0])
    device = parts.path or "/dev/ttyUSB0"
    return (lambda: Serial(devfile=device, baudrate=baud, timeout=STATUS_TIMEOUT_S, profile=profile)), True


def _file(parts: urllib.parse.SplitResult, profile: str, timeout: float) -> tuple[Callable[[], Any], bool]:
    from escpos.printer import File

    device = parts.path or "/dev/usb/lp0"
    return (lambda: File(devfile=device, profile=profile)), False


class _StatusTimeout:
    """A Network connection whose status reads wait briefly, while slips keep the long timeout."""

    def __init__(self, conn: Any) -> None:
        self._inner = conn

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def _read(self) -> bytes:
        device = self._inner.device
        previous = device.gettimeout()
        device.settimeout(STATUS_TIMEOUT_S)
        try:
            return device.recv(16)
        finally:
            device.settimeout(previous)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else exc.__class__.__name__
