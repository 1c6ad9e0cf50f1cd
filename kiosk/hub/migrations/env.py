"""Alembic environment of the venue hub: its own version table, run on the engine handed over."""

from alembic import context

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None, version_table="sentra_hub_version")
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
