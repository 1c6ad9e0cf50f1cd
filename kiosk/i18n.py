"""Every word a person reads, from gettext catalogues in Bahasa Indonesia and English.

Source strings are English and marked with ``_`` (translated now, into the current language)
or ``N_`` (marked only; translated where shown, e.g. into the attendee's language). The
catalogues are ``kiosk/locale/<lang>/LC_MESSAGES/kiosk.po``; they are read with Babel and
compiled in memory, so the .po files are the one source (no .mo files to keep in step).
Extraction: ``uv run pybabel extract -F babel.cfg -k N_ -o kiosk/locale/kiosk.pot .`` then
``uv run pybabel update -i kiosk/locale/kiosk.pot -d kiosk/locale -D kiosk``; the test
``tests/unit/test_i18n.py`` fails on a string missing from either catalogue.

The current language belongs to a thread: the UI's thread speaks the staff member's choice while
unlocked and the venue's ``station.language`` otherwise; every other thread (the sender, the hub
duty, workers) speaks the process default, the venue's language, so what they store (a sync
error, a refusal) does not depend on who was at the desk. Attendee screens and slips do not use
it: they name the attendee's language (``say``/``both``), which the attendee can switch.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from babel.dates import format_date as _babel_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("id", "en")
LOCALES = {"id": "id_ID", "en": "en"}
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "kiosk"

_default = "id"
_thread = threading.local()


def N_(message: str) -> str:
    """Mark ``message`` for the catalogues without translating it (translated where it is shown)."""
    return message


@cache
def catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue for ``lang``; English falls back to the source strings."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=LOCALES[lang], domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _checked(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    return lang


def set_language(lang: str) -> None:
    """Make ``lang`` the language of this thread from now on (the UI thread: the staff member's choice)."""
    _thread.lang = _checked(lang)


def set_default_language(lang: str) -> None:
    """Make ``lang`` the language of every thread that has not chosen one (the venue's), and of this one."""
    global _default
    _default = _checked(lang)
    _thread.lang = lang


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """This thread speaks ``lang`` inside the block (a staff member's worker), then what it spoke before."""
    before = getattr(_thread, "lang", None)
    _thread.lang = _checked(lang)
    try:
        yield
    finally:
        if before is None:
            del _thread.lang
        else:
            _thread.lang = before


def language() -> str:
    """The current thread's language ("id" or "en")."""
    return getattr(_thread, "lang", _default)


def from_environment() -> str | None:
    """The language the system asks for (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``), when it is one of ours."""
    import os

    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            code = value.split(":")[0][:2].lower()
            return code if code in LANGUAGES else None
    return None


def other(lang: str) -> str:
    """The other of the two languages."""
    return "en" if lang == "id" else "id"


def say(message: str, lang: str, **fields: object) -> str:
    """``message`` (a source string, or a key of ``OUTCOMES``) in ``lang`` with its fields filled in."""
    text = catalogue(lang).gettext(OUTCOMES.get(message, message))
    return text.format(**fields) if fields else text


def _(message: str, **fields: object) -> str:
    """``message`` in the current language with its fields filled in."""
    return say(message, language(), **fields)


def both(message: str, lang: str, **fields: object) -> tuple[str, str]:
    """The message in ``lang`` first, then in the other language (attendee screens and slips)."""
    return say(message, lang, **fields), say(message, other(lang), **fields)


def day(value: dt.date, lang: str | None = None, style: str = "medium") -> str:
    """A date as people of ``lang`` write it ("20 Agu 2021", "Aug 20, 2021"); ``style`` as Babel's."""
    return _babel_date(value, style, locale=LOCALES[lang or language()])


def number(value: float, lang: str | None = None) -> str:
    """A number with the language's separators (1.234,5 in Indonesian)."""
    return format_decimal(value, locale=LOCALES[lang or language()])


# What the attendee is told, by the stable outcome codes the services return.
OUTCOMES: dict[str, str] = {
    "scan_prompt": N_("Scan your QR or type your NIK"),
    "admitted": N_("Please go to the screening desk. Queue number {queue}"),
    "already_checked_in": N_("Already checked in at {time} (queue {queue})"),
    "full": N_("Today is full. Come back on {date}, no queue"),
    "pass_held": N_("Today is full. Your priority pass is for {date}: come back then, no queue"),
    "full_pass": N_("Your priority pass is being printed"),
    "not_registered": N_("Not registered. Please see staff"),
    "unrecognised": N_("Code not recognised. Please see staff"),
    "too_early": N_("Your next dose is not before {date}"),
    "plan_over": N_("No more doses are planned here. Please see staff"),
    "full_no_pass": N_("Today is full. Please come back tomorrow, or see staff"),
    "already_elsewhere": N_("Already checked in today at {time} at another station"),
    "appointment_later": N_("Your appointment is on {date}: please come that day"),
    "appointment_missed": N_("Your appointment was on {date}. Please see staff"),
    "pass_not_today": N_("This priority pass is valid on {date}"),
    "pass_used": N_("This priority pass was already used at {time}"),
    "pass_unknown": N_("Unknown priority pass. Please see staff"),
    "forged": N_("This code is not valid. Please see staff"),
    "card_scanned": N_("This is a vaccination card. Please go to the card desk"),
    "card_title": N_("TEMPORARY VACCINATION CARD"),
    "pass_title": N_("PRIORITY PASS"),
    "pass_note": N_("Come on {date}, no queue: show this pass"),
    "card_note": N_("Exchange this card for the national certificate"),
    "next_dose": N_("Next dose"),
    "ticket_next": N_("Please go to the screening desk"),
    "card_at_desk": N_("Your card will be printed at the desk"),
    "ticket_at_desk": N_("Your ticket will be printed at the desk"),
    "see_staff": N_("Something went wrong. Please see staff"),
}
