"""Signing keys behind a key-manager interface.

Life cycle per algorithm: ``next`` -> ``current`` -> ``retired``. A key is published in the JWKS while it
is ``next`` so that relying parties have it cached before it signs anything; a retired key stays published
until every token it signed has expired (``unpublish_after``). Private keys are stored only sealed with
AES-GCM under the key-encryption secrets (the first seals, all open).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from joserfc.jwk import ECKey, KeySet, RSAKey
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import Sealer, new_token
from idp.db import Database, utcnow
from idp.models import SigningKey

SUPPORTED_ALGS = ("ES256", "RS256")
SigningJWK = ECKey | RSAKey


@dataclass(frozen=True)
class KeyInfo:
    kid: str
    alg: str
    state: str
    created_at: datetime
    activated_at: datetime | None
    retired_at: datetime | None
    unpublish_after: datetime | None


class KeyManager(Protocol):
    def signing_key(self, alg: str) -> SigningJWK: ...
    def public_jwks(self) -> dict[str, Any]: ...
    def verification_keys(self) -> KeySet: ...
    def rotate(self, *, actor: str, alg: str | None = None, reason: str | None = None) -> list[str]: ...
    def list_keys(self) -> list[KeyInfo]: ...


def _generate(alg: str, kid: str, rsa_bits: int = 3072) -> SigningJWK:
    params: Any = {"kid": kid, "use": "sig", "alg": alg}
    if alg == "ES256":
        return ECKey.generate_key("P-256", parameters=params, private=True)
    if alg == "RS256":
        return RSAKey.generate_key(rsa_bits, parameters=params, private=True)
    raise ValueError(f"unsupported signing algorithm {alg}")


def _import(alg: str, data: dict[str, Any]) -> SigningJWK:
    return ECKey.import_key(data) if alg == "ES256" else RSAKey.import_key(data)


class SoftwareKeyManager:
    """Keys in the database, private halves sealed by ``Sealer``; short in-process cache."""

    CACHE_SECONDS = 10.0

    def __init__(self, db: Database, sealer: Sealer, max_token_ttl: int, rsa_bits: int = 3072) -> None:
        self._rsa_bits = rsa_bits
        self._db = db
        self._sealer = sealer
        self._max_ttl = timedelta(seconds=max_token_ttl)
        self._lock = threading.Lock()
        self._cache: dict[str, Any] = {}
        self._cache_at = 0.0
        # Private keys already opened, by kid: unsealing and importing (RSA validation) happens once per key.
        self._private: dict[str, SigningJWK] = {}

    # -- life cycle ---------------------------------------------------------------------------------
    def ensure_keys(self) -> None:
        """At start: every algorithm has a current and a next key."""
        with self._db.session() as s:
            for alg in SUPPORTED_ALGS:
                states = set(s.scalars(select(SigningKey.state).where(SigningKey.alg == alg)).all())
                if "current" not in states:
                    self._create(s, alg, "current", actor="system")
                if "next" not in states:
                    self._create(s, alg, "next", actor="system")
        self._invalidate()

    def rotate(self, *, actor: str, alg: str | None = None, reason: str | None = None) -> list[str]:
        """Promote next to current, retire current, and create a new next. Returns the new current kids."""
        promoted: list[str] = []
        now = utcnow()
        with self._db.session() as s:
            for a in [alg] if alg else list(SUPPORTED_ALGS):
                keys = {
                    k.state: k
                    for k in s.scalars(
                        select(SigningKey)
                        .where(SigningKey.alg == a, SigningKey.state.in_(["current", "next"]))
                        .with_for_update()
                    )
                }
                nxt = keys.get("next") or self._create(s, a, "next", actor=actor)
                if cur := keys.get("current"):
                    cur.state, cur.retired_at = "retired", now
                    cur.unpublish_after = now + self._max_ttl
                nxt.state, nxt.activated_at = "current", now
                self._create(s, a, "next", actor=actor)
                audit.record(
                    s,
                    audit.AuditEvent.KEY_ROTATED,
                    actor=actor,
                    data={
                        "alg": a,
                        "current": nxt.kid,
                        "retired": cur.kid if cur else None,
                        **({"reason": reason} if reason else {}),
                    },
                )
                promoted.append(nxt.kid)
        self._invalidate()
        return promoted

    def retire(self, kid: str, *, actor: str, reason: str) -> bool:
        """Withdraw a retired key from the JWKS now instead of at ``unpublish_after`` (e.g. it leaked):
        tokens it signed stop verifying. A current or next key is rotated out first, never retired here,
        so that there is always a key to sign with. Returns False for an unknown or active key."""
        now = utcnow()
        with self._db.session() as s:
            row = s.get(SigningKey, kid, with_for_update=True)
            if row is None or row.state != "retired":
                return False
            row.unpublish_after = min(row.unpublish_after or now, now)
            audit.record(
                s,
                audit.AuditEvent.KEY_RETIRED,
                actor=actor,
                data={"kid": kid, "alg": row.alg, "reason": reason},
            )
        self._invalidate()
        return True

    def _create(self, s: Session, alg: str, state: str, *, actor: str) -> SigningKey:
        kid = f"{alg.lower()}-{new_token(12)}"
        key = _generate(alg, kid, self._rsa_bits)
        row = SigningKey(
            kid=kid,
            alg=alg,
            state=state,
            public_jwk=key.as_dict(private=False),
            private_enc=self._sealer.seal(json.dumps(key.as_dict(private=True)).encode(), kid.encode()),
            kek_id=self._sealer.current_id,
            activated_at=utcnow() if state == "current" else None,
        )
        s.add(row)
        s.flush()
        audit.record(
            s, audit.AuditEvent.KEY_CREATED, actor=actor, data={"kid": kid, "alg": alg, "state": state}
        )
        return row

    # -- reading ------------------------------------------------------------------------------------
    def _invalidate(self) -> None:
        with self._lock:
            self._cache, self._cache_at = {}, 0.0

    def _load(self) -> dict[str, Any]:
        with self._lock:
            if self._cache and time.monotonic() - self._cache_at < self.CACHE_SECONDS:
                return self._cache
        now = utcnow()
        with self._db.read_session() as s:
            rows = s.scalars(
                select(SigningKey)
                .where(or_(SigningKey.state.in_(["next", "current"]), SigningKey.unpublish_after > now))
                .order_by(SigningKey.created_at)
            ).all()
            published = [dict(r.public_jwk) for r in rows]
            # The sealed private halves only: each is opened when its algorithm first signs (an RSA key's
            # import, with its validation, takes a good part of a second; most portals only use ES256).
            signing = {r.alg: (r.kid, r.private_enc) for r in rows if r.state == "current"}
        cache = {
            "jwks": {"keys": published},
            "signing": signing,
            "keyset": KeySet.import_key_set({"keys": published}),
        }
        with self._lock:
            self._cache, self._cache_at = cache, time.monotonic()
        return cache

    def _private_key(self, alg: str, kid: str, sealed: bytes) -> SigningJWK:
        key = self._private.get(kid)
        if key is None:
            key = _import(alg, json.loads(self._sealer.open(sealed, kid.encode())))
            self._private[kid] = key
        return key

    def signing_key(self, alg: str) -> SigningJWK:
        try:
            kid, sealed = self._load()["signing"][alg]
        except KeyError:
            raise LookupError(f"no current signing key for {alg}") from None
        return self._private_key(alg, kid, sealed)

    def public_jwks(self) -> dict[str, Any]:
        jwks: dict[str, Any] = self._load()["jwks"]
        return jwks

    def verification_keys(self) -> KeySet:
        keyset: KeySet = self._load()["keyset"]
        return keyset

    def list_keys(self) -> list[KeyInfo]:
        with self._db.read_session() as s:
            return [
                KeyInfo(r.kid, r.alg, r.state, r.created_at, r.activated_at, r.retired_at, r.unpublish_after)
                for r in s.scalars(select(SigningKey).order_by(SigningKey.alg, SigningKey.created_at))
            ]
