"""Errors a person at the venue can meet, each with a message they can act on."""

from __future__ import annotations


class KioskError(Exception):
    """Base of every error the station shows to a person instead of a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(KioskError):
    """A configuration value is missing or wrong; the message names the key."""


class IllegalTransition(KioskError):
    """A visit was asked to move to a state its current state does not allow."""


class CheckInRefused(KioskError):
    """A check-in cannot go ahead; ``reason`` is a stable code the UI translates."""

    def __init__(self, reason: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.details = details


class NotFound(KioskError):
    """A registration, visit or card the user asked for does not exist."""


class StorageError(KioskError):
    """The station database cannot be written (full disk, read-only file, locked)."""
