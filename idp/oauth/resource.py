"""Access-token users: UserInfo (OIDC Core 5.3), introspection (RFC 7662) and revocation (RFC 7009)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import sha256_hex
from idp.db import Unit, orm, utcnow
from idp.errors import InsufficientScope, InvalidToken, OAuthError
from idp.identities import PERSON_COLUMNS, IdentityStore, PersonRecord
from idp.models import Client, Grant, Identity, IssuedAccessToken, RefreshToken
from idp.oauth.claims import person_claims, requested_claim_names, userinfo_claim_names
from idp.oauth.client_resolution import ClientCache
from idp.oauth.grants import revoke_grant
from idp.oauth.subject import SubjectIdentifiers
from idp.oauth.tokens import ACCESS_TOKEN_TYP, AccessTokenInfo, TokenSigner
from idp.oauth.verified_claims import verified_claims_for

# One statement for the token's record and what decides whether it is live: its client's revision and
# state, its grant. Only columns, run on the session's connection without the ORM's entity loading; the
# client object comes from the client cache at that revision. Every UserInfo and introspection call runs
# it, so it is built once here.
_TOKEN_ROWS = (
    select(
        IssuedAccessToken.jti,
        IssuedAccessToken.client_id,
        IssuedAccessToken.grant_id,
        IssuedAccessToken.scope,
        IssuedAccessToken.expires_at,
        IssuedAccessToken.revoked_at,
        IssuedAccessToken.token_hash,
        Client.updated_at.label("client_revision"),
        Grant.id.label("grant_found"),
        Grant.revoked_at.label("grant_revoked_at"),
        Grant.identity_id,
        Grant.scope.label("grant_scope"),
        Grant.claims.label("grant_claims"),
    )
    .select_from(IssuedAccessToken)
    .join(Client, Client.client_id == IssuedAccessToken.client_id)
    .outerjoin(Grant, Grant.id == IssuedAccessToken.grant_id)
    .where(IssuedAccessToken.jti == bindparam("jti"))
)

# UserInfo's: the same, with the person of the grant in the same statement, by the column names
# ``PersonRecord`` reads (no other selected column is called ``id`` or ``updated_at``). Loading an
# ``Identity`` entity by a second statement cost a quarter of a UserInfo request.
_USERINFO_ROWS = _TOKEN_ROWS.add_columns(*(getattr(Identity, name) for name in PERSON_COLUMNS)).outerjoin(
    Identity, Identity.id == Grant.identity_id
)


@dataclass(frozen=True)
class VerifiedAccess:
    """A live access token with what stands behind it: its client and (when it has one) its grant."""

    info: AccessTokenInfo
    client: Client
    identity_id: str | None
    grant_scope: str | None
    grant_claims: dict[str, Any] | None
    # The grant's person, read with the token (``with_person``); None when not asked for or not found.
    person: PersonRecord | None = None


class AccessTokens:
    def __init__(self, signer: TokenSigner, clients: ClientCache | None = None) -> None:
        self.signer = signer
        self.clients = clients or ClientCache()

    def verify(self, s: Unit, token: str) -> AccessTokenInfo:
        """The server-side record (found by jti, matched by hash, or by signature for older tokens), type,
        issuer, expiry; not revoked, client enabled, grant alive."""
        return self.verify_with_rows(s, token).info

    def verify_with_rows(self, s: Unit, token: str, *, with_person: bool = False) -> VerifiedAccess:
        """``verify``, also returning the token's client and grant, and with ``with_person`` the person's
        row, all in one statement."""
        header, claims = self.signer.unverified(token)
        jti = claims.get("jti")
        if not isinstance(jti, str):
            raise InvalidToken("the access token is not active")
        statement = _USERINFO_ROWS if with_person else _TOKEN_ROWS
        row = s.connection().execute(statement, {"jti": jti}).first()
        if row is None:
            raise InvalidToken("the access token is not active")
        if row.token_hash is not None:
            # The token exactly as recorded at issuance: what the signature would prove, the record does.
            self.signer.recognise_own(token, header, claims, row.token_hash, typ=ACCESS_TOKEN_TYP)
        else:
            # Issued before tokens were recorded by hash (revision 0013): the signature decides.
            claims = self.signer.decode_own(token, typ=ACCESS_TOKEN_TYP)
        if row.revoked_at is not None or row.expires_at <= utcnow():
            raise InvalidToken("the access token is not active")
        if row.grant_id is not None and (row.grant_found is None or row.grant_revoked_at is not None):
            raise InvalidToken("the access token is not active")
        client = self.clients.at_revision(s, row.client_id, row.client_revision)
        if client is None or client.disabled:
            raise InvalidToken("the access token is not active")
        info = AccessTokenInfo(
            jti=row.jti,
            client_id=row.client_id,
            sub=str(claims.get("sub")),
            scope=row.scope.split(),
            grant_id=row.grant_id,
            expires_at=row.expires_at,
            claims=claims,
        )
        grant_scope = row.grant_scope if row.grant_found is not None else None
        person = cast(PersonRecord, row) if with_person and row.id is not None else None
        return VerifiedAccess(info, client, row.identity_id, grant_scope, row.grant_claims, person)


class UserInfo:
    def __init__(self, tokens: AccessTokens, identities: IdentityStore, subjects: SubjectIdentifiers) -> None:
        self.tokens = tokens
        self.identities = identities
        self.subjects = subjects

    def claims(self, s: Unit, token: str) -> tuple[Client, dict[str, Any]]:
        verified = self.tokens.verify_with_rows(s, token, with_person=True)
        info, client = verified.info, verified.client
        if "openid" not in info.scope or verified.grant_scope is None:
            raise InsufficientScope("the access token was not issued with the openid scope")
        identity = verified.person
        if identity is None or identity.locked:
            raise InvalidToken("the access token is not active")
        claims_param = verified.grant_claims or {}
        granted = requested_claim_names(verified.grant_scope.split(), claims_param)
        names = userinfo_claim_names(info.scope, claims_param, granted)
        out: dict[str, Any] = {"sub": self.subjects.for_client(client, identity.id)}
        person, updated_at = self.identities.person(identity), int(identity.updated_at.timestamp())
        out.update(person_claims(person, names, updated_at))
        requested = claims_param.get("userinfo", {}).get("verified_claims")
        verified_claims = verified_claims_for(
            s, client, identity, requested, lambda: person_claims(person, granted, updated_at)
        )
        if verified_claims is not None:
            out["verified_claims"] = verified_claims
        return client, out


class Introspection:
    """RFC 7662: an authenticated client learns about its own tokens only."""

    def __init__(self, tokens: AccessTokens) -> None:
        self.tokens = tokens

    def inspect(self, s: Unit, client: Client, form: Mapping[str, str]) -> dict[str, Any]:
        token = form.get("token") or ""
        hint = form.get("token_type_hint")
        order = (
            ("refresh_token", "access_token")
            if hint == "refresh_token"
            else ("access_token", "refresh_token")
        )
        for kind in order:
            result = self._access(s, token) if kind == "access_token" else self._refresh(s, token)
            if result is not None:
                # RFC 7662 Section 4: tokens of another client look inactive, so nothing leaks about them.
                if result.get("client_id") != client.client_id:
                    return {"active": False}
                return result
        return {"active": False}

    def _access(self, s: Unit, token: str) -> dict[str, Any] | None:
        if token.count(".") != 2:
            return None
        try:
            info = self.tokens.verify(s, token)
        except OAuthError:
            return None
        c = info.claims
        out = {
            "active": True,
            "token_type": "Bearer",
            "client_id": info.client_id,
            "sub": info.sub,
            "scope": " ".join(info.scope),
            "exp": c.get("exp"),
            "iat": c.get("iat"),
            "iss": c.get("iss"),
            "aud": c.get("aud"),
            "jti": info.jti,
        }
        out.update({k: c[k] for k in ("auth_time", "acr", "amr", "sid") if k in c})
        return out

    def _refresh(self, s: Unit, token: str) -> dict[str, Any] | None:
        if not token:
            return None
        session = orm(s)
        row = session.get(RefreshToken, sha256_hex(token))
        if row is None or row.revoked_at or row.rotated_at or row.expires_at <= utcnow():
            return None
        grant = session.get(Grant, row.grant_id)
        if grant is None or grant.revoked_at is not None:
            return None
        return {
            "active": True,
            "token_type": "refresh_token",
            "client_id": row.client_id,
            "scope": row.scope,
            "exp": int(row.expires_at.timestamp()),
            "iat": int(row.created_at.timestamp()),
        }


class Revocation:
    """RFC 7009: revoke an access or refresh token of the authenticated client."""

    def __init__(self, tokens: AccessTokens) -> None:
        self.tokens = tokens

    def revoke(self, s: Session, client: Client, form: Mapping[str, str], ip: str | None) -> None:
        token = form.get("token") or ""
        refresh = s.get(RefreshToken, sha256_hex(token)) if token else None
        if refresh is not None:
            if refresh.client_id == client.client_id:
                # RFC 7009 Section 2.1: revoking a refresh token SHOULD also revoke its access tokens.
                revoke_grant(s, refresh.grant_id, "revoked_by_client")
                audit.record(
                    s,
                    audit.AuditEvent.TOKEN_REVOKED,
                    client_id=client.client_id,
                    ip=ip,
                    data={"kind": "refresh_token", "grant_id": refresh.grant_id},
                )
            return
        try:
            info = self.tokens.verify(s, token) if token.count(".") == 2 else None
        except OAuthError:
            info = None
        # RFC 7009 Section 2.2: invalid or unknown tokens are answered with 200 all the same.
        if info is not None and info.client_id == client.client_id:
            row = s.get(IssuedAccessToken, info.jti)
            if row is not None:
                row.revoked_at = utcnow()
                audit.record(
                    s,
                    audit.AuditEvent.TOKEN_REVOKED,
                    client_id=client.client_id,
                    ip=ip,
                    data={"kind": "access_token", "jti": info.jti},
                )
