"""wallet: status lists, identity QR credentials, wallet devices and QR log-in requests (issue 7)

Revision ID: 0010
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.db

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_lists",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("bits", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("allocated", sa.Integer(), nullable=False),
        sa.Column("created_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_lists")),
    )
    op.create_index(op.f("ix_status_lists_purpose"), "status_lists", ["purpose"], unique=False)
    op.create_table(
        "status_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("list_id", sa.String(length=40), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["status_lists.id"],
            name=op.f("fk_status_entries_list_id_status_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_entries")),
        sa.UniqueConstraint("list_id", "idx", name=op.f("uq_status_entries_list_id")),
    )
    op.create_index(op.f("ix_status_entries_list_id"), "status_entries", ["list_id"], unique=False)

    op.create_table(
        "identity_qr_credentials",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("identity_id", sa.String(length=36), nullable=False),
        sa.Column("status_uri", sa.String(length=255), nullable=False),
        sa.Column("status_idx", sa.Integer(), nullable=False),
        sa.Column("text_enc", sa.LargeBinary(), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("issued_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", idp.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=255), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_identity_qr_credentials_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_qr_credentials")),
    )
    op.create_index(
        op.f("ix_identity_qr_credentials_identity_id"), "identity_qr_credentials", ["identity_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_identity_qr_credentials_identity_id"), table_name="identity_qr_credentials")
    op.drop_table("identity_qr_credentials")
    op.drop_index(op.f("ix_status_entries_list_id"), table_name="status_entries")
    op.drop_table("status_entries")
    op.drop_index(op.f("ix_status_lists_purpose"), table_name="status_lists")
    op.drop_table("status_lists")
