"""OpenID Connect Discovery 1.0 Section 3 and RFC 8414 metadata: only what this server really does."""

from __future__ import annotations

from typing import Any

from idp.clients import ASSERTION_ALGS, AUTH_METHODS, GRANT_TYPES, STANDARD_SCOPES
from idp.keys import SUPPORTED_ALGS
from idp.oauth.claims import SUPPORTED_CLAIMS
from idp.oauth.request_object import REQUEST_OBJECT_ALGS
from idp.oauth.verified_claims import TRUST_FRAMEWORK, VERIFIABLE_CLAIMS


def discovery_document(issuer: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks",
        "registration_endpoint": f"{issuer}/register",
        "revocation_endpoint": f"{issuer}/revoke",
        "introspection_endpoint": f"{issuer}/introspect",
        "end_session_endpoint": f"{issuer}/logout",
        "scopes_supported": list(STANDARD_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "grant_types_supported": list(GRANT_TYPES),
        "subject_types_supported": ["pairwise", "public"],
        "id_token_signing_alg_values_supported": list(SUPPORTED_ALGS),
        "userinfo_signing_alg_values_supported": list(SUPPORTED_ALGS),
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "token_endpoint_auth_signing_alg_values_supported": list(ASSERTION_ALGS),
        "revocation_endpoint_auth_methods_supported": [m for m in AUTH_METHODS],
        "introspection_endpoint_auth_methods_supported": [m for m in AUTH_METHODS if m != "none"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": list(SUPPORTED_CLAIMS),
        "claims_parameter_supported": True,
        "request_parameter_supported": True,
        "request_object_signing_alg_values_supported": list(REQUEST_OBJECT_ALGS),
        "request_uri_parameter_supported": False,
        "acr_values_supported": ["urn:nixa:loa:1", "urn:nixa:loa:2", "urn:nixa:loa:3"],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "ui_locales_supported": ["vi", "en"],
        "claims_locales_supported": ["vi"],
        "authorization_response_iss_parameter_supported": True,
        # OpenID Connect for Identity Assurance 1.0 Section 9 (see idp/oauth/verified_claims.py).
        "verified_claims_supported": True,
        "trust_frameworks_supported": [TRUST_FRAMEWORK],
        "evidence_supported": ["document"],
        "documents_supported": ["idcard"],
        "documents_check_methods_supported": ["vri", "pvr"],
        "claims_in_verified_claims_supported": list(VERIFIABLE_CLAIMS),
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "frontchannel_logout_supported": True,
        "frontchannel_logout_session_supported": True,
    }
