"""``kiosk diag ocr PATH``: what the e-KTP reader makes of each image in a folder (or frame of a video).

Per image: the NIK taken, or why not (the reason a technician can act on), the digits and the
printed birth date and sex as read, and the milliseconds. Where the folder holds the expected NIK
beside an image (``N.txt``; an empty file means "no NIK may be read here"), whether the read matches.
Nothing is written; the images are read as they are.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devices.decode.report import frames, nearest_rank, print_report
from devices.ektp.reader import EktpReader
from kiosk.i18n import _


@dataclass
class OcrResult:
    file: str
    nik: str       # the NIK taken ("" when none)
    why_not: str   # why nothing was taken, in words
    digits: str    # the 16 digits read on the NIK line, taken or not
    printed_birth: str
    printed_sex: str
    ms: float
    match: str     # "exact", "wrong", "missed", "nothing" (none expected, none read), "" (nothing expected known)


def read_one(reader: EktpReader, name: str, frame: Any, image: Path | None) -> OcrResult:
    read = reader.read(frame)
    v = read.verdict
    want = _expected(image)
    got = read.nik or ""
    match = ""
    if want == "":
        match = "wrong" if got else "nothing"
    elif want is not None:
        match = "missed" if not got else "exact" if got == want else "wrong"
    return OcrResult(name, got, _(v.reason) if v.reason else "", v.digits,
                     v.printed_birth.isoformat() if v.printed_birth else "", v.printed_sex or "", round(read.ms, 1), match)


def _expected(image: Path | None) -> str | None:
    if image is None:
        return None
    beside = image.with_suffix(".txt")
    return beside.read_text(encoding="utf-8").strip() if beside.exists() else None


def summary(results: list[OcrResult]) -> dict[str, Any]:
    """Images, NIKs taken, exact, wrong, missed, false reads (where none was expected), median and p95 ms."""
    times = sorted(r.ms for r in results) or [0.0]
    cards = [r for r in results if r.match in ("exact", "wrong", "missed")]
    return {"files": len(results), "taken": sum(bool(r.nik) for r in results), "expected_niks": len(cards),
            "exact": sum(r.match == "exact" for r in cards), "wrong": sum(r.match == "wrong" for r in cards),
            "missed": sum(r.match == "missed" for r in cards),
            "false_reads": sum(r.match == "wrong" for r in results if r not in cards),
            "median_ms": round(statistics.median(times), 1), "p95_ms": round(nearest_rank(times, 0.95), 1)}


def report(path: Path, as_json: bool, reader: EktpReader | None = None) -> dict[str, Any]:
    """Read everything under ``path``, print a line per image, return the summary."""
    ektp = reader or EktpReader()
    ektp.engine()  # the models load once, outside the first image's time

    def line(result: OcrResult) -> str:
        seen = " ".join(x for x in (result.digits, result.printed_birth, result.printed_sex) if x)
        why = f"{result.why_not} [{seen}]" if result.why_not and seen else result.why_not
        return f"{result.file:32} {result.match or '-':8} {result.ms:7.1f} ms  {result.nik or '-':16}  {why}"
    return print_report((read_one(ektp, *item) for item in frames(path)), as_json, line, summary)
