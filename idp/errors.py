"""One error hierarchy for the protocol, mapped to RFC 6749 / OIDC / RFC 6750 error codes.

Each error carries the HTTP status, a public ``description`` (safe to show the client) and a private
``detail`` that only goes to the log. Protocol code raises these; the web layer renders them.
"""

from __future__ import annotations


class OAuthError(Exception):
    error = "server_error"
    status_code = 400

    def __init__(self, description: str = "", *, detail: str | None = None) -> None:
        super().__init__(description or self.error)
        self.description = description
        self.detail = detail

    def headers(self) -> dict[str, str]:
        return {}

    def body(self) -> dict[str, str]:
        out = {"error": self.error}
        if self.description:
            out["error_description"] = self.description
        return out


class InvalidRequest(OAuthError):
    error = "invalid_request"


class InvalidClient(OAuthError):
    """RFC 6749 Section 5.2: 401 with WWW-Authenticate when the client tried HTTP Basic."""

    error = "invalid_client"
    status_code = 401

    def __init__(
        self,
        description: str = "client authentication failed",
        *,
        basic: bool = False,
        detail: str | None = None,
    ) -> None:
        super().__init__(description, detail=detail)
        self.basic = basic

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Basic realm="nixa"'} if self.basic else {}


class InvalidGrant(OAuthError):
    error = "invalid_grant"


class UnauthorizedClient(OAuthError):
    error = "unauthorized_client"


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"


class UnsupportedResponseType(OAuthError):
    error = "unsupported_response_type"


class InvalidScope(OAuthError):
    error = "invalid_scope"


class AccessDenied(OAuthError):
    error = "access_denied"


class ServerError(OAuthError):
    error = "server_error"
    status_code = 500


class TemporarilyUnavailable(OAuthError):
    error = "temporarily_unavailable"
    status_code = 503


class LoginRequired(OAuthError):
    error = "login_required"


class ConsentRequired(OAuthError):
    error = "consent_required"


class InteractionRequired(OAuthError):
    error = "interaction_required"


class AccountSelectionRequired(OAuthError):
    error = "account_selection_required"


class UnmetAuthenticationRequirements(OAuthError):
    """OpenID Connect Core Unmet Authentication Requirements 1.0."""

    error = "unmet_authentication_requirements"


class RequestNotSupported(OAuthError):
    error = "request_not_supported"


class InvalidRequestObject(OAuthError):
    """OIDC Core 3.1.2.6 and RFC 9101 Section 6.2: the request object is invalid or does not verify."""

    error = "invalid_request_object"


class RequestUriNotSupported(OAuthError):
    error = "request_uri_not_supported"


class RegistrationNotSupported(OAuthError):
    error = "registration_not_supported"


class InvalidRedirectUri(OAuthError):
    """RFC 7591 Section 3.2.2."""

    error = "invalid_redirect_uri"


class InvalidClientMetadata(OAuthError):
    error = "invalid_client_metadata"


class InvalidToken(OAuthError):
    """RFC 6750 Section 3.1: 401 with a Bearer challenge naming the error."""

    error = "invalid_token"
    status_code = 401

    def headers(self) -> dict[str, str]:
        challenge = f'Bearer realm="nixa", error="{self.error}"'
        if self.description:
            challenge += f', error_description="{self.description}"'
        return {"WWW-Authenticate": challenge}


class InsufficientScope(InvalidToken):
    error = "insufficient_scope"
    status_code = 403


class MissingBearer(InvalidToken):
    """RFC 6750 Section 3.1: a request without credentials gets a bare challenge, no error code."""

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="nixa"'}

    def body(self) -> dict[str, str]:
        return {"error": "invalid_request", "error_description": self.description or "bearer token required"}


class InvalidPageRequest(Exception):
    """An authorization request that cannot be redirected back (unknown client, bad redirect_uri).

    RFC 6749 Section 4.1.2.1: the person is told on a page, never redirected to an unverified URI.
    """

    def __init__(self, message_key: str, detail: str | None = None) -> None:
        super().__init__(message_key)
        self.message_key = message_key
        self.detail = detail
