"""Refusals of the wallet's endpoints, in the OAuth error format (idp.errors) with a reason for the audit."""

from __future__ import annotations

from idp.errors import AccessDenied, InvalidRequest, OAuthError


class ExpiredToken(OAuthError):
    # RFC 8628 Section 3.5 names this error for a cross-device request that has expired.
    error = "expired_token"
    reason = "expired"


class Refused(AccessDenied):
    status_code = 403

    def __init__(self, reason: str, description: str) -> None:
        super().__init__(description, detail=reason)
        self.reason = reason


class MalformedApproval(InvalidRequest):
    reason = "malformed"
