"""Trusted issuer keys for verifiers, kept on disk so verification works offline.

An issuer is trusted because the verifier was told so (``--issuer URL`` once, or a key given directly with
``--issuer-key``), never because a QR code names it: the code's ``iss`` only selects among trusted issuers.
Keys are fetched from ``{issuer}/wallet/issuer-keys`` and refreshed at most once a day when online.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from wallet.issuer_keys import ISSUER_KEYS_PATH
from wallet.status_list.client import StatusListClient, StatusUnavailable, ec_public_key

REFRESH_SECONDS = 24 * 3600
MAX_KEYS_BYTES = 256 * 1024


class TrustError(Exception):
    pass


def load_key_file(path: Path) -> dict[str, Any]:
    """An issuer public key as a JWK (JSON) or a PEM public key."""
    data = path.read_bytes()
    if data.lstrip().startswith(b"{"):
        jwk = json.loads(data)
        jwk = jwk["keys"][0] if "keys" in jwk else jwk
    else:
        try:
            jwk = ECKey.import_key(data).as_dict(private=False)
        except (JoseError, ValueError, TypeError) as exc:
            raise TrustError("the issuer key must be an EC P-256 key (JWK or PEM)") from exc
    if ec_public_key(jwk) is None:
        raise TrustError("the issuer key must be an EC P-256 public key")
    return {k: v for k, v in jwk.items() if k != "d"}


class TrustStore:
    def __init__(
        self,
        cache_dir: Path | None = None,
        *,
        http: httpx.Client | None = None,
        offline: bool = False,
        direct_keys: list[dict[str, Any]] | None = None,
    ) -> None:
        self.cache_dir = cache_dir
        self.http = http
        self.offline = offline
        self.direct_keys = direct_keys or []
        self._issuers: dict[str, dict[str, Any]] = self._load()
        self._status: dict[str, StatusListClient] = {}

    # -- issuers --------------------------------------------------------------------------------------
    def trust(self, issuer: str) -> None:
        """Trust this issuer: fetch its keys now if we have none or they are old, keep them."""
        issuer = issuer.rstrip("/")
        entry = self._issuers.get(issuer)
        if entry is not None and (self.offline or time.time() - entry["fetched_at"] < REFRESH_SECONDS):
            return
        if self.offline:
            raise TrustError(f"no keys kept for {issuer} and offline")
        try:
            keys = self._fetch(issuer)
        except (httpx.HTTPError, TrustError, ValueError):
            if entry is not None:
                return  # unreachable now: the kept keys stay good
            raise
        self._issuers[issuer] = {"keys": keys, "fetched_at": time.time()}
        self._save()

    @property
    def issuers(self) -> list[str]:
        return sorted(self._issuers)

    def _fetch(self, issuer: str) -> list[dict[str, Any]]:
        http = self.http or httpx.Client(timeout=10)
        try:
            resp = http.get(issuer + ISSUER_KEYS_PATH)
        finally:
            if self.http is None:
                http.close()
        if resp.status_code != 200 or len(resp.content) > MAX_KEYS_BYTES:
            raise TrustError(f"issuer keys answered {resp.status_code}")
        doc = resp.json()
        if doc.get("issuer") != issuer or not isinstance(doc.get("keys"), list):
            raise TrustError("issuer keys document is for another issuer")
        return [k for k in doc["keys"] if isinstance(k, dict) and ec_public_key(k) is not None]

    # -- lookups --------------------------------------------------------------------------------------
    def jwks_of(self, issuer: str) -> list[dict[str, Any]]:
        entry = self._issuers.get(issuer.rstrip("/"))
        return [*self.direct_keys, *(entry["keys"] if entry else [])]

    def key_for(self, issuer: str, kid: str | None) -> ec.EllipticCurvePublicKey | None:
        for jwk in self.direct_keys:
            if jwk.get("kid") in (None, kid):
                return ec_public_key(jwk)
        entry = self._issuers.get(issuer.rstrip("/"))
        for jwk in entry["keys"] if entry else []:
            if kid is not None and jwk.get("kid") == kid:
                return ec_public_key(jwk)
        return None

    def keyset(self, issuer: str) -> list[dict[str, Any]]:
        keys = self.jwks_of(issuer)
        if not keys:
            raise StatusUnavailable("no trusted keys for the status list issuer")
        return keys

    def status_of(self, issuer: str, uri: str, idx: int) -> int:
        # The status list must be the issuer's own: a code cannot send the verifier to any address.
        if not uri.startswith(issuer.rstrip("/") + "/"):
            raise StatusUnavailable("the status list is not hosted by the issuer")
        client = self._status.get(issuer)
        if client is None:
            client = StatusListClient(
                lambda: self.keyset(issuer), cache_dir=self.cache_dir, http=self.http, offline=self.offline
            )
            self._status[issuer] = client
        return client.status(uri, idx)

    # -- disk -----------------------------------------------------------------------------------------
    def _file(self) -> Path | None:
        return self.cache_dir / "trusted-issuers.json" if self.cache_dir else None

    def _load(self) -> dict[str, dict[str, Any]]:
        path = self._file()
        if path is None or not path.exists():
            return {}
        try:
            data = json.loads(path.read_text())
        except ValueError:
            return {}
        return {k: v for k, v in data.items() if isinstance(v, dict) and isinstance(v.get("keys"), list)}

    def _save(self) -> None:
        path = self._file()
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self._issuers, indent=1))
