"""Alembic migrations, applied on start and by ``kiosk db upgrade``."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config that runs on ``engine`` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``; a no-op when it is already there."""
    command.upgrade(alembic_config(engine), revision)


def upgrade_or_explain(engine: Engine) -> None:
    """``upgrade`` at start: a database that cannot be written is a StorageError saying why, not a traceback."""
    from sqlalchemy.exc import OperationalError

    from kiosk.storage.db import storage_error

    try:
        upgrade(engine)
    except OperationalError as exc:
        raise storage_error(exc) from None


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
