"""Alembic environment: runs on the engine handed over in ``config.attributes``."""

from alembic import context

from kiosk.storage import tables  # noqa: F401  (registers the tables on the metadata)
from sqlmodel import SQLModel

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
