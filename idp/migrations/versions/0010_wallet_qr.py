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
        op.f("ix_identity_qr_credentials_identity_id"),
        "identity_qr_credentials",
        ["identity_id"],
        unique=False,
    )

    op.create_table(
        "qr_login_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("interaction_id", sa.String(length=64), nullable=False),
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("request_uri_enc", sa.LargeBinary(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("browser_ip", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("refusal", sa.String(length=40), nullable=True),
        sa.Column("created_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("scanned_at", idp.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_at", idp.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("consumed_at", idp.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("identity_id", sa.String(length=36), nullable=True),
        sa.Column("amr", sa.JSON(), nullable=True),
        sa.Column("auth_level", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qr_login_requests")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_qr_login_requests_token_hash")),
    )
    op.create_index(
        op.f("ix_qr_login_requests_interaction_id"), "qr_login_requests", ["interaction_id"], unique=False
    )
    op.create_table(
        "wallet_device_registrations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("identity_id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", idp.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_wallet_device_registrations_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_device_registrations")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_wallet_device_registrations_code_hash")),
    )
    op.create_index(
        op.f("ix_wallet_device_registrations_identity_id"),
        "wallet_device_registrations",
        ["identity_id"],
        unique=False,
    )
    op.create_table(
        "wallet_devices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("identity_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("jkt", sa.String(length=64), nullable=False),
        sa.Column("key_protection", sa.String(length=20), nullable=False),
        sa.Column("created_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", idp.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", idp.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_wallet_devices_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_devices")),
        sa.UniqueConstraint("jkt", name=op.f("uq_wallet_devices_jkt")),
    )
    op.create_index(op.f("ix_wallet_devices_identity_id"), "wallet_devices", ["identity_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_wallet_devices_identity_id"), table_name="wallet_devices")
    op.drop_table("wallet_devices")
    op.drop_index(
        op.f("ix_wallet_device_registrations_identity_id"), table_name="wallet_device_registrations"
    )
    op.drop_table("wallet_device_registrations")
    op.drop_index(op.f("ix_qr_login_requests_interaction_id"), table_name="qr_login_requests")
    op.drop_table("qr_login_requests")
    op.drop_index(op.f("ix_identity_qr_credentials_identity_id"), table_name="identity_qr_credentials")
    op.drop_table("identity_qr_credentials")
    op.drop_index(op.f("ix_status_entries_list_id"), table_name="status_entries")
    op.drop_table("status_entries")
    op.drop_index(op.f("ix_status_lists_purpose"), table_name="status_lists")
    op.drop_table("status_lists")
