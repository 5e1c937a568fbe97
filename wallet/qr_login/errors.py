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


class SlowDown(OAuthError):
    # RFC 8628 Section 3.5 "slow_down", with 429 and Retry-After (RFC 6585 Section 4).
    error = "slow_down"
    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many requests from this address")
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
