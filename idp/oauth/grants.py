"""Grants and authorization codes: creation, single use, and revocation of everything a grant issued."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import cast

from sqlalchemy import Table, insert, update
from sqlalchemy.orm import Session

from idp.crypto import new_token, sha256_hex
from idp.db import utcnow
from idp.models import AuthorizationCode, Grant, IssuedAccessToken, RefreshToken
from idp.oauth.authorize import AuthorizationRequest
from idp.sessions import ActiveSession

_NEW_REFRESH = insert(cast(Table, RefreshToken.__table__))


def create_grant(s: Session, request: AuthorizationRequest, session: ActiveSession) -> Grant:
    grant = Grant(
        id=str(uuid.uuid4()),
        client_id=request.client_id,
        identity_id=session.identity.id,
        sid=session.row.sid,
        scope=" ".join(request.scope),
        claims=request.claims,
        auth_time=session.row.auth_time,
        acr=session.effective_acr,
        amr=list(session.row.amr),
    )
    s.add(grant)
    s.flush()
    return grant


def create_code(s: Session, grant: Grant, request: AuthorizationRequest, ttl: int) -> str:
    code = new_token(32)
    s.add(
        AuthorizationCode(
            code_hash=sha256_hex(code),
            grant_id=grant.id,
            client_id=request.client_id,
            redirect_uri=request.redirect_uri,
            code_challenge=request.code_challenge,
            nonce=request.nonce,
            expires_at=utcnow() + timedelta(seconds=ttl),
        )
    )
    return code


def consume_code(s: Session, code: str) -> tuple[AuthorizationCode | None, bool]:
    """Returns the code row and whether this call consumed it.

    The conditional UPDATE is the single-use guarantee: of any number of concurrent redemptions the
    database lets exactly one change ``used_at`` from NULL (RFC 6749 Section 4.1.2: MUST NOT be used more
    than once).
    """
    code_hash = sha256_hex(code)
    result = s.execute(
        update(AuthorizationCode)
        .where(AuthorizationCode.code_hash == code_hash, AuthorizationCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    row = s.get(AuthorizationCode, code_hash)
    return row, bool(result.rowcount == 1)  # type: ignore[attr-defined]


def revoke_grant(s: Session, grant_id: str, reason: str) -> None:
    """Revoke the grant and every access and refresh token issued under it."""
    now = utcnow()
    s.execute(
        update(Grant)
        .where(Grant.id == grant_id, Grant.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    s.execute(
        update(RefreshToken)
        .where(RefreshToken.grant_id == grant_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    s.execute(
        update(IssuedAccessToken)
        .where(IssuedAccessToken.grant_id == grant_id, IssuedAccessToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def new_refresh_token(s: Session, grant: Grant, scope: list[str], ttl: int) -> str:
    token, now = new_token(32), utcnow()
    # A Core insert on the session's connection (after any pending rows it refers to): on the path of
    # every code exchange and refresh, where the ORM's unit of work costs more than the insert.
    s.flush()
    s.connection().execute(
        _NEW_REFRESH,
        {
            "token_hash": sha256_hex(token),
            "grant_id": grant.id,
            "client_id": grant.client_id,
            "scope": " ".join(scope),
            "created_at": now,
            "expires_at": now + timedelta(seconds=ttl),
            "rotated_at": None,
            "revoked_at": None,
        },
    )
    return token
