"""Audit events of credential issuance and presentation (recorded in the IdP's hash-chained trail)."""

from __future__ import annotations

from enum import StrEnum


class CredentialAuditEvent(StrEnum):
    OFFER_CREATED = "wallet:credential:offer_created"
    OFFER_REDEEMED = "wallet:credential:offer_redeemed"
    OFFER_TX_CODE_FAILED = "wallet:credential:tx_code_failed"
    CREDENTIAL_ISSUED = "wallet:credential:issued"
    CREDENTIAL_REVOKED = "wallet:credential:revoked"
    PRESENTATION_REQUESTED = "wallet:presentation:requested"
    PRESENTATION_VERIFIED = "wallet:presentation:verified"
    PRESENTATION_REFUSED = "wallet:presentation:refused"
