"""proofing: verification requests and their sealed evidence images (issue 3)

Revision ID: 0005
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.db

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verification_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("identity_id", sa.String(length=36), nullable=False),
        sa.Column("open_for", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("created_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_operator", sa.String(length=255), nullable=True),
        sa.Column("first_approved_at", idp.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=255), nullable=True),
        sa.Column("decided_at", idp.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_verification_requests_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_requests")),
        sa.UniqueConstraint("open_for", name=op.f("uq_verification_requests_open_for")),
    )
    op.create_index(
        op.f("ix_verification_requests_identity_id"), "verification_requests", ["identity_id"], unique=False
    )
    op.create_table(
        "evidence_images",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("content_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["verification_requests.id"],
            name=op.f("fk_evidence_images_request_id_verification_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_images")),
        sa.UniqueConstraint("request_id", "kind", name=op.f("uq_evidence_images_request_id")),
    )
    op.create_index(op.f("ix_evidence_images_request_id"), "evidence_images", ["request_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_evidence_images_request_id"), table_name="evidence_images")
    op.drop_table("evidence_images")
    op.drop_index(op.f("ix_verification_requests_identity_id"), table_name="verification_requests")
    op.drop_table("verification_requests")
