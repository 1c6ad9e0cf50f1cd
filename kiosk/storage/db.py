"""Engine and transactions for the station database.

SQLite is tuned for a kiosk that can lose power: WAL, ``synchronous=FULL``, foreign keys on,
a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions so two writers queue on the
lock instead of failing with "database is locked" half-way through.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import Session, create_engine

from kiosk.errors import ConfigError, StorageError
from kiosk.i18n import _

BUSY_TIMEOUT_MS = 10_000
_WRITE = "sentra_write"
_REDO = "sentra_after_rollback"
log = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    """Create the engine for ``url``; for SQLite, make its folder and set the pragmas.

    A URL SQLAlchemy cannot read, or whose driver is not installed, is a ConfigError naming the key.
    """
    try:
        if url.startswith("sqlite"):
            return _sqlite_engine(url)
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        shown = make_url(url).render_as_string(hide_password=True) if "://" in url else url
        raise ConfigError(_("database.url {shown!r}: {exc}", shown=shown, exc=_url_problem(exc))) from None


def _url_problem(exc: Exception) -> str:
    if isinstance(exc, ImportError):
        return _("its database driver is not installed ({name}); e.g. postgresql+psycopg:// needs psycopg", name=exc.name or exc)
    if isinstance(exc, NoSuchModuleError):
        return _("unknown database kind; use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB")
    return _("not a database URL; use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB")


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        folder = Path(database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # personal data: owner only (SQLite gives its -wal and -shm files the database file's mode)
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
        except OSError as exc:
            raise StorageError(_("the database folder {folder} cannot be made: {strerror} (is data_dir a file, or on a "
                                 "read-only disk?)", folder=folder, strerror=exc.strerror)) from None
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own BEGIN is deferred).
    dbapi_connection.isolation_level = None
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", f"busy_timeout={BUSY_TIMEOUT_MS}"):
        dbapi_connection.execute(f"PRAGMA {pragma}")


def _on_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def after_rollback(session: Session, work: Callable[[], object]) -> None:
    """Run ``work`` if this write transaction is rolled back (see ``Database.write``)."""
    session.info.setdefault(_REDO, []).append(work)


class Database:
    """Hands out sessions: ``write()`` for one atomic change, ``read()`` for looking."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write_engine = engine.execution_options(**{_WRITE: True})

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back if it raises.

        Work registered with ``after_rollback`` runs once a rollback is done, in its own transactions:
        it redoes what the rollback lost but the world outside already holds (a lease the hub granted).
        """
        redo: list[Callable[[], object]] = []
        try:
            with Session(self._write_engine, expire_on_commit=False) as session:
                session.info[_REDO] = redo
                try:
                    yield session
                    session.commit()
                except OperationalError as exc:
                    session.rollback()
                    raise storage_error(exc) from exc
                except BaseException:
                    session.rollback()
                    raise
        except BaseException:
            for work in redo:
                try:
                    work()
                except Exception:  # the rollback's own cause is what the caller must see
                    log.exception("work after a rollback failed")
            raise

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (a deferred transaction; WAL lets it run beside a writer)."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            except OperationalError as exc:
                raise storage_error(exc) from exc

    def dispose(self) -> None:
        """Close every pooled connection (before a backup or at shutdown)."""
        self.engine.dispose()


def storage_error(exc: OperationalError) -> StorageError:
    """The database's refusal in words a technician can act on."""
    text = str(exc.orig) if exc.orig else str(exc)
    if "full" in text:
        return StorageError(_("the station's disk is full: free space, then retry; nothing recorded was lost"))
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StorageError(_("the station database is read-only: check the data folder's permissions"))
    if "locked" in text:
        return StorageError(_("the station database is busy: try again in a moment"))
    return StorageError(_("the station database refused the change: {text}", text=text))
