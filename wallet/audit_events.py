"""Audit events of the wallet package (recorded in the IdP's hash-chained trail, idp.audit)."""

from __future__ import annotations

from enum import StrEnum


class WalletAuditEvent(StrEnum):
    STATUS_CHANGED = "wallet:status:changed"
    IDENTITY_QR_ISSUED = "wallet:identity_qr:issued"
    IDENTITY_QR_REVOKED = "wallet:identity_qr:revoked"
    DEVICE_REGISTRATION_STARTED = "wallet:device:registration_started"
    DEVICE_REGISTERED = "wallet:device:registered"
    DEVICE_REVOKED = "wallet:device:revoked"
    QR_LOGIN_STARTED = "wallet:qr_login:started"
    QR_LOGIN_APPROVED = "wallet:qr_login:approved"
    QR_LOGIN_REFUSED = "wallet:qr_login:refused"
