"""Proof of possession of the holder key, OpenID4VCI 1.0 Appendix F.1 (``jwt`` proof type) and F.4.

The key in the proof's ``jwk`` header is the key the credential is bound to (``cnf``), so the wallet
must prove it holds its private half, for this issuer, recently, with a nonce we issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, OKPKey
from sqlalchemy.orm import Session

from wallet.sd_jwt.errors import SdJwtError
from wallet.sd_jwt.verification import unverified_jwt
from wallet.vci.errors import InvalidNonce, InvalidProof
from wallet.vci.metadata import PROOF_ALGS
from wallet.vci.nonces import NonceStore

PROOF_TYP = "openid4vci-proof+jwt"
HolderPublicKey = ECKey | OKPKey


@dataclass(frozen=True)
class ProvenKey:
    key: HolderPublicKey

    @property
    def public_jwk(self) -> dict[str, Any]:
        return dict(self.key.as_dict(private=False))

    @property
    def thumbprint(self) -> str:
        return str(self.key.thumbprint())


def _header_key(header: dict[str, Any]) -> HolderPublicKey:
    # Appendix F.1: the key is given by exactly one of kid, jwk or x5c; we bind to a bare jwk only.
    if "kid" in header or "x5c" in header or not isinstance(header.get("jwk"), dict):
        raise InvalidProof("the proof must carry the holder public key as jwk")
    jwk = header["jwk"]
    # Appendix F.1: the jwk MUST NOT contain a private key.
    if any(m in jwk for m in ("d", "p", "q", "k")):
        raise InvalidProof("the proof's jwk contains private key material")
    try:
        key = JWKRegistry.import_key(jwk)
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise InvalidProof("the proof's jwk is not a valid key") from exc
    if not isinstance(key, ECKey | OKPKey):
        raise InvalidProof("the proof key type is not supported")
    return key


def verify_proof(
    s: Session,
    proof: Any,
    *,
    audience: str,
    client_id: str | None,
    nonces: NonceStore,
    now: int,
    max_age: int,
) -> ProvenKey:
    if not isinstance(proof, str):
        raise InvalidProof("the proof is not a compact JWT")
    try:
        header, _ = unverified_jwt(proof)
    except SdJwtError as exc:
        raise InvalidProof("the proof is not a compact JWT") from exc
    # Appendix F.1: typ MUST be openid4vci-proof+jwt; alg MUST NOT be none or a MAC.
    if header.get("typ") != PROOF_TYP:
        raise InvalidProof("the proof typ must be openid4vci-proof+jwt")
    if header.get("alg") not in PROOF_ALGS:
        raise InvalidProof("the proof algorithm is not supported")
    key = _header_key(header)
    try:
        claims = dict(jwt.decode(proof, key, algorithms=list(PROOF_ALGS)).claims)
    except (JoseError, ValueError) as exc:
        raise InvalidProof("the proof signature does not verify") from exc
    _check_claims(claims, audience=audience, now=now, max_age=max_age)
    _check_issuer(claims, client_id)
    # Appendix F.4: the nonce MUST be one the issuer provided, and (Section 7) used only once.
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonces.consume(s, nonce):
        raise InvalidNonce("the proof's nonce is missing, unknown, expired or already used")
    return ProvenKey(key)


def _check_issuer(claims: dict[str, Any], client_id: str | None) -> None:
    # Appendix F.1: iss is the client_id of the wallet; it MUST be omitted when the access token came from
    # a Pre-Authorized Code without client authentication (anonymous access).
    if "iss" not in claims:
        return
    if client_id is None or claims["iss"] != client_id:
        raise InvalidProof("the proof's iss is not this wallet's client_id")


def _check_claims(claims: dict[str, Any], *, audience: str, now: int, max_age: int) -> None:
    # Appendix F.1: aud MUST be the Credential Issuer Identifier.
    aud = claims.get("aud")
    if aud != audience and not (isinstance(aud, list) and audience in aud):
        raise InvalidProof("the proof is for another credential issuer")
    # Appendix F.4: iat within an acceptable window (not too old, not from the future).
    iat = claims.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool) or not (now - max_age <= iat <= now + 60):
        raise InvalidProof("the proof is too old or from the future")
