"""The Relying Party side of the Token Status List: fetch a Status List Token, check it, read one status.

draft-ietf-oauth-status-list Section 8: the token's signature is checked with the issuer's key, its ``sub``
MUST equal the URI it was fetched from (Section 8.3 step 2), it must not be expired, and the status is
read at the Referenced Token's index. Tokens are cached until their ``ttl`` (or ``exp``) runs out, so a
verifier that goes offline keeps using the last one it had until it expires.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from wallet import cose
from wallet.status_list import bits as bitarray
from wallet.status_list.service import CWT_STATUS_LIST, CWT_TTL, CWT_TYP, JWT_TYP

MAX_TOKEN_BYTES = 4 * 1024 * 1024


class StatusUnavailable(Exception):
    """The status could not be established: no usable, correctly signed and unexpired status list."""


@dataclass(frozen=True)
class StatusListToken:
    uri: str
    bits: int
    array: bytes
    expires_at: float | None
    fetched_at: float
    ttl: int | None

    def status(self, idx: int) -> int:
        try:
            return bitarray.status_at(self.array, idx, self.bits)
        except bitarray.MalformedStatusList as exc:
            raise StatusUnavailable(str(exc)) from exc

    def fresh(self, now: float) -> bool:
        if self.expires_at is not None and now >= self.expires_at:
            return False
        return self.ttl is None or now < self.fetched_at + self.ttl

    def usable(self, now: float) -> bool:
        return self.expires_at is None or now < self.expires_at


def _b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


Jwks = list[dict[str, Any]]


def _signing_key(token: str, jwks: Jwks) -> ECKey:
    """The key named by the token's kid; a key given without a kid (trusted directly) matches any."""
    try:
        header = json.loads(
            base64.urlsafe_b64decode(token.split(".")[0] + "=" * (-len(token.split(".")[0]) % 4))
        )
    except ValueError as exc:
        raise StatusUnavailable("status list token is not a JWT") from exc
    kid = header.get("kid") if isinstance(header, dict) else None
    for jwk in jwks:
        if jwk.get("kid") in (None, kid) and jwk.get("kty") == "EC":
            try:
                return ECKey.import_key(jwk)
            except (JoseError, ValueError, TypeError):
                continue
    raise StatusUnavailable("status list token signature is not valid (no trusted key)")


def parse_jwt_token(uri: str, token: str, jwks: Jwks, *, now: float) -> StatusListToken:
    try:
        decoded = jwt.decode(token, _signing_key(token, jwks), algorithms=["ES256"])
    except (JoseError, ValueError) as exc:
        raise StatusUnavailable("status list token signature is not valid") from exc
    # Section 5.1: typ MUST be statuslist+jwt.
    if decoded.header.get("typ") != JWT_TYP:
        raise StatusUnavailable("not a status list token")
    claims = decoded.claims
    status_list = claims.get("status_list")
    if not isinstance(status_list, Mapping) or not isinstance(status_list.get("lst"), str):
        raise StatusUnavailable("status list token without a status list")
    try:
        compressed = _b64url_decode(status_list["lst"])
    except ValueError as exc:
        raise StatusUnavailable("status list is not base64url") from exc
    return _checked(
        uri, claims.get("sub"), claims.get("exp"), claims.get("ttl"), status_list, compressed, now
    )


def parse_cwt_token(
    uri: str, token: bytes, public_key: Callable[[str | None], Any], *, now: float
) -> StatusListToken:
    try:
        message = cose.parse_sign1(token)
        claims = cose.decode_claims(message.payload)
    except cose.MalformedCose as exc:
        raise StatusUnavailable("status list token is not a COSE_Sign1 CWT") from exc
    key = public_key(message.kid)
    if not isinstance(key, ec.EllipticCurvePublicKey) or not cose.verify_sign1(message, key):
        raise StatusUnavailable("status list token signature is not valid")
    if message.typ != CWT_TYP:  # Section 5.2: the typ header MUST be application/statuslist+cwt
        raise StatusUnavailable("not a status list token")
    status_list = claims.get(CWT_STATUS_LIST)
    if not isinstance(status_list, Mapping) or not isinstance(status_list.get("lst"), bytes):
        raise StatusUnavailable("status list token without a status list")
    return _checked(
        uri,
        claims.get(cose.CWT_SUB),
        claims.get(cose.CWT_EXP),
        claims.get(CWT_TTL),
        status_list,
        status_list["lst"],
        now,
    )


