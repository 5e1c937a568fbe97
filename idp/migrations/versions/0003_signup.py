"""signup: channel confirmations and registry verdicts (issue 3)

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import idp.db

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_confirmations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("identity_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", idp.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_channel_confirmations_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_confirmations")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_channel_confirmations_secret_hash")),
    )
    op.create_index(
        op.f("ix_channel_confirmations_identity_id"), "channel_confirmations", ["identity_id"], unique=False
    )
    op.create_table(
        "registry_verdicts",
        sa.Column("identity_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=True),
        sa.Column("checked_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_registry_verdicts_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("identity_id", name=op.f("pk_registry_verdicts")),
    )


def downgrade() -> None:
    op.drop_table("registry_verdicts")
    op.drop_index(op.f("ix_channel_confirmations_identity_id"), table_name="channel_confirmations")
    op.drop_table("channel_confirmations")
