"""The signed Authorization Request for a presentation, OpenID4VP 1.0 Sections 5 and 5.10 (request_uri).

The QR carries only ``client_id`` and ``request_uri`` (Section 5.10); the wallet fetches the Request Object,
a JWT of type ``oauth-authz-req+jwt`` (RFC 9101 Section 10.8) signed with the key of the certificate in
``x5c`` whose hash is the client_id (Section 5.9.3, x509_hash).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from joserfc import jwt

from wallet.vp.verifier_key import VerifierIdentity

REQUEST_TYP = "oauth-authz-req+jwt"
WALLET_SCHEME = "openid4vp://"
# Section 5.8: with static wallet metadata the aud of the Request Object MUST be this value.
STATIC_AUDIENCE = "https://self-issued.me/v2"


def request_object(
    verifier: VerifierIdentity,
    *,
    response_uri: str,
    nonce: str,
    state: str,
    dcql_query: dict[str, Any],
    iat: int,
    exp: int,
    requested_by: str | None,
) -> str:
    claims: dict[str, Any] = {
        "iss": verifier.client_id,
        "aud": STATIC_AUDIENCE,
        "client_id": verifier.client_id,
        "response_type": "vp_token",
        # Section 8.2: direct_post sends the response to response_uri, never through the browser.
        "response_mode": "direct_post",
        "response_uri": response_uri,
        "nonce": nonce,
        "state": state,
        "dcql_query": dcql_query,
        "client_metadata": {
            "vp_formats_supported": {
                "dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256", "EdDSA"]}
            },
            "client_name": "NIXA" if requested_by is None else f"NIXA — {requested_by}",
        },
        "iat": iat,
        "exp": exp,
    }
    header = {"alg": "ES256", "typ": REQUEST_TYP, "x5c": verifier.x5c}
    return jwt.encode(header, claims, verifier.key)


def wallet_uri(client_id: str, request_uri: str) -> str:
    """Section 5.10: what the QR shows."""
    return WALLET_SCHEME + "?" + urlencode({"client_id": client_id, "request_uri": request_uri})
