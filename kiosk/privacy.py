"""What an attendee's own screen and slips show of a person: enough to recognise themselves, no more.

Kept free of heavy imports: the attendee result screen uses it before anything else has loaded.
"""

from __future__ import annotations


def attendee_nik(number: str) -> str:
    """What an attendee's own screen or slip shows of a NIK: the last four digits (enough to recognise it)."""
    return "*" * max(len(number) - 4, 0) + number[-4:]


def short_name(name: str) -> str:
    """What an attendee's screen or slip shows of a name: the given name and an initial ("Siti W.")."""
    words = name.split()
    if len(words) < 2:
        return name.strip()
    return f"{words[0]} {words[-1][0]}."
