"""Lay a ``Slip`` out as ESC/POS bytes for a python-escpos printer profile (58 or 80 mm).

Text wraps at the profile's column count (half for large text); characters the code page
lacks are transliterated to ASCII rather than printed as garbage; the QR is native
(``GS ( k``) where the profile supports it.
"""

from __future__ import annotations

import textwrap
import unicodedata

from escpos.escpos import Escpos
from escpos.printer import Dummy

from kiosk.ports import Slip, SlipLine

HUGE = 4  # character magnification for queue numbers (GS ! with width and height 4)
QR_MODULE_DOTS = 4  # >= 3 dots per module keeps the code readable by phones and webcams


def columns(printer: Escpos) -> int:
    """Characters per line in the default font."""
    fonts = printer.profile.profile_data.get("fonts", {})
    return int(fonts.get("0", {}).get("columns", 32))


def render(slip: Slip, profile: str, native_qr: bool | None = None) -> bytes:
    """The complete ESC/POS byte stream of one slip (``native_qr`` None: as the profile supports)."""
    printer = Dummy(profile=profile)
    printer.hw("INIT")
    for line in slip.lines:
        _line(printer, line)
    if slip.qr:
        printer.set(align="center", normal_textsize=True, bold=False)
        native = printer.profile.supports("qrCode") if native_qr is None else native_qr
        printer.qr(slip.qr, size=QR_MODULE_DOTS, native=native, center=False)
    for line in slip.footer:
        _line(printer, line)
    printer.set(align="left", normal_textsize=True, bold=False)
    if printer.profile.supports("paperPartCut") or printer.profile.supports("paperFullCut"):
        printer.cut()
    else:  # python-escpos's cut() sends nothing here: feed the slip past the tear bar instead
        printer.text("\n" * 4)
    return printer.output


def _line(printer: Escpos, line: SlipLine) -> None:
    align = "center" if line.center else "left"
    if line.huge:
        printer.set(align=align, bold=line.bold, custom_size=True, width=HUGE, height=HUGE)
    else:
        printer.set(align=align, bold=line.bold, double_height=line.large, double_width=line.large,
                    normal_textsize=not line.large)
    width = columns(printer) // (HUGE if line.huge else 2 if line.large else 1)
    for part in textwrap.wrap(transliterate(line.text), width) or [""]:
        printer.text(part + "\n")


def transliterate(text: str) -> str:
    """Plain printable ASCII: accents dropped (é -> e), control characters removed (stored data must never
    drive the printer: ESC, GS and the like would be commands), anything else unprintable becomes '?'."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and (c.isprintable() or c == " "))
    return kept.encode("ascii", "replace").decode("ascii")
