"""Grants and authorization codes: creation, single use, and revocation of everything a grant issued."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session

from idp.crypto import new_token, sha256_hex
from idp.db import utcnow
from idp.models import AuthorizationCode, Grant, IssuedAccessToken, RefreshToken
from idp.oauth.authorize import AuthorizationRequest
from idp.sessions import ActiveSession

_NEW_REFRESH = insert(cast(Table, RefreshToken.__table__))
_NEW_GRANT = insert(cast(Table, Grant.__table__))
_NEW_CODE = insert(cast(Table, AuthorizationCode.__table__))


def create_grant(s: Session, request: AuthorizationRequest, session: ActiveSession) -> str:
    """Record what the person authorised and return the grant's id. A Core insert on the session's
    connection (after any pending rows, such as a session created in this unit of work): on the path of
    every login, where the ORM's unit of work costs more than the insert."""
    grant_id = str(uuid.uuid4())
    s.flush()
    s.connection().execute(
        _NEW_GRANT,
        {
            "id": grant_id,
            "client_id": request.client_id,
            "identity_id": session.identity.id,
            "sid": session.row.sid,
            "scope": " ".join(request.scope),
            "claims": request.claims,
            "auth_time": session.row.auth_time,
            "acr": session.effective_acr,
            "amr": list(session.row.amr),
            "created_at": utcnow(),
            "revoked_at": None,
            "revoked_reason": None,
        },
    )
    return grant_id


def create_code(s: Session, grant_id: str, request: AuthorizationRequest, ttl: int) -> str:
    code = new_token(32)
    s.connection().execute(
        _NEW_CODE,
        {
            "code_hash": sha256_hex(code),
            "grant_id": grant_id,
            "client_id": request.client_id,
            "redirect_uri": request.redirect_uri,
            "code_challenge": request.code_challenge,
            "nonce": request.nonce,
            "expires_at": utcnow() + timedelta(seconds=ttl),
            "used_at": None,
        },
    )
    return code


_CODES = cast(Table, AuthorizationCode.__table__)
# Spend a code only if it is unused, and hand back what the token endpoint checks, in one statement.
_CONSUME = (
    update(_CODES)
    .where(_CODES.c.code_hash == bindparam("spent_hash"), _CODES.c.used_at.is_(None))
    .values(used_at=bindparam("spent_at"))
)
_CONSUME_RETURNING = _CONSUME.returning(
    _CODES.c.grant_id,
    _CODES.c.client_id,
    _CODES.c.redirect_uri,
    _CODES.c.code_challenge,
    _CODES.c.nonce,
    _CODES.c.expires_at,
)


@dataclass(frozen=True)
class RedeemedCode:
    """What the token endpoint checks of an authorization code."""

    grant_id: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    expires_at: datetime


def consume_code(s: Session, code: str) -> tuple[RedeemedCode | None, bool]:
    """Returns the code's record and whether this call consumed it.

    The conditional UPDATE is the single-use guarantee: of any number of concurrent redemptions the
    database lets exactly one change ``used_at`` from NULL (RFC 6749 Section 4.1.2: MUST NOT be used more
    than once).
    """
    code_hash = sha256_hex(code)
    params = {"spent_hash": code_hash, "spent_at": utcnow()}
    conn = s.connection()
    if conn.dialect.update_returning:
        # UPDATE ... RETURNING (PostgreSQL; SQLite 3.35+): the winner gets the row from the same statement.
        won = conn.execute(_CONSUME_RETURNING, params).first()
        if won is not None:
            return RedeemedCode(**won._mapping), True
        consumed = False
    else:
        consumed = conn.execute(_CONSUME, params).rowcount == 1
    # Without RETURNING, or unknown or already used (the caller tells those apart: a reused code revokes
    # its grant): the row is read.
    row = s.get(AuthorizationCode, code_hash)
    if row is None:
        return None, False
    record = RedeemedCode(
        row.grant_id, row.client_id, row.redirect_uri, row.code_challenge, row.nonce, row.expires_at
    )
    return record, consumed


def revoke_grant(s: Session, grant_id: str, reason: str) -> None:
    """Revoke the grant and every access and refresh token issued under it."""
    now = utcnow()
    # The refresh tokens are locked before the grant. A refresh that lost the race for its token may
    # already hold that token's row lock (PostgreSQL keeps the lock its UPDATE took while re-checking the
    # row the winner had changed) when it finds the reuse and revokes here. Locking the grant first, two
    # such revocations waited on each other: one held the grant and wanted the token, the other the
    # reverse (seen as a deadlock among 20 concurrent refreshes of one token).
    s.execute(
        update(RefreshToken)
        .where(RefreshToken.grant_id == grant_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    s.execute(
        update(Grant)
        .where(Grant.id == grant_id, Grant.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
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
