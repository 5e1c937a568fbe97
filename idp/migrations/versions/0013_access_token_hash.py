"""access tokens: the SHA-256 of each token as issued, so NIXA's own endpoints recognise it by its record

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: tokens issued before this revision have no hash and are still verified by signature.
    with op.batch_alter_table("access_tokens") as batch:
        batch.add_column(sa.Column("token_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("access_tokens") as batch:
        batch.drop_column("token_hash")
