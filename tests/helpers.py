"""Helpers for driving the real app in tests."""

from __future__ import annotations

from pathlib import Path

import segno


def show_qr(folder: Path, text: str, name: str = "shot.png") -> Path:
    """Put a QR of ``text`` in front of the folder camera."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    segno.make_qr(text, error="m").save(path, scale=6, border=4)
    return path


async def until(pilot, condition, tries: int = 250) -> None:
    """Let the app run until ``condition()`` holds (bounded: fails after ``tries`` short pauses)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the app never reached the expected state")


async def unlock(pilot, app, pin: str, key: str = "f2", lang: str | None = "en") -> None:
    """Open staff (F2) or technician (F3) mode as a person does: the PIN pad, their language tapped, the PIN typed."""
    from screens.pin import PinScreen

    await pilot.press(key)
    await until_screen(pilot, PinScreen)
    if lang is not None:
        await pilot.click(f"#pin-lang-{lang}")
        await until(pilot, lambda: app.screen.lang == lang)
    await type_text(pilot, pin)
    await pilot.press("enter")


HUMAN_GAP = 0.06  # seconds between a person's keys (the scanner detector's threshold is 0.03)


async def type_text(pilot, text: str) -> None:
    """Type like a person at a keyboard: one key at a time, a human's pause apart."""
    for char in text:
        await pilot.pause(HUMAN_GAP)
        await pilot.press(char)


async def scanner_burst(pilot, text: str, suffix: str | None = "enter") -> None:
    """Type like a keyboard-wedge scanner: every key at once (as a terminal read delivers them)."""
    from textual import events
    from textual.keys import _character_to_key

    keys = [events.Key(_character_to_key(char), char) for char in text] + ([events.Key(suffix, None)] if suffix else [])
    for key in keys:  # created back to back: microseconds apart, like a scanner's burst
        pilot.app.post_message(key)
    await pilot.pause(0.1)


async def tap_key(pilot, key: str) -> None:
    """Tap one key of the on-screen keypad ("0"-"9", "⌫", "OK")."""
    from screens.widgets.keypad import Keypad

    keypad = pilot.app.screen.query_one(Keypad)
    await pilot.click(keypad, offset=keypad.center_of(key))


async def until_screen(pilot, screen_type) -> None:
    """Wait until a screen of ``screen_type`` is current and mounted (composed, focus set)."""
    await until(pilot, lambda: isinstance(pilot.app.screen, screen_type) and pilot.app.screen.is_mounted)
    await pilot.pause()
