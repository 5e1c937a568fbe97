"""Issuer keys for SD-JWT VCs, SD-JWT VC draft Section 4: ``{iss}/.well-known/jwt-vc-issuer`` names the
JWKS; the key is chosen by the ``kid`` of the credential's header. Only issuers on the trust list count."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey

from wallet.sd_jwt.errors import SdJwtError
from wallet.sd_jwt.verification import PublicKey

CACHE_SECONDS = 300


def well_known_url(issuer: str, name: str) -> str:
    """RFC 8615 placement: the well-known segment goes between the host and the issuer's path."""
    parts = urlsplit(issuer)
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{parts.netloc}/.well-known/{name}{path}"


class IssuerKeys:
    def __init__(self, http: httpx.Client, trusted_issuers: Iterable[str]) -> None:
        self.http = http
        self.trusted = frozenset(trusted_issuers)
        self._cache: dict[str, tuple[float, KeySet]] = {}

    def keyset(self, issuer: str) -> KeySet:
        cached = self._cache.get(issuer)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            meta = self.http.get(well_known_url(issuer, "jwt-vc-issuer")).json()
            # SD-JWT VC Section 4.3: the issuer in the metadata MUST be the credential's iss.
            if not isinstance(meta, dict) or meta.get("issuer") != issuer:
                raise SdJwtError("unknown_issuer", "the issuer metadata is for another issuer")
            jwks = meta.get("jwks") or self.http.get(str(meta["jwks_uri"])).json()
            keyset = KeySet.import_key_set(jwks)
        except (httpx.HTTPError, ValueError, KeyError, TypeError, JoseError) as exc:
            raise SdJwtError("unknown_issuer", "the issuer's keys could not be fetched") from exc
        self._cache[issuer] = (time.monotonic(), keyset)
        return keyset

    def __call__(self, header: dict[str, Any], payload: dict[str, Any]) -> PublicKey:
        issuer = payload.get("iss")
        if not isinstance(issuer, str) or issuer not in self.trusted:
            raise SdJwtError("unknown_issuer", "the credential's issuer is not trusted")
        kid = header.get("kid")
        for key in self.keyset(issuer).keys:
            if key.kid == kid and isinstance(key, ECKey | RSAKey | OKPKey):
                return key
        raise SdJwtError("unknown_issuer", "no published key of the issuer matches the credential's kid")
