"""OpenID4VCI 1.0 Section 8.3.1.2 (Credential Endpoint) error codes, on the IdP's error hierarchy."""

from __future__ import annotations

from idp.errors import OAuthError


class InvalidCredentialRequest(OAuthError):
    error = "invalid_credential_request"


class UnknownCredentialConfiguration(OAuthError):
    error = "unknown_credential_configuration"


class UnknownCredentialIdentifier(OAuthError):
    error = "unknown_credential_identifier"


class InvalidProof(OAuthError):
    error = "invalid_proof"


class InvalidNonce(OAuthError):
    """Section 8.3.1.2: the wallet should fetch a fresh c_nonce from the Nonce Endpoint and retry."""

    error = "invalid_nonce"


class CredentialRequestDenied(OAuthError):
    error = "credential_request_denied"
