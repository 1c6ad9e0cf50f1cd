"""What the OCR read off a card, and whether it counts: the rules, without the OCR.

A NIK is taken only when its 16 digits pass the NIK's structure (python-stdnum: region, birth date,
day + 40 for women) and agree with the birth date and the sex printed on the same card. A digit
misread in the NIK's date part then disagrees with the printed date; what is left (a misread in the
region or the serial number that still makes a valid NIK) is what the live watcher's second,
agreeing read is for.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kiosk.i18n import N_
from kiosk.identity import Nik, parse_nik

# 05-08-1978; a dash can be lost ("05081978"), or a digit with the dash kept ("5-08-1978")
DATE = re.compile(r"(?<!\d)(\d{2}\s*[-./]?|\d{1,2}\s*[-./])\s*(\d{2}\s*[-./]?|\d{1,2}\s*[-./])\s*(\d{4})(?!\d)")
SIXTEEN = re.compile(r"(?<!\d)\d{16}(?!\d)")

# why a card was not taken (msgids: the attendee never sees these, staff and `kiosk diag ocr` do)
NO_TEXT = N_("no card: no text in view")
NO_NIK = N_("no NIK line read (covered, too small or blurred)")
NOT_A_NIK = N_("the digits read are not a valid NIK")
NO_DATE = N_("the printed birth date or sex could not be read")
DISAGREES = N_("the NIK does not agree with the birth date or sex printed on the card")


@dataclass(frozen=True)
class CardText:
    """The lines that matter, as the OCR read them."""

    nik_lines: list[str]  # the large lines that might be the NIK, best first
    rows: list[str]       # the labelled rows beneath it (birth date, sex)


@dataclass(frozen=True)
class Verdict:
    """A NIK taken (``nik``), or why not (``reason``, a msgid); what was read either way, for `kiosk diag ocr`."""

    nik: str | None
    reason: str
    digits: str = ""
    printed_birth: dt.date | None = None
    printed_sex: str | None = None


def nik_digits(line: str) -> str | None:
    """The 16 digits on a NIK line ("NIK : 3215 0107 0582 8513"), or None: digits only, nothing guessed."""
    value = line.rsplit(":", 1)[-1]
    joined = re.sub(r"(?<=\d)\s+(?=\d)", "", value)
    found = SIXTEEN.findall(joined)
    return found[0] if len(found) == 1 and len(re.sub(r"\D", "", joined)) == 16 else None


def printed_dates(rows: list[str]) -> list[dt.date]:
    """Every dd-mm-yyyy date in the rows that is a real date."""
    dates = []
    for row in rows:
        for day, month, year in DATE.findall(row):
            try:
                dates.append(dt.date(int(year), int(re.sub(r"\D", "", month)), int(re.sub(r"\D", "", day))))
            except ValueError:
                continue
    return dates


def printed_sex(rows: list[str]) -> str | None:
    """M for LAKI-LAKI, F for PEREMPUAN (a lost letter or dash tolerated); None when neither or both."""
    letters = [re.sub(r"[^A-Z]", "", row.upper()) for row in rows]
    text = "".join(letters)
    # the two words share no letter in place, so a part of either is enough; a bare "LAK" only on the
    # row that also prints the blood group ("Gol. Darah"), where nothing else could hold it
    male = "LAKI" in text or "AKILAK" in text or any("LAK" in row and ("GOL" in row or "DARAH" in row) for row in letters)
    female = any(w in text for w in ("PEREM", "EMPUAN", "REMPU"))
    return "M" if male and not female else "F" if female and not male else None


def verdict(card: CardText) -> Verdict:
    """Take the NIK only when it is valid and agrees with what the same card prints."""
    candidates = [d for d in (nik_digits(line) for line in card.nik_lines) if d]
    if not candidates:
        return Verdict(None, NO_NIK)
    digits = candidates[0]
    nik = parse_nik(digits)
    if not isinstance(nik, Nik):
        return Verdict(None, NOT_A_NIK, digits)
    dates, sex = printed_dates(card.rows), printed_sex(card.rows)
    if not dates or sex is None:
        return Verdict(None, NO_DATE, digits, dates[0] if dates else None, sex)
    for born in dates:
        if _same_birthday(born, nik.birth_date) and sex == nik.sex:
            return Verdict(digits, "", digits, born, sex)
    return Verdict(None, DISAGREES, digits, dates[0], sex)


def _same_birthday(printed: dt.date, encoded: dt.date) -> bool:
    """The NIK holds the year's last two digits only."""
    return (printed.day, printed.month, printed.year % 100) == (encoded.day, encoded.month, encoded.year % 100)
