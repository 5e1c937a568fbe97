"""Token endpoint, RFC 6749 Section 3.2: authorization_code, refresh_token and client_credentials grants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, exists, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from idp import audit
from idp.crypto import sha256_hex
from idp.db import utcnow
from idp.errors import InvalidGrant, InvalidRequest, InvalidScope, UnauthorizedClient, UnsupportedGrantType
from idp.identities import IdentityStore
from idp.models import Client, Grant, Identity, RefreshToken
from idp.oauth import pkce
from idp.oauth.claims import id_token_claim_names, person_claims, requested_claim_names
from idp.oauth.grants import consume_code, new_refresh_token, revoke_grant
from idp.oauth.subject import SubjectIdentifiers
from idp.oauth.tokens import TokenSigner
from idp.oauth.verified_claims import verified_claims_for

SUPPORTED_GRANTS = ("authorization_code", "refresh_token", "client_credentials")
_REFRESH = cast(Table, RefreshToken.__table__)
# The token, its grant and the person in one statement, built once: this runs for every refresh.
_REFRESH_ROWS = (
    select(RefreshToken, Grant, Identity)
    .join(Grant, Grant.id == RefreshToken.grant_id)
    .outerjoin(Identity, Identity.id == Grant.identity_id)
    .where(RefreshToken.token_hash == bindparam("spent_hash"))
)
# The grant behind an authorization code and its person, in one statement.
_GRANT_ROWS = (
    select(Grant, Identity)
    .outerjoin(Identity, Identity.id == Grant.identity_id)
    .where(Grant.id == bindparam("grant_id"))
)
# Spend a refresh token only if it is still live: the row count says whether this request won.
_ROTATE = (
    update(_REFRESH)
    .where(
        _REFRESH.c.token_hash == bindparam("spent_hash"),
        _REFRESH.c.rotated_at.is_(None),
        _REFRESH.c.revoked_at.is_(None),
    )
    .values(rotated_at=bindparam("spent_at"))
)
# PostgreSQL: the spend and the read in one statement, the UPDATE as a data-modifying WITH. The SELECT
# sees the rows as they were before it (PostgreSQL manual 7.8.4: all parts share one snapshot) and
# ``won`` says whether this request's UPDATE spent the token. The client is in the UPDATE's WHERE, so a
# token presented by another client spends nothing, as on the two-statement path that checks it first.
_SPENT = (
    _ROTATE.where(_REFRESH.c.client_id == bindparam("spent_client")).returning(_REFRESH.c.token_hash)
).cte("spent")
_SPEND_AND_READ = _REFRESH_ROWS.add_columns(exists(select(_SPENT.c.token_hash)).label("won")).add_cte(_SPENT)


class TokenEndpoint:
    def __init__(
        self, signer: TokenSigner, subjects: SubjectIdentifiers, identities: IdentityStore, refresh_ttl: int
    ) -> None:
        self.signer = signer
        self.subjects = subjects
        self.identities = identities
        self.refresh_ttl = refresh_ttl

    def handle(self, s: Session, client: Client, form: Mapping[str, str], ip: str | None) -> dict[str, Any]:
        grant_type = form.get("grant_type")
        if not grant_type:
            raise InvalidRequest("grant_type is required")
        if grant_type not in SUPPORTED_GRANTS:
            raise UnsupportedGrantType(f"unsupported grant_type {grant_type[:40]!r}")
        if grant_type not in client.grant_types:
            raise UnauthorizedClient(f"this client may not use {grant_type}")
        if grant_type == "authorization_code":
            return self.authorization_code(s, client, form, ip)
        if grant_type == "refresh_token":
            return self.refresh_token(s, client, form, ip)
        return self.client_credentials(s, client, form, ip)

    # -- authorization_code -----------------------------------------------------------------------------
    def authorization_code(
        self,
        s: Session,
        client: Client,
        form: Mapping[str, str],
        ip: str | None,
    ) -> dict[str, Any]:
        code = form.get("code")
        if not code:
            raise InvalidRequest("code is required")
        row, consumed = consume_code(s, code)
        if row is None:
            raise InvalidGrant("the authorization code is invalid")
        if not consumed:
            # RFC 6749 Section 4.1.2: if a code is used more than once, the server MUST deny the request and
            # SHOULD revoke all tokens previously issued based on that code.
            _revoke_on_reuse(s, row.grant_id, audit.AuditEvent.CODE_REUSED, client, ip)
            raise InvalidGrant("the authorization code was already used")
        # RFC 6749 Section 4.1.3: the code MUST have been issued to this authenticated client.
        if row.client_id != client.client_id:
            raise InvalidGrant("the authorization code was issued to another client")
        if row.expires_at <= utcnow():
            raise InvalidGrant("the authorization code has expired")
        # RFC 6749 Section 4.1.3: redirect_uri MUST be identical to the one in the authorization request.
        if form.get("redirect_uri") != row.redirect_uri:
            raise InvalidGrant("redirect_uri does not match the authorization request")
        pkce.check_verifier(form.get("code_verifier"), row.code_challenge)
        found = s.execute(_GRANT_ROWS, {"grant_id": row.grant_id}).first()
        if found is None or found[0].revoked_at is not None:
            raise InvalidGrant("the grant behind this code was revoked")
        grant, identity = found
        return self._issue(s, client, grant, nonce=row.nonce, with_refresh=True, ip=ip, identity=identity)

    # -- refresh_token ------------------------------------------------------------------------------------
    def refresh_token(
        self,
        s: Session,
        client: Client,
        form: Mapping[str, str],
        ip: str | None,
    ) -> dict[str, Any]:
        token = form.get("refresh_token")
        if not token:
            raise InvalidRequest("refresh_token is required")
        token_hash, now = sha256_hex(token), utcnow()
        spend = {"spent_hash": token_hash, "spent_at": now}
        postgresql = s.connection().dialect.name == "postgresql"
        found: Row[*tuple[Any, ...]] | None = (
            s.execute(_SPEND_AND_READ, {**spend, "spent_client": client.client_id}).first()
            if postgresql
            else s.execute(_REFRESH_ROWS, spend).first()
        )
        if found is None or found[0].client_id != client.client_id:
            raise InvalidGrant("the refresh token is invalid")
        row: RefreshToken = found[0]
        grant: Grant = found[1]
        identity: Identity | None = found[2]
        if postgresql:
            won = bool(found.won)
            if won:
                # The session's copy, read before the UPDATE, says what the database now says.
                set_committed_value(row, "rotated_at", now)
        else:
            won = s.connection().execute(_ROTATE, spend).rowcount == 1
        if not won:
            # Read again in a statement of its own: a concurrent refresh that spent the token first has
            # committed by now (this UPDATE waited for its row lock), and shows as a reuse.
            s.refresh(row)
            if row.rotated_at is not None:
                # RFC 9700 Section 4.14.2: a rotated refresh token presented again means one of the two
                # holders is an attacker; revoke the whole grant.
                _revoke_on_reuse(s, row.grant_id, audit.AuditEvent.REFRESH_REUSED, client, ip)
            raise InvalidGrant("the refresh token was already used or revoked")
        if row.expires_at <= utcnow():
            raise InvalidGrant("the refresh token has expired")
        if grant.revoked_at is not None:
            raise InvalidGrant("the grant behind this refresh token was revoked")
        scope = row.scope.split()
        if requested := form.get("scope"):
            # RFC 6749 Section 6: the requested scope MUST NOT include any scope not originally granted.
            if not set(requested.split()) <= set(scope):
                raise InvalidScope("the requested scope exceeds the original grant")
            scope = [x for x in scope if x in requested.split()]
        # RFC 6749 Section 6: the new refresh token's scope MUST be identical to the one presented, so
        # narrowing the access token's scope neither narrows nor (without offline_access) drops it.
        return self._issue(
            s,
            client,
            grant,
            nonce=None,
            with_refresh=True,
            ip=ip,
            scope=scope,
            refresh_scope=row.scope.split(),
            identity=identity,
        )

    # -- client_credentials -----------------------------------------------------------------------------
    def client_credentials(
        self,
        s: Session,
        client: Client,
        form: Mapping[str, str],
        ip: str | None,
    ) -> dict[str, Any]:
        if client.is_public:
            raise UnauthorizedClient("public clients cannot use client_credentials")
        scope = (form.get("scope") or "").split()
        if bad := [x for x in scope if x not in client.scopes or x in ("openid", "offline_access")]:
            raise InvalidScope(f"scope not allowed for client_credentials: {' '.join(bad)}")
        access, ttl = self.signer.access_token(
            s, client=client, sub=client.client_id, scope=scope, grant=None
        )
        audit.record(
            s,
            audit.AuditEvent.TOKEN_ISSUED,
            client_id=client.client_id,
            ip=ip,
            data={"grant_type": "client_credentials", "scope": scope},
        )
        out: dict[str, Any] = {"access_token": access, "token_type": "Bearer", "expires_in": ttl}
        if scope:
            out["scope"] = " ".join(scope)
        return out

    # -- shared -------------------------------------------------------------------------------------------
    def _issue(
        self,
        s: Session,
        client: Client,
        grant: Grant,
        *,
        nonce: str | None,
        with_refresh: bool,
        ip: str | None,
        scope: list[str] | None = None,
        refresh_scope: list[str] | None = None,
        identity: Identity | None = None,
    ) -> dict[str, Any]:
        if identity is None and grant.identity_id:
            identity = s.get(Identity, grant.identity_id)
        if identity is None or identity.locked:
            raise InvalidGrant("the account behind this grant is not available")
        scope = scope if scope is not None else grant.scope.split()
        sub = self.subjects.for_client(client, identity.id)
        access, ttl = self.signer.access_token(s, client=client, sub=sub, scope=scope, grant=grant)
        out: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": ttl,
            "scope": " ".join(scope),
        }
        if "openid" in scope:
            claims_param = grant.claims or {}
            granted = requested_claim_names(scope, claims_param)
            names = id_token_claim_names(claims_param, granted)
            person, updated_at = self.identities.person(identity), int(identity.updated_at.timestamp())
            extra = person_claims(person, names, updated_at)
            verified = verified_claims_for(
                s,
                client,
                identity,
                claims_param.get("id_token", {}).get("verified_claims"),
                lambda: person_claims(person, granted, updated_at),
            )
            if verified is not None:
                extra["verified_claims"] = verified
            out["id_token"] = self.signer.id_token(
                client=client, sub=sub, grant=grant, nonce=nonce, access_token=access, extra=extra
            )
        refresh_scope = refresh_scope if refresh_scope is not None else scope
        if with_refresh and "offline_access" in refresh_scope and "refresh_token" in client.grant_types:
            out["refresh_token"] = new_refresh_token(s, grant, refresh_scope, self.refresh_ttl)
        audit.record(
            s,
            audit.AuditEvent.TOKEN_ISSUED,
            identity_id=identity.id,
            client_id=client.client_id,
            ip=ip,
            data={"grant_id": grant.id, "scope": scope, "refresh": "refresh_token" in out},
        )
        return out


def _revoke_on_reuse(
    s: Session, grant_id: str, event: audit.AuditEvent, client: Client, ip: str | None
) -> None:
    """A replayed code or refresh token: revoke the grant and commit now, before the error is raised."""
    revoke_grant(s, grant_id, event.value)
    audit.record(s, event, client_id=client.client_id, ip=ip, data={"grant_id": grant_id})
    s.commit()
