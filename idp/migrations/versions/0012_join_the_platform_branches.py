"""join the admin console, federation and wallet branches

Revision ID: 0012
Revises: 0007, 0008, 0009, 0010, 0011
Create Date: 2026-12-01 19:45:00.000000
"""
from alembic import op
import sqlalchemy as sa
import idp.db


revision = '0012'
down_revision = ('0007', '0008', '0009', '0010', '0011')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
