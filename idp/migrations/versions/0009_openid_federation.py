"""openid federation: entities NIXA runs, their subordinates, trust marks, federated portals (issue 6)

Revision ID: 0009
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.db

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "federation_entities",
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("superior", sa.String(length=255), nullable=True),
        sa.Column("created_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_federation_entities")),
        sa.UniqueConstraint("slug", name=op.f("uq_federation_entities_slug")),
    )
    op.create_index(op.f("ix_federation_entities_kind"), "federation_entities", ["kind"], unique=False)
    op.create_table(
        "federation_keys",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("private_enc", sa.LargeBinary(), nullable=False),
        sa.Column("kek_id", sa.String(length=16), nullable=False),
        sa.Column("created_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("unpublish_after", idp.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["federation_entities.entity_id"],
            name=op.f("fk_federation_keys_entity_id_federation_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_federation_keys")),
    )
    op.create_index(op.f("ix_federation_keys_entity_id"), "federation_keys", ["entity_id"], unique=False)
    op.create_table(
        "federation_subordinates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("superior", sa.String(length=255), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("jwks", sa.JSON(), nullable=False),
        sa.Column("metadata_policy", sa.JSON(), nullable=False),
        sa.Column("metadata_override", sa.JSON(), nullable=False),
        sa.Column("constraints", sa.JSON(), nullable=False),
        sa.Column("entity_types", sa.JSON(), nullable=False),
        sa.Column("intermediate", sa.Boolean(), nullable=False),
        sa.Column("created_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["superior"],
            ["federation_entities.entity_id"],
            name=op.f("fk_federation_subordinates_superior_federation_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_subordinates")),
        sa.UniqueConstraint("superior", "entity_id", name=op.f("uq_federation_subordinates_superior")),
    )
    op.create_index(
        op.f("ix_federation_subordinates_superior"), "federation_subordinates", ["superior"], unique=False
    )
    op.create_index(
        op.f("ix_federation_subordinates_entity_id"), "federation_subordinates", ["entity_id"], unique=False
    )
    op.create_table(
        "federation_trust_marks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("trust_mark_type", sa.String(length=255), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", idp.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_trust_marks")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_federation_trust_marks_token_hash")),
    )
    op.create_index(op.f("ix_federation_trust_marks_issuer"), "federation_trust_marks", ["issuer"], unique=False)
    op.create_index(op.f("ix_federation_trust_marks_subject"), "federation_trust_marks", ["subject"], unique=False)
    op.create_table(
        "federated_clients",
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("trust_anchor", sa.String(length=255), nullable=False),
        sa.Column("registration_type", sa.String(length=10), nullable=False),
        sa.Column("chain_entities", sa.JSON(), nullable=False),
        sa.Column("trust_mark_types", sa.JSON(), nullable=False),
        sa.Column("resolved_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("chain_expires_at", idp.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.client_id"],
            name=op.f("fk_federated_clients_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_federated_clients")),
    )


def downgrade() -> None:
    op.drop_table("federated_clients")
    op.drop_index(op.f("ix_federation_trust_marks_subject"), table_name="federation_trust_marks")
    op.drop_index(op.f("ix_federation_trust_marks_issuer"), table_name="federation_trust_marks")
    op.drop_table("federation_trust_marks")
    op.drop_index(op.f("ix_federation_subordinates_entity_id"), table_name="federation_subordinates")
    op.drop_index(op.f("ix_federation_subordinates_superior"), table_name="federation_subordinates")
    op.drop_table("federation_subordinates")
    op.drop_index(op.f("ix_federation_keys_entity_id"), table_name="federation_keys")
    op.drop_table("federation_keys")
    op.drop_index(op.f("ix_federation_entities_kind"), table_name="federation_entities")
    op.drop_table("federation_entities")
