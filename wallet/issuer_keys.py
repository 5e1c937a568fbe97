"""NIXA's published issuer keys for credentials it signs itself (identity QR, status list tokens).

The identity QR is signed with the IdP's current ES256 key, so its ``kid`` is one of the IdP's JWKS. The
IdP stops publishing a retired key once its tokens (minutes) have expired, but an identity QR lives for
weeks: this document keeps every ES256 key that may still have a valid identity QR or status list token
to its name. Served at ``{issuer}/wallet/issuer-keys``; verifiers fetch it once and keep it for offline use.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select

from idp.db import utcnow
from idp.models import SigningKey
from idp.platform import Platform

ISSUER_KEYS_PATH = "/wallet/issuer-keys"
SIGNING_ALG = "ES256"


def issuer_keys(platform: Platform, *, longest_credential_ttl: int) -> dict[str, Any]:
    since = utcnow() - timedelta(seconds=longest_credential_ttl)
    with platform.db.read_session() as s:
        rows = s.scalars(
            select(SigningKey)
            .where(
                SigningKey.alg == SIGNING_ALG,
                or_(SigningKey.state.in_(["next", "current"]), SigningKey.retired_at > since),
            )
            .order_by(SigningKey.created_at)
        ).all()
        return {"issuer": platform.issuer, "keys": [dict(r.public_jwk) for r in rows]}
