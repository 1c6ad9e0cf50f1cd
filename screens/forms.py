"""Small helpers the staff forms share: reading typed values and showing a form's error line."""

from __future__ import annotations

import datetime as dt

from textual.screen import Screen
from textual.widgets import Input, Label

from kiosk.i18n import _


class FormError(ValueError):
    """A field holds something that is not what it asks for; the message names the field."""


def number(screen: Screen[object], selector: str, label: str, optional: bool = False) -> float | None:
    """The number typed in ``selector``, or FormError naming ``label``."""
    text = screen.query_one(selector, Input).value.strip().replace(",", ".")
    if not text and optional:
        return None
    try:
        return float(text)
    except ValueError:
        raise FormError(_("{label}: type a number", label=label)) from None


def date(screen: Screen[object], selector: str, label: str) -> dt.date:
    """A YYYY-MM-DD (or DD-MM-YYYY) date typed in ``selector``."""
    text = screen.query_one(selector, Input).value.strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise FormError(_("{label}: a date DD-MM-YYYY", label=label))


def text(screen: Screen[object], selector: str) -> str:
    """The stripped text of an input."""
    return screen.query_one(selector, Input).value.strip()


def show_error(screen: Screen[object], message: str) -> None:
    """Put ``message`` on the form's error line (every form has ``#form-error``)."""
    screen.query_one("#form-error", Label).update(message)
