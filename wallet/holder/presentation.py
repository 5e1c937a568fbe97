"""Answering OpenID4VP 1.0 requests, the wallet's side.

Scan ``openid4vp://?client_id=...&request_uri=...`` (Section 5.10), fetch and check the signed Request
Object (x509_hash client id, Section 5.9.3), match the DCQL query against the stored credentials (Section
6.4), show the person who asks for what, and on approval post the ``vp_token`` with only the requested
claims disclosed and a Key Binding JWT for this verifier and nonce (Appendix B.3.6) to ``response_uri``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey
from joserfc.jws import JWSRegistry

from wallet.holder.store import StoredCredential, WalletStore
from wallet.sd_jwt.parsing import split
from wallet.sd_jwt.presentation import present
from wallet.sd_jwt.verification import unverified_jwt
from wallet.vp.dcql import CredentialQuery, InvalidQuery, parse_query

REQUEST_TYP = "oauth-authz-req+jwt"
X509_HASH = "x509_hash:"


class _CertificateHeaderRegistry(JWSRegistry):
    # A header carrying an X.509 certificate (x5c) is larger than joserfc's default limit of 512 bytes.
    max_header_length = 8192


_REGISTRY = _CertificateHeaderRegistry(algorithms=["ES256"])


class PresentationError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Match:
    query_id: str
    credential: StoredCredential
    claims: list[str]


@dataclass
class PendingPresentation:
    client_id: str
    verifier_name: str
    trusted: bool
    response_uri: str
    nonce: str
    state: str
    matches: list[Match] = field(default_factory=list)

    @property
    def requested_claims(self) -> list[str]:
        return [c for m in self.matches for c in m.claims]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _verify_request_object(token: str, client_id: str) -> dict[str, Any]:
    header, _ = unverified_jwt(token)
    # RFC 9101 Section 10.8 / OpenID4VP Section 5: the typ of a Request Object.
    if header.get("typ") != REQUEST_TYP or header.get("alg") != "ES256":
        raise PresentationError("request_not_signed")
    x5c = header.get("x5c")
    if not client_id.startswith(X509_HASH) or not isinstance(x5c, list) or not x5c:
        raise PresentationError("unsupported_client_id")
    der = base64.b64decode(x5c[0])
    # Section 5.9.3: the client_id MUST be the base64url SHA-256 hash of the DER leaf certificate.
    if _b64url(hashlib.sha256(der).digest()) != client_id[len(X509_HASH) :]:
        raise PresentationError("certificate_mismatch")
    public_pem = (
        x509.load_der_x509_certificate(der)
        .public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    try:
        claims = dict(jwt.decode(token, ECKey.import_key(public_pem), registry=_REGISTRY).claims)
    except (JoseError, ValueError) as exc:
        raise PresentationError("invalid_request_signature") from exc
    # Section 5.10: the client_id in the request object MUST equal the one in the request URI.
    if claims.get("client_id") != client_id:
        raise PresentationError("client_id_mismatch")
    if claims.get("response_type") != "vp_token" or claims.get("response_mode") != "direct_post":
        raise PresentationError("unsupported_response")
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= int(time.time()):
        raise PresentationError("request_expired")
    return claims


def _disclosable_values(credential: str) -> dict[str, Any]:
    return {d.name: d.value for d in split(credential).disclosures if d.name is not None}


def _vct(credential: str) -> Any:
    return unverified_jwt(credential.split("~", 1)[0])[1].get("vct")


class Presenter:
    def __init__(
        self, store: WalletStore, http: httpx.Client, trusted_verifiers: set[str] | None = None
    ) -> None:
        self.store = store
        self.http = http
        self.trusted_verifiers = trusted_verifiers or set()

    def fetch(self, uri: str) -> PendingPresentation:
        params = {k: v[0] for k, v in parse_qs(urlsplit(uri).query).items()}
        client_id, request_uri = params.get("client_id"), params.get("request_uri")
        if not client_id or not request_uri:
            raise PresentationError("invalid_request_uri")
        resp = self.http.get(request_uri, headers={"Accept": f"application/{REQUEST_TYP}"})
        if resp.status_code != 200:
            raise PresentationError("request_unavailable")
        claims = _verify_request_object(resp.text.strip(), client_id)
        try:
            queries = parse_query(claims.get("dcql_query"))
        except InvalidQuery as exc:
            raise PresentationError("invalid_query") from exc
        name = str((claims.get("client_metadata") or {}).get("client_name") or client_id)
        pending = PendingPresentation(
            client_id=client_id,
            verifier_name=name,
            trusted=client_id in self.trusted_verifiers,
            response_uri=str(claims["response_uri"]),
            nonce=str(claims["nonce"]),
            state=str(claims["state"]),
        )
        pending.matches = [self._match(q) for q in queries]
        return pending

    def _match(self, query: CredentialQuery) -> Match:
        """Section 6.4.1: the first stored credential of the right type that can satisfy an option."""
        for stored in self.store.credentials():
            if _vct(stored.credential) not in query.vct_values:
                continue
            values = _disclosable_values(stored.credential)
            for option in query.claim_names():
                if query.satisfied_by(option, values):
                    return Match(query.id, stored, option)
        raise PresentationError("no_matching_credential")

    def respond(self, pending: PendingPresentation, *, approve: bool = True) -> httpx.Response:
        if not approve:
            # Section 8.5: the wallet tells the verifier the person refused.
            return self.http.post(
                pending.response_uri, data={"error": "access_denied", "state": pending.state}
            )
        key = self.store.holder_key()
        vp_token = {
            m.query_id: [
                present(
                    m.credential.credential,
                    m.claims,
                    key=key,
                    alg="ES256",
                    audience=pending.client_id,
                    nonce=pending.nonce,
                )
            ]
            for m in pending.matches
        }
        return self.http.post(
            pending.response_uri, data={"vp_token": json.dumps(vp_token), "state": pending.state}
        )
