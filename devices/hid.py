"""Keyboard-wedge (HID) barcode scanners: tell a scanner's burst of keys from a person typing.

A scanner "types" its code far faster than anyone can: a few milliseconds between keys, then
Enter or Tab (or nothing, on some models). ``KeyWedge`` holds each printable key back for at
most ``max_gap`` seconds. If the next key comes sooner it is part of a burst; a burst of at
least ``min_length`` characters that ends in a terminator, or simply stops, is a scan and its
keys never reach the focused widget. Anything else is released, in order, as ordinary typing:
a person sees their keys appear ``max_gap`` (30 ms) late, which nobody notices.

Pure logic, no UI library: the app feeds it key events with their timestamps and carries out
the actions it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

Event = TypeVar("Event")


@dataclass(frozen=True)
class WedgeSettings:
    """How this venue's scanners type. Defaults suit USB scanners (1-10 ms per key)."""

    max_gap: float = 0.03
    min_length: int = 4
    prefix: str = ""
    suffix: tuple[str, ...] = ("enter", "tab")  # key names, or single characters such as "#"


@dataclass(frozen=True)
class Scan:
    """A burst that was a scan: the code, prefix and terminator removed."""

    text: str


@dataclass(frozen=True)
class Release(Generic[Event]):
    """Keys that were a person typing: hand them on, in this order."""

    events: tuple[Event, ...]


@dataclass
class _Held(Generic[Event]):
    event: Event
    character: str
    time: float


@dataclass
class KeyWedge(Generic[Event]):
    """Feed every key with ``key()``; call ``expire()`` when ``max_gap`` passed with no key."""

    settings: WedgeSettings = field(default_factory=WedgeSettings)
    _held: list[_Held[Event]] = field(default_factory=list)

    @property
    def holding(self) -> bool:
        """Keys are held back: the caller must call ``expire()`` after ``max_gap`` without a key."""
        return bool(self._held)

    def key(self, event: Event, key: str, character: str | None, time: float) -> list[Scan | Release[Event]]:
        """One key event; returns what to do now (possibly nothing: the key is held)."""
        actions: list[Scan | Release[Event]] = []
        if self._held and time - self._held[-1].time > self.settings.max_gap:
            actions += self.expire()  # the timer was late; the old keys end before this one
        printable = character is not None and len(character) == 1 and character.isprintable()
        if self._held and self._terminates(key, character):
            return actions + self._finish(event, terminated=True)
        if printable:
            assert character is not None
            self._held.append(_Held(event, character, time))
            return actions
        return actions + [Release((*self._take(), event))]

    def expire(self) -> list[Scan | Release[Event]]:
        """``max_gap`` passed with no new key: the held keys were a scan (no terminator) or typing."""
        if not self._held:
            return []
        return self._finish(None, terminated=False)

    def _finish(self, terminator: Event | None, terminated: bool) -> list[Scan | Release[Event]]:
        text = "".join(h.character for h in self._held)
        burst = len(self._held) >= 2 and all(b.time - a.time <= self.settings.max_gap
                                             for a, b in zip(self._held, self._held[1:]))
        prefix = self.settings.prefix
        code = text[len(prefix):] if prefix and text.startswith(prefix) else (None if prefix else text)
        if burst and code is not None and len(code) >= self.settings.min_length:
            self._held.clear()
            return [Scan(code)]
        held = self._take()
        return [Release((*held, terminator) if terminator is not None else held)]

    def _terminates(self, key: str, character: str | None) -> bool:
        return any(key == s or (len(s) == 1 and character == s) for s in self.settings.suffix)

    def _take(self) -> tuple[Event, ...]:
        events = tuple(h.event for h in self._held)
        self._held.clear()
        return events
