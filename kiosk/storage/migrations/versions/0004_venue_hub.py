"""venue hub: lease counters on the day, doses pulled from other stations, pull cursors

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import kiosk.storage.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dayquota") as batch:
        batch.add_column(sa.Column("spends", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("releases", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("offline_used", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "venuedose",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("registration_id", sa.Uuid(), nullable=False),
        sa.Column("product", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("dose_number", sa.Integer(), nullable=False),
        sa.Column("station_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("given_at", kiosk.storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_venuedose_registration_id", "venuedose", ["registration_id"])
    op.create_table(
        "hubcursor",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("hubcursor")
    op.drop_index("ix_venuedose_registration_id", "venuedose")
    op.drop_table("venuedose")
    with op.batch_alter_table("dayquota") as batch:
        batch.drop_column("offline_used")
        batch.drop_column("releases")
        batch.drop_column("spends")
