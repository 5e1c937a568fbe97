"""Federation keys of the entities NIXA runs, with the life cycle of the OP's signing keys (``idp.keys``):
``next`` is published before it signs, so verifiers have it when it becomes ``current``; a ``retired`` key
stays published until every statement it signed has expired. Private halves are sealed at rest.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

from joserfc.jwk import ECKey
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from federation.openid_federation.errors import NotFound
from federation.openid_federation.models import FederationKey
from idp.crypto import Sealer, new_token
from idp.db import utcnow


def generate_key() -> ECKey:
    return ECKey.generate_key(
        "P-256", parameters={"kid": f"fed-{new_token(12)}", "use": "sig", "alg": "ES256"}, private=True
    )


class FederationKeys:
    def __init__(self, sealer: Sealer, retired_publication: int) -> None:
        self.sealer = sealer
        self.retired_publication = timedelta(seconds=retired_publication)
        self._opened: dict[str, ECKey] = {}
        self._lock = threading.Lock()

    def _context(self, kid: str, entity_id: str) -> bytes:
        return f"{entity_id}\x1f{kid}".encode()

    def _new(self, s: Session, entity_id: str, state: str) -> FederationKey:
        key = generate_key()
        kid = key.kid or ""
        sealed = self.sealer.seal(
            json.dumps(key.as_dict(private=True)).encode(), self._context(kid, entity_id)
        )
        row = FederationKey(
            kid=kid,
            entity_id=entity_id,
            state=state,
            public_jwk=key.as_dict(private=False),
            private_enc=sealed,
            kek_id=self.sealer.current_id,
        )
        s.add(row)
        s.flush()
        return row

    def create(self, s: Session, entity_id: str) -> None:
        """A new entity's keys: one that signs now and the next one, already published."""
        self._new(s, entity_id, "current")
        self._new(s, entity_id, "next")

    def signing_key(self, s: Session, entity_id: str) -> ECKey:
        row = s.scalar(
            select(FederationKey).where(
                FederationKey.entity_id == entity_id, FederationKey.state == "current"
            )
        )
        if row is None:
            raise NotFound("this entity has no federation key")
        with self._lock:
            key = self._opened.get(row.kid)
        if key is None:
            key = ECKey.import_key(
                json.loads(self.sealer.open(row.private_enc, self._context(row.kid, entity_id)))
            )
            with self._lock:
                self._opened[row.kid] = key
        return key

    def published(self, s: Session, entity_id: str) -> dict[str, Any]:
        """The entity's JWKS: current, next, and retired keys whose statements may still be in use."""
        rows = s.scalars(
            select(FederationKey)
            .where(
                FederationKey.entity_id == entity_id,
                or_(FederationKey.state.in_(["current", "next"]), FederationKey.unpublish_after > utcnow()),
            )
            .order_by(FederationKey.created_at)
        )
        return {"keys": [dict(r.public_jwk) for r in rows]}

    def retired(self, s: Session, entity_id: str) -> list[dict[str, Any]]:
        """Section 8.7: keys no longer used to sign, each with the time after which it verifies nothing."""
        rows = s.scalars(
            select(FederationKey)
            .where(FederationKey.entity_id == entity_id, FederationKey.state == "retired")
            .order_by(FederationKey.created_at)
        )
        return [
            {**r.public_jwk, "iat": int(r.created_at.timestamp()), "exp": int(r.unpublish_after.timestamp())}
            for r in rows
            if r.unpublish_after is not None
        ]

    def rotate(self, s: Session, entity_id: str) -> str:
        """Promote next to current, retire current, create a new next; returns the new current kid."""
        rows = {
            r.state: r
            for r in s.scalars(
                select(FederationKey)
                .where(FederationKey.entity_id == entity_id, FederationKey.state.in_(["current", "next"]))
                .with_for_update()
            )
        }
        if "current" not in rows:
            raise NotFound("this entity has no federation key")
        promoted = rows.get("next") or self._new(s, entity_id, "next")
        rows["current"].state = "retired"
        rows["current"].unpublish_after = utcnow() + self.retired_publication
        promoted.state = "current"
        s.flush()
        self._new(s, entity_id, "next")
        return promoted.kid
