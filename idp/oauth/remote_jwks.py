"""A relying party's keys fetched from its ``jwks_uri``, cached and refreshed once on an unknown ``kid``."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
from joserfc.jwk import KeySet

from idp.errors import InvalidClient


class RemoteJwksCache:
    def __init__(self, ttl: float = 300.0, timeout: float = 5.0) -> None:
        self._ttl = ttl
        self._timeout = timeout
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}

    def _fetch(self, uri: str) -> dict[str, Any]:
        try:
            resp = httpx.get(uri, timeout=self._timeout, follow_redirects=False)
            resp.raise_for_status()
            data = resp.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise InvalidClient("the client's jwks_uri could not be read", detail=f"{uri}: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
            raise InvalidClient("the client's jwks_uri did not return a JWK Set")
        with self._lock:
            self._cache[uri] = (time.monotonic(), data)
        return data

    def get(self, uri: str, kid: str | None) -> KeySet:
        with self._lock:
            hit = self._cache.get(uri)
        data = hit[1] if hit and time.monotonic() - hit[0] < self._ttl else self._fetch(uri)
        if kid and not any(k.get("kid") == kid for k in data["keys"]) and hit is not None:
            data = self._fetch(uri)  # the client may have rotated its keys: refresh once
        return KeySet.import_key_set(data)  # type: ignore[arg-type]
