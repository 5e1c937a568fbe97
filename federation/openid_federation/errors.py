"""OpenID Federation 1.0 Section 8.9 error codes, on the IdP's one error hierarchy (``idp.errors``).

Each carries a public description and a private detail for the log, like every other protocol error.
"""

from __future__ import annotations

from idp.errors import InvalidRequest, OAuthError


class FederationError(OAuthError):
    """Anything that makes a statement or a chain unusable: never trusted, always explained."""

    error = "invalid_trust_chain"


class InvalidTrustChain(FederationError):
    error = "invalid_trust_chain"


class InvalidTrustAnchor(FederationError):
    error = "invalid_trust_anchor"
    status_code = 404


class InvalidMetadata(FederationError):
    """A metadata policy error (Section 6.1.4): a conflict when merging, or metadata that breaks it."""

    error = "invalid_metadata"


class NotFound(FederationError):
    error = "not_found"
    status_code = 404


class InvalidSubject(FederationError):
    error = "invalid_subject"
    status_code = 404


class UnsupportedParameter(FederationError):
    error = "unsupported_parameter"


__all__ = [
    "FederationError",
    "InvalidMetadata",
    "InvalidRequest",
    "InvalidSubject",
    "InvalidTrustAnchor",
    "InvalidTrustChain",
    "NotFound",
    "UnsupportedParameter",
]
