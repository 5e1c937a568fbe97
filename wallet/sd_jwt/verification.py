"""Verifying an SD-JWT and its Key Binding, RFC 9901 Sections 7.1 and 7.3."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, OKPKey, RSAKey

from wallet.sd_jwt.disclosures import SD_ALG, Disclosure, b64url_decode, digest
from wallet.sd_jwt.errors import SdJwtError
from wallet.sd_jwt.parsing import SdJwtParts, split

KB_JWT_TYP = "kb+jwt"
# Asymmetric algorithms only: RFC 9901 Section 4.1 says "none" MUST NOT be used; MACs cannot prove issuance.
ALGORITHMS = ["ES256", "ES384", "ES512", "EdDSA", "RS256", "PS256"]
PublicKey = ECKey | RSAKey | OKPKey
KeyResolver = Callable[[dict[str, Any], dict[str, Any]], PublicKey]


@dataclass(frozen=True)
class VerifiedSdJwt:
    header: dict[str, Any]
    claims: dict[str, Any]  # the processed payload: disclosed claims in place, _sd and _sd_alg removed
    disclosed: list[str] = field(default_factory=list)  # names of the claims the holder disclosed
    key_binding: dict[str, Any] | None = None


def unverified_jwt(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of a compact JWS before its signature is checked (to find the key)."""
    try:
        header_b64, payload_b64, _ = token.split(".")
        header, payload = json.loads(b64url_decode(header_b64)), json.loads(b64url_decode(payload_b64))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SdJwtError("malformed", "the JWT is not valid compact JWS") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise SdJwtError("malformed", "the JWT header or payload is not a JSON object")
    return header, payload


def _verify_signature(token: str, key: PublicKey) -> dict[str, Any]:
    try:
        decoded = jwt.decode(token, key, algorithms=ALGORITHMS)
    except (JoseError, ValueError) as exc:
        raise SdJwtError("invalid_signature", "the signature does not verify") from exc
    return dict(decoded.claims)


def verify_sd_jwt(serialised: str, resolve_key: KeyResolver, *, typ: str | None = None) -> VerifiedSdJwt:
    """RFC 9901 Section 7.1: signature, then the disclosures replaced into the payload."""
    parts = split(serialised)
    return _verify_issuer_part(parts, resolve_key, typ)


def _verify_issuer_part(parts: SdJwtParts, resolve_key: KeyResolver, typ: str | None) -> VerifiedSdJwt:
    header, unverified = unverified_jwt(parts.issuer_jwt)
    if header.get("alg") not in ALGORITHMS:
        # RFC 9901 Section 7.1 step 2.2: the none algorithm MUST NOT be accepted.
        raise SdJwtError("invalid_signature", "the signing algorithm is not accepted")
    if typ is not None and header.get("typ") != typ:
        raise SdJwtError("wrong_type", "the SD-JWT is not of the expected type")
    payload = _verify_signature(parts.issuer_jwt, resolve_key(header, unverified))
    # RFC 9901 Section 7.1 step 3.1: an unsupported _sd_alg MUST lead to rejection.
    if payload.get("_sd_alg", SD_ALG) != SD_ALG:
        raise SdJwtError("unsupported_sd_alg", "the digest algorithm is not supported")
    processed, disclosed = _process(payload, parts.disclosures)
    return VerifiedSdJwt(header=header, claims=processed, disclosed=disclosed)


def _process(payload: dict[str, Any], disclosures: list[Disclosure]) -> tuple[dict[str, Any], list[str]]:
    by_digest: dict[str, Disclosure] = {}
    for d in disclosures:
        if d.digest in by_digest:
            raise SdJwtError("duplicate_disclosure", "the same disclosure is sent twice")
        by_digest[d.digest] = d
    state = _Walk(by_digest)
    out = state.value(payload)
    out.pop("_sd_alg", None)
    # RFC 9901 Section 7.1 step 5: a Disclosure that is not referenced by any digest MUST be rejected.
    if unused := set(by_digest) - state.used:
        raise SdJwtError("unreferenced_disclosure", f"{len(unused)} disclosure(s) match no digest")
    return out, state.disclosed_names


