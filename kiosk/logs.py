"""The station's log, with the standard library: journald under systemd, else a file; never personal data.

Log lines name actions and ids (``checkin.admitted visit 5f0c…``), never a NIK, a name or a phone.
Every line also passes through ``Redacting``, which masks any run of 8 or more digits (a NIK is 16,
a phone 10-13), so a message or a traceback that quotes one by mistake still does not carry it.
Audit rows are logged when their transaction commits (a rolled-back check-in is not in the log).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import socket
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from kiosk.config import Settings

IDENTIFIER = "sentra-kiosk"
JOURNAL_SOCKET = "/dev/log"
LOG_FILE = "kiosk.log"
_DIGITS = re.compile(r"(?<![0-9a-fA-F-])\+?\d[\d ./-]{6,}\d(?![0-9a-fA-F-])")
_PENDING = "sentra_log_pending"

log = logging.getLogger("kiosk")


def redact(text: str) -> str:
    """``text`` with every run of 8+ digits (spaces, dots, dashes and a leading + allowed) masked."""
    return _DIGITS.sub(lambda m: "[number]" if sum(c.isdigit() for c in m.group()) >= 8 else m.group(), text)


class Redacting(logging.Formatter):
    """A formatter whose whole output, traceback included, has NIK- and phone-shaped numbers masked."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        record.message = redact(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:  # noqa: N802
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return redact(super().formatStack(stack_info))


def under_systemd() -> bool:
    """Whether systemd started this process (it sets INVOCATION_ID for every unit's processes)."""
    return bool(os.environ.get("INVOCATION_ID")) and Path(JOURNAL_SOCKET).exists()


def setup(settings: Settings, *, journal_socket: str = JOURNAL_SOCKET) -> logging.Handler:
    """Send the ``kiosk`` loggers where ``settings.log`` says; returns the handler (replacing an earlier one)."""
    target = settings.log.to
    quiet = False
    if target == "auto":
        target = "journald" if under_systemd() else "file"
    handler: logging.Handler
    if target == "journald":
        handler = logging.handlers.SysLogHandler(address=journal_socket, socktype=socket.SOCK_DGRAM)
        handler.ident = f"{IDENTIFIER}: "
        handler.setFormatter(Redacting("%(levelname)s %(name)s: %(message)s"))
    elif target == "file":
        path = settings.data_dir / LOG_FILE
        try:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
            handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        except OSError:  # a read-only or full disk: the command says so itself, in one line; only warnings go to stderr
            target = "stderr"
            quiet = True
        else:
            handler.setFormatter(Redacting("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if target == "stderr":
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(Redacting(f"{IDENTIFIER}: %(levelname)s %(name)s: %(message)s"))
        if quiet:
            handler.setLevel(logging.WARNING)
    handler.set_name(IDENTIFIER)
    for old in [h for h in log.handlers if h.get_name() == IDENTIFIER]:
        log.removeHandler(old)
        old.close()
    log.addHandler(handler)
    log.setLevel(settings.log.level.upper())
    log.propagate = False
    return handler


def on_commit(session: Session, message: str, *args: Any) -> None:
    """Log ``message`` once ``session``'s transaction commits (dropped if it rolls back)."""
    session.info.setdefault(_PENDING, []).append((message, args))


@event.listens_for(Session, "after_commit")
def _emit(session: Session) -> None:
    for message, args in session.info.pop(_PENDING, ()):
        logging.getLogger("kiosk.audit").info(message, *args)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_PENDING, None)
