"""population registry: pending re-checks (issue 3)

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import idp.db


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_rechecks",
        sa.Column("identity_id", sa.String(length=36), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_registry_rechecks_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("identity_id", name=op.f("pk_registry_rechecks")),
    )
    with op.batch_alter_table("registry_rechecks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registry_rechecks_next_attempt_at"), ["next_attempt_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("registry_rechecks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_rechecks_next_attempt_at"))
    op.drop_table("registry_rechecks")