class _Walk:
    """Replaces digests by their disclosed values, recursively (RFC 9901 Section 7.1 step 3)."""

    def __init__(self, by_digest: dict[str, Disclosure]) -> None:
        self.by_digest = by_digest
        self.seen: set[str] = set()
        self.used: set[str] = set()
        self.disclosed_names: list[str] = []

    def _claim(self, d: str) -> Disclosure | None:
        if not isinstance(d, str):
            raise SdJwtError("malformed", "a digest is not a string")
        # RFC 9901 Section 7.1 step 4: a digest appearing more than once MUST lead to rejection.
        if d in self.seen:
            raise SdJwtError("duplicate_digest", "a digest appears more than once")
        self.seen.add(d)
        found = self.by_digest.get(d)
        if found is not None:
            self.used.add(d)
        return found

    def value(self, node: Any) -> Any:
        if isinstance(node, dict):
            return self._object(node)
        if isinstance(node, list):
            return self._array(node)
        return node

    def _object(self, node: dict[str, Any]) -> dict[str, Any]:
        out = {k: self.value(v) for k, v in node.items() if k != "_sd"}
        sd = node.get("_sd", [])
        if not isinstance(sd, list):
            raise SdJwtError("malformed", "_sd is not an array")
        for d in sd:
            disclosure = self._claim(d)
            if disclosure is None:
                continue  # a decoy or an undisclosed claim
            if disclosure.name is None:
                raise SdJwtError("malformed_disclosure", "an array-element disclosure is used for a claim")
            # RFC 9901 Section 7.1 step 3.2.2.3: a claim name already in the object MUST lead to rejection.
            if disclosure.name in out:
                raise SdJwtError("claim_clash", "a disclosed claim name is already present")
            out[disclosure.name] = self.value(disclosure.value)
            self.disclosed_names.append(disclosure.name)
        return out

    def _array(self, node: list[Any]) -> list[Any]:
        out: list[Any] = []
        for element in node:
            if isinstance(element, dict) and "..." in element:
                if len(element) != 1:
                    raise SdJwtError("malformed", "an array digest object has other members")
                disclosure = self._claim(element["..."])
                if disclosure is None:
                    continue
                if disclosure.name is not None:
                    raise SdJwtError("malformed_disclosure", "a claim disclosure is used for an element")
                out.append(self.value(disclosure.value))
            else:
                out.append(self.value(element))
        return out


def holder_key(claims: dict[str, Any]) -> PublicKey:
    """SD-JWT VC / RFC 7800: the holder's public key is in ``cnf.jwk``."""
    jwk = (claims.get("cnf") or {}).get("jwk") if isinstance(claims.get("cnf"), dict) else None
    if not isinstance(jwk, dict) or "d" in jwk:
        raise SdJwtError("no_holder_key", "the credential is not bound to a holder public key")
    try:
        key = JWKRegistry.import_key(jwk)
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise SdJwtError("no_holder_key", "the holder key in cnf is invalid") from exc
    if not isinstance(key, ECKey | RSAKey | OKPKey):
        raise SdJwtError("no_holder_key", "the holder key in cnf is not an asymmetric key")
    return key


def verify_presentation(
    serialised: str,
    resolve_key: KeyResolver,
    *,
    audience: str,
    nonce: str,
    now: int,
    max_age: int = 300,
    typ: str | None = None,
) -> VerifiedSdJwt:
    """RFC 9901 Section 7.3: the SD-JWT, then its Key Binding JWT signed by the key in ``cnf``."""
    parts = split(serialised)
    verified = _verify_issuer_part(parts, resolve_key, typ)
    # RFC 9901 Section 7.3 step 4: if Key Binding is required and no KB-JWT is present, reject.
    if parts.kb_jwt is None:
        raise SdJwtError("missing_key_binding", "the presentation has no key binding JWT")
    kb_header, _ = unverified_jwt(parts.kb_jwt)
    # RFC 9901 Section 4.3: the KB-JWT typ MUST be kb+jwt.
    if kb_header.get("typ") != KB_JWT_TYP or kb_header.get("alg") not in ALGORITHMS:
        raise SdJwtError("invalid_key_binding", "the key binding JWT has the wrong type or algorithm")
    kb = _verify_signature(parts.kb_jwt, holder_key(verified.claims))
    _check_kb_claims(kb, parts, audience=audience, nonce=nonce, now=now, max_age=max_age)
    return VerifiedSdJwt(verified.header, verified.claims, verified.disclosed, kb)


def _check_kb_claims(
    kb: dict[str, Any], parts: SdJwtParts, *, audience: str, nonce: str, now: int, max_age: int
) -> None:
    # RFC 9901 Section 7.3 step 5.4-5.5: nonce and aud MUST match what the verifier expects.
    if not isinstance(kb.get("nonce"), str) or not _equal(kb["nonce"], nonce):
        raise SdJwtError("wrong_nonce", "the key binding JWT is for another nonce")
    if kb.get("aud") != audience:
        raise SdJwtError("wrong_audience", "the key binding JWT is for another verifier")
    iat = kb.get("iat")
    # RFC 9901 Section 7.3 step 5.3: iat within an acceptable window.
    if not isinstance(iat, int) or isinstance(iat, bool) or not (now - max_age <= iat <= now + 60):
        raise SdJwtError("stale_key_binding", "the key binding JWT is too old or from the future")
    # RFC 9901 Section 7.3 step 5.6: sd_hash MUST be the digest of the presented SD-JWT.
    if not isinstance(kb.get("sd_hash"), str) or not _equal(kb["sd_hash"], digest(parts.without_kb)):
        raise SdJwtError("wrong_sd_hash", "the key binding JWT does not cover these disclosures")


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