def _checked(
    uri: str, sub: Any, exp: Any, ttl: Any, status_list: Mapping[str, Any], compressed: bytes, now: float
) -> StatusListToken:
    # Section 8.3: the sub claim MUST equal the uri of the Referenced Token's status claim.
    if sub != uri:
        raise StatusUnavailable("status list token is for another list")
    if exp is not None and (not isinstance(exp, int) or now >= exp):
        raise StatusUnavailable("status list token has expired")
    bits = status_list.get("bits")
    if bits not in bitarray.ALLOWED_BITS:
        raise StatusUnavailable("status list has an unsupported bits value")
    try:
        array = bitarray.inflate(compressed)
    except bitarray.MalformedStatusList as exc:
        raise StatusUnavailable(str(exc)) from exc
    return StatusListToken(
        uri, bits, array, float(exp) if exp else None, now, ttl if isinstance(ttl, int) else None
    )


class StatusListClient:
    """Fetches Status List Tokens over HTTP (JWT form) and caches them in memory and, optionally, on disk."""

    def __init__(
        self,
        keys: Callable[[], Jwks],
        *,
        cache_dir: Path | None = None,
        http: httpx.Client | None = None,
        offline: bool = False,
    ) -> None:
        self._keys = keys
        self._cache_dir = cache_dir
        self._http = http
        self._offline = offline
        self._memory: dict[str, tuple[str, float]] = {}

    def status(self, uri: str, idx: int) -> int:
        return self.token(uri).status(idx)

    def token(self, uri: str) -> StatusListToken:
        now = time.time()
        cached = self._cached(uri, now)
        if cached is not None and (cached.fresh(now) or self._offline):
            return cached
        if self._offline:
            raise StatusUnavailable("no cached status list and offline")
        try:
            raw = self._fetch(uri)
        except (httpx.HTTPError, StatusUnavailable):
            if cached is not None:  # offline now: the last token is good until it expires
                return cached
            raise
        parsed = parse_jwt_token(uri, raw, self._keys(), now=now)
        self._store(uri, raw, now)
        return parsed

    def _fetch(self, uri: str) -> str:
        http = self._http or httpx.Client(timeout=10)
        try:
            resp = http.get(uri, headers={"Accept": "application/statuslist+jwt"})
        finally:
            if self._http is None:
                http.close()
        if resp.status_code != 200 or len(resp.content) > MAX_TOKEN_BYTES:
            raise StatusUnavailable(f"status list fetch answered {resp.status_code}")
        return resp.text.strip()

    def _cached(self, uri: str, now: float) -> StatusListToken | None:
        entry = self._memory.get(uri) or self._from_disk(uri)
        if entry is None:
            return None
        raw, fetched_at = entry
        try:
            token = parse_jwt_token(uri, raw, self._keys(), now=now)
        except StatusUnavailable:
            return None
        return StatusListToken(token.uri, token.bits, token.array, token.expires_at, fetched_at, token.ttl)

    def _disk_file(self) -> Path | None:
        return self._cache_dir / "status-lists.json" if self._cache_dir else None

    def _from_disk(self, uri: str) -> tuple[str, float] | None:
        path = self._disk_file()
        if path is None or not path.exists():
            return None
        try:
            entry = json.loads(path.read_text()).get(uri)
            return (str(entry["token"]), float(entry["fetched_at"])) if entry else None
        except (ValueError, KeyError, TypeError):
            return None

    def _store(self, uri: str, raw: str, now: float) -> None:
        self._memory[uri] = (raw, now)
        path = self._disk_file()
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            data = json.loads(path.read_text()) if path.exists() else {}
        except ValueError:
            data = {}
        data[uri] = {"token": raw, "fetched_at": now}
        path.write_text(json.dumps(data))


def ec_public_key(jwk: dict[str, Any]) -> ec.EllipticCurvePublicKey | None:
    try:
        key = ECKey.import_key(jwk)
    except (JoseError, ValueError, TypeError):
        return None
    public = key.public_key
    return public if isinstance(public, ec.EllipticCurvePublicKey) else None
