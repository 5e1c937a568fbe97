"""wallet credentials: credential offers, nonces, access tokens, issued SD-JWT VCs, presentation requests, verifier keys (issue 7)

Revision ID: 0011
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import idp.db

revision = "0011"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('wallet_credential_nonces',
    sa.Column('nonce_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', idp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', idp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', idp.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('nonce_hash', name=op.f('pk_wallet_credential_nonces'))
    )
    op.create_index(op.f('ix_wallet_credential_nonces_expires_at'), 'wallet_credential_nonces', ['expires_at'], unique=False)
    op.create_table('wallet_presentation_requests',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('request_handle_hash', sa.String(length=64), nullable=False),
    sa.Column('result_secret_hash', sa.String(length=64), nullable=False),
    sa.Column('requested_by', sa.String(length=255), nullable=True),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=64), nullable=False),
    sa.Column('dcql_query', sa.JSON(), nullable=False),
    sa.Column('created_at', idp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', idp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('fetched_at', idp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('responded_at', idp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verdict', sa.String(length=40), nullable=True),
    sa.Column('result_enc', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_presentation_requests')),
    sa.UniqueConstraint('request_handle_hash', name=op.f('uq_wallet_presentation_requests_request_handle_hash')),
    sa.UniqueConstraint('state', name=op.f('uq_wallet_presentation_requests_state'))
    )
    op.create_table('wallet_verifier_keys',
    sa.Column('kid', sa.String(length=36), nullable=False),
    sa.Column('private_enc', sa.LargeBinary(), nullable=False),
    sa.Column('certificate_der', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', idp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('not_after', idp.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kid', name=op.f('pk_wallet_verifier_keys'))
    )
    op.create_table('wallet_credential_offers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('identity_id', sa.String(length=36), nullable=False),
    sa.Column('credential_configuration_id', sa.String(length=80), nullable=False),
    sa.Column('pre_authorized_code_hash', sa.String(length=64), nullable=False),
    sa.Column('tx_code_index', sa.String(length=64), nullable=True),
    sa.Column('tx_code_failures', sa.Integer(), nullable=False),
    sa.Column('created_at', idp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', idp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('redeemed_at', idp.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_wallet_credential_offers_identity_id_identities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_credential_offers')),
    sa.UniqueConstraint('pre_authorized_code_hash', name=op.f('uq_wallet_credential_offers_pre_authorized_code_hash'))
    )
    op.create_index(op.f('ix_wallet_credential_offers_identity_id'), 'wallet_credential_offers', ['identity_id'], unique=False)
    op.create_table('wallet_issued_credentials',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('identity_id', sa.String(length=36), nullable=False),
    sa.Column('credential_configuration_id', sa.String(length=80), nullable=False),
    sa.Column('vct', sa.String(length=255), nullable=False),
    sa.Column('holder_jkt', sa.String(length=64), nullable=False),
    sa.Column('status_list_uri', sa.String(length=255), nullable=False),
    sa.Column('status_index', sa.Integer(), nullable=False),
    sa.Column('issued_at', idp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', idp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', idp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=255), nullable=True),
    sa.Column('revocation_reason', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_wallet_issued_credentials_identity_id_identities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_issued_credentials')),
    sa.UniqueConstraint('status_list_uri', 'status_index', name=op.f('uq_wallet_issued_credentials_status_list_uri'))
    )
    op.create_index(op.f('ix_wallet_issued_credentials_identity_id'), 'wallet_issued_credentials', ['identity_id'], unique=False)
    op.create_table('wallet_credential_access_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('identity_id', sa.String(length=36), nullable=False),
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.Column('credential_configuration_id', sa.String(length=80), nullable=False),
    sa.Column('created_at', idp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', idp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', idp.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_wallet_credential_access_tokens_identity_id_identities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['wallet_credential_offers.id'], name=op.f('fk_wallet_credential_access_tokens_offer_id_wallet_credential_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_wallet_credential_access_tokens'))
    )
    op.create_index(op.f('ix_wallet_credential_access_tokens_identity_id'), 'wallet_credential_access_tokens', ['identity_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_wallet_credential_access_tokens_identity_id'), table_name='wallet_credential_access_tokens')
    op.drop_table('wallet_credential_access_tokens')
    op.drop_index(op.f('ix_wallet_issued_credentials_identity_id'), table_name='wallet_issued_credentials')
    op.drop_table('wallet_issued_credentials')
    op.drop_index(op.f('ix_wallet_credential_offers_identity_id'), table_name='wallet_credential_offers')
    op.drop_table('wallet_credential_offers')
    op.drop_table('wallet_verifier_keys')
    op.drop_table('wallet_presentation_requests')
    op.drop_index(op.f('ix_wallet_credential_nonces_expires_at'), table_name='wallet_credential_nonces')
    op.drop_table('wallet_credential_nonces')
