"""Backups of the station: a consistent copy of the live SQLite file, and the daily one with the venue key.

``backup_sqlite`` is `kiosk db backup PATH`; ``daily_backup`` is `kiosk backup run` (sentra-backup.timer):
``backup.folder``/YYYY-MM-DDTHHMMSS/ with station.db and venue-key.pem (0600, in a 0700 folder), the
oldest beyond ``backup.keep`` removed.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import sqlite3
from pathlib import Path

from kiosk.config import Settings
from kiosk.errors import KioskError
from kiosk.i18n import _


def backup_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the backup API), mode 0600, never over an existing file."""
    if not source.is_file():
        raise KioskError(_("no station database at {source}", source=source))
    if target.exists():
        raise KioskError(_("{target} already exists: a backup never overwrites one; give a new name", target=target))
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # personal data: owner only
        with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
            src.backup(dst)
        os.link(partial, target)  # fails rather than replace a file that appeared meanwhile
    except FileExistsError:
        raise KioskError(_("{target} already exists: a backup never overwrites one; give a new name", target=target)) from None
    except (sqlite3.Error, OSError) as exc:
        raise KioskError(_("backup to {target} failed: {exc}", target=target, exc=exc)) from None
    finally:
        partial.unlink(missing_ok=True)


def daily_backup(settings: Settings) -> Path:
    """Write today's dated backup folder and prune the oldest; returns the folder."""
    from kiosk.storage.db import make_engine

    engine = make_engine(settings.database_url)
    if engine.dialect.name != "sqlite":
        raise KioskError(_("backup run copies a SQLite station database; for PostgreSQL use pg_dump"))
    folder = settings.backup.folder
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = folder / dt.datetime.now().strftime("%Y-%m-%dT%H%M%S")
        target.mkdir(mode=0o700)
    except OSError as exc:
        raise KioskError(_("backup.folder {folder}: {strerror}: make it and let the sentra user write it",
                           folder=folder, strerror=exc.strerror)) from None
    backup_sqlite(Path(engine.url.database or ""), target / "station.db")
    key = settings.venue_key_path
    if key.is_file():  # cards are signed with it: without it, the cards a restored station printed cannot be checked
        with key.open("rb") as src, os.fdopen(os.open(target / key.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as dst:
            shutil.copyfileobj(src, dst)
    dated = sorted(p for p in folder.iterdir() if p.is_dir() and p.name[:4].isdigit())
    for old in dated[:-settings.backup.keep]:
        shutil.rmtree(old)
    logging.getLogger("kiosk.backup").info("backup written to %s (%d kept)", target, min(len(dated), settings.backup.keep))
    return target
