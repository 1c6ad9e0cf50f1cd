"""audit chain: each audit row numbered and carrying the hash of the row before it

Existing rows are chained in the order they were written.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("auditentry") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("station_id", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("prev_hash", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("hash", sa.String(), nullable=False, server_default=""))
        batch.create_index("ix_auditentry_seq", ["seq"])
    import datetime as dt
    import uuid

    from kiosk.audit import GENESIS, link_hash

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, at, actor, action, subject_id, detail FROM auditentry ORDER BY at, id")).all()
    prev = GENESIS
    for seq, row in enumerate(rows, start=1):
        at = dt.datetime.fromisoformat(row.at) if isinstance(row.at, str) else row.at
        subject = uuid.UUID(row.subject_id) if isinstance(row.subject_id, str) else row.subject_id
        digest = link_hash(prev, seq, at, "", row.actor, row.action, subject, row.detail)
        bind.execute(sa.text("UPDATE auditentry SET seq = :seq, prev_hash = :prev, hash = :hash WHERE id = :id"),
                     {"seq": seq, "prev": prev, "hash": digest, "id": row.id})
        prev = digest


def downgrade() -> None:
    with op.batch_alter_table("auditentry") as batch:
        batch.drop_index("ix_auditentry_seq")
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
        batch.drop_column("station_id")
        batch.drop_column("seq")
