"""join the verified identities branches

Revision ID: 0006
Revises: 0002, 0003, 0004, 0005
Create Date: 2026-11-23 16:49:10.000884
"""
from alembic import op
import sqlalchemy as sa
import idp.db


revision = '0006'
down_revision = ('0002', '0003', '0004', '0005')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
