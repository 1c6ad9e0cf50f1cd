"""Turn whatever a scanner or keypad produced into one typed value.

``parse_payload`` is total: any text or bytes give a ``Payload``, never an exception.
Signatures are not checked here (that needs the venue keys, see ``kiosk.credentials``);
this module only recognises the shape.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from dataclasses import dataclass
from typing import Literal

from stdnum.exceptions import ValidationError
from stdnum.id import nik as stdnum_nik

from kiosk.i18n import _

MAX_PAYLOAD_CHARS = 2048
CREDENTIAL_PREFIX = "SC1"
REGISTRATION_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{3,31}")
_SEPARATORS = re.compile(r"[\s.\-]")
_ASCII_DIGITS = re.compile(r"[0-9]+")  # str.isdigit() also takes "²" and "①", which int() refuses


def ascii_digits(text: str) -> bool:
    """Whether ``text`` is one or more of the digits 0-9 (and nothing that merely looks like one)."""
    return _ASCII_DIGITS.fullmatch(text) is not None


@dataclass(frozen=True)
class RegistrationCode:
    """An online registration's code, typed or read from its QR (plain or inside a URL)."""

    code: str


@dataclass(frozen=True)
class Nik:
    """A structurally valid NIK with the birth date and sex it encodes."""

    number: str
    birth_date: dt.date
    sex: Literal["F", "M"]

    @property
    def masked(self) -> str:
        """The NIK as shown outside staff detail views: region kept, the rest hidden."""
        return mask_nik(self.number)


@dataclass(frozen=True)
class SignedCredential:
    """A local card or priority pass as printed: fields plus the signature over them."""

    kind: Literal["card", "pass"]
    venue: str
    credential_id: str
    day: dt.date
    dose: int | None
    signed_text: str
    signature: str


@dataclass(frozen=True)
class Unrecognised:
    """Input that is none of the above; ``reason`` says why, for staff and logs."""

    reason: str


Payload = RegistrationCode | Nik | SignedCredential | Unrecognised


def mask_nik(number: str) -> str:
    """Keep the first four digits (province and regency) and the last two."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 6) + number[-2:]


def parse_payload(raw: str | bytes) -> Payload:
    """Classify scanned or typed input; never raises, whatever ``raw`` holds."""
    text = _as_text(raw)
    if isinstance(text, Unrecognised):
        return text
    if not text:
        return Unrecognised(_("empty scan"))
    if text.upper().startswith(CREDENTIAL_PREFIX + "/"):
        return parse_credential(text)
    compact = _SEPARATORS.sub("", text)
    if ascii_digits(compact):
        return parse_nik(compact)
    if "://" in text or text.lower().startswith("www."):
        return _registration_from_url(text)
    code = text.upper()
    if REGISTRATION_CODE.fullmatch(code):
        return RegistrationCode(code)
    return Unrecognised(_("not a registration code, NIK or Sentra card"))


def _as_text(raw: str | bytes) -> str | Unrecognised:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return Unrecognised(_("binary data, not text"))
    if not isinstance(raw, str):
        return Unrecognised(_("not text"))
    if len(raw) > MAX_PAYLOAD_CHARS:
        return Unrecognised(_("too long ({count} characters)", count=len(raw)))
    if any(ord(c) < 32 and c not in "\t\r\n" for c in raw):
        return Unrecognised(_("contains control characters"))
    return raw.strip()


def parse_nik(digits: str) -> Nik | Unrecognised:
    """Validate a 16-digit NIK with python-stdnum and derive birth date and sex."""
    if not ascii_digits(digits) or len(digits) != 16:
        return Unrecognised(_("a NIK has 16 digits, this has {count}", count=len(digits)))
    if int(digits[6:8]) % 40 == 0 or int(digits[6:8]) > 71:  # day 01-31, or 41-71 for women
        return Unrecognised(_("not a valid NIK (the birth day field is not 01-31 or 41-71)"))
    try:
        number = stdnum_nik.validate(digits)
        birth = stdnum_nik.get_birth_date(number)
    except ValidationError:
        return Unrecognised(_("not a valid NIK (unknown region or impossible birth date)"))
    sex: Literal["F", "M"] = "F" if int(number[6:8]) > 40 else "M"
    return Nik(number, _plausible_birth_date(birth), sex)


def _plausible_birth_date(birth: dt.date) -> dt.date:
    """A NIK holds a two-digit year: take the latest century not in the future."""
    try:
        later = birth.replace(year=birth.year + 100)
    except ValueError:  # 29 February in a year that is not a leap year
        return birth
    return later if later <= dt.date.today() else birth


def _registration_from_url(text: str) -> RegistrationCode | Unrecognised:
    try:
        url = urllib.parse.urlsplit(text if "://" in text else "https://" + text)
        query = urllib.parse.parse_qs(url.query)
    except ValueError:
        return Unrecognised(_("a link that cannot be read"))
    candidates = query.get("code", []) + query.get("reg", [])
    candidates += [part for part in reversed(url.path.split("/")) if part][:1]
    for candidate in candidates:
        code = candidate.strip().upper()
        if REGISTRATION_CODE.fullmatch(code):
            return RegistrationCode(code)
    return Unrecognised(_("a link without a registration code"))


def parse_credential(text: str) -> SignedCredential | Unrecognised:
    """Split ``SC1/C/VENUE/ID/YYYYMMDD/DOSE/SIG`` or ``SC1/P/VENUE/ID/YYYYMMDD/SIG``."""
    parts = text.strip().upper().split("/")
    kind = {"C": "card", "P": "pass"}.get(parts[1] if len(parts) > 1 else "")
    expected = {"card": 7, "pass": 6}.get(kind or "", 0)
    if kind is None or len(parts) != expected:
        return Unrecognised(_("a Sentra code of an unknown shape"))
    day = _parse_day(parts[4])
    dose = int(parts[5]) if kind == "card" and ascii_digits(parts[5]) and len(parts[5]) <= 2 else None
    if day is None or (kind == "card" and dose is None) or not all(parts):
        return Unrecognised(_("a Sentra code with a damaged field"))
    return SignedCredential(
        kind=kind,  # type: ignore[arg-type]
        venue=parts[2],
        credential_id=parts[3],
        day=day,
        dose=dose,
        signed_text="/".join(parts[:-1]),
        signature=parts[-1],
    )


def _parse_day(text: str) -> dt.date | None:
    if len(text) != 8 or not ascii_digits(text):
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
