"""local topics kept local

Registrations, cards, passes and no-shows are never sent to the central server (they are the
station's own bookkeeping); their central outbox rows that still wait are set aside as "skipped",
so "waiting" counts only what will be sent.

Revision ID: 0003
Revises: 0002
"""
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

LOCAL = ("registration.created", "card.issued", "pass.issued", "visit.no_show")


def upgrade() -> None:
    topics = ", ".join(f"'{t}'" for t in LOCAL)
    op.execute(f"UPDATE outboxrow SET state = 'skipped', server_ids = 'kept local' "
               f"WHERE destination = 'central' AND state = 'pending' AND topic IN ({topics})")


def downgrade() -> None:
    pass  # nothing to undo: the rows were never going to be sent
