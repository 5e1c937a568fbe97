"""admin console: operators' roles, console sessions, pending sign-ins, name blind index (issue 4)

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_DT = idp.db.UTCDateTime(timezone=True)


def _identity_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["identity_id"],
        ["identities.id"],
        name=op.f(f"fk_{table}_identity_id_identities"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "admin_operator_roles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("identity_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("granted_by", sa.String(length=255), nullable=False),
        sa.Column("granted_at", _DT, nullable=False),
        _identity_fk("admin_operator_roles"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_operator_roles")),
        sa.UniqueConstraint("identity_id", "role", name=op.f("uq_admin_operator_roles_identity_id")),
    )
    op.create_index(
        op.f("ix_admin_operator_roles_identity_id"), "admin_operator_roles", ["identity_id"], unique=False
    )
    op.create_table(
        "admin_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("identity_id", sa.String(length=36), nullable=False),
        sa.Column("idp_sid", sa.String(length=64), nullable=True),
        sa.Column("acr", sa.String(length=40), nullable=False),
        sa.Column("created_at", _DT, nullable=False),
        sa.Column("last_seen_at", _DT, nullable=False),
        sa.Column("expires_at", _DT, nullable=False),
        sa.Column("ended_at", _DT, nullable=True),
        _identity_fk("admin_sessions"),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_admin_sessions")),
    )
    op.create_index(op.f("ix_admin_sessions_identity_id"), "admin_sessions", ["identity_id"], unique=False)
    op.create_index(op.f("ix_admin_sessions_idp_sid"), "admin_sessions", ["idp_sid"], unique=False)
    op.create_table(
        "admin_pending_sign_ins",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("next_path", sa.String(length=255), nullable=False),
        sa.Column("created_at", _DT, nullable=False),
        sa.Column("expires_at", _DT, nullable=False),
        sa.Column("used_at", _DT, nullable=True),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_admin_pending_sign_ins")),
    )
    op.create_table(
        "admin_name_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("identity_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _identity_fk("admin_name_tokens"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_name_tokens")),
        sa.UniqueConstraint("identity_id", "token_hash", name=op.f("uq_admin_name_tokens_identity_id")),
    )
    op.create_index(
        op.f("ix_admin_name_tokens_identity_id"), "admin_name_tokens", ["identity_id"], unique=False
    )
    op.create_index(
        op.f("ix_admin_name_tokens_token_hash"), "admin_name_tokens", ["token_hash"], unique=False
    )
    op.create_table(
        "admin_name_indexed",
        sa.Column("identity_id", sa.String(length=36), nullable=False),
        sa.Column("source_updated_at", _DT, nullable=False),
        _identity_fk("admin_name_indexed"),
        sa.PrimaryKeyConstraint("identity_id", name=op.f("pk_admin_name_indexed")),
    )


def downgrade() -> None:
    op.drop_table("admin_name_indexed")
    op.drop_index(op.f("ix_admin_name_tokens_token_hash"), table_name="admin_name_tokens")
    op.drop_index(op.f("ix_admin_name_tokens_identity_id"), table_name="admin_name_tokens")
    op.drop_table("admin_name_tokens")
    op.drop_table("admin_pending_sign_ins")
    op.drop_index(op.f("ix_admin_sessions_idp_sid"), table_name="admin_sessions")
    op.drop_index(op.f("ix_admin_sessions_identity_id"), table_name="admin_sessions")
    op.drop_table("admin_sessions")
    op.drop_index(op.f("ix_admin_operator_roles_identity_id"), table_name="admin_operator_roles")
    op.drop_table("admin_operator_roles")
