"""Access-token users: UserInfo (OIDC Core 5.3), introspection (RFC 7662) and revocation (RFC 7009)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import sha256_hex
from idp.db import utcnow
from idp.errors import InsufficientScope, InvalidToken, OAuthError
from idp.identities import IdentityStore
from idp.models import Client, Grant, Identity, IssuedAccessToken, RefreshToken
from idp.oauth.claims import person_claims, requested_claim_names, userinfo_claim_names
from idp.oauth.grants import revoke_grant
from idp.oauth.subject import SubjectIdentifiers
from idp.oauth.tokens import ACCESS_TOKEN_TYP, AccessTokenInfo, TokenSigner
from idp.oauth.verified_claims import verified_claims_for


def _token_rows(*, with_person: bool) -> Select[*tuple[Any, ...]]:
    entities: list[Any] = [IssuedAccessToken, Client, Grant, *([Identity] if with_person else [])]
    query = (
        select(*entities)
        .select_from(IssuedAccessToken)
        .join(Client, Client.client_id == IssuedAccessToken.client_id)
        .outerjoin(Grant, Grant.id == IssuedAccessToken.grant_id)
    )
    if with_person:
        query = query.outerjoin(Identity, Identity.id == Grant.identity_id)
    return query.where(IssuedAccessToken.jti == bindparam("jti"))


# One statement for the token's record, its client, its grant (and the person): every UserInfo and
# introspection call runs it, so it is built once here rather than on each call.
_TOKEN_ROWS = _token_rows(with_person=False)
_TOKEN_WITH_PERSON = _token_rows(with_person=True)


@dataclass(frozen=True)
class VerifiedAccess:
    """A live access token with the rows behind it, read in one statement."""

    info: AccessTokenInfo
    client: Client
    grant: Grant | None
    identity: Identity | None


class AccessTokens:
    def __init__(self, signer: TokenSigner) -> None:
        self.signer = signer

    def verify(self, s: Session, token: str) -> AccessTokenInfo:
        """The server-side record (found by jti, matched by hash, or by signature for older tokens), type,
        issuer, expiry; not revoked, client enabled, grant alive."""
        return self.verify_with_rows(s, token, with_person=False).info

    def verify_with_rows(self, s: Session, token: str, *, with_person: bool = True) -> VerifiedAccess:
        """``verify``, also returning the token's client, grant and (``with_person``) the person."""
        header, claims = self.signer.unverified(token)
        jti = claims.get("jti")
        if not isinstance(jti, str):
            raise InvalidToken("the access token is not active")
        statement = _TOKEN_WITH_PERSON if with_person else _TOKEN_ROWS
        found = s.execute(statement, {"jti": jti}).first()
        if found is None:
            raise InvalidToken("the access token is not active")
        row, client, grant = found[0], found[1], found[2]
        identity = found[3] if with_person else None
        if row.token_hash is not None:
            # The token exactly as recorded at issuance: what the signature would prove, the record does.
            self.signer.recognise_own(token, header, claims, row.token_hash, typ=ACCESS_TOKEN_TYP)
        else:
            # Issued before tokens were recorded by hash (revision 0013): the signature decides.
            claims = self.signer.decode_own(token, typ=ACCESS_TOKEN_TYP)
        if row.revoked_at is not None or row.expires_at <= utcnow():
            raise InvalidToken("the access token is not active")
        if client.disabled:
            raise InvalidToken("the access token is not active")
        if row.grant_id is not None and (grant is None or grant.revoked_at is not None):
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
        return VerifiedAccess(info, client, grant, identity)


class UserInfo:
    def __init__(self, tokens: AccessTokens, identities: IdentityStore, subjects: SubjectIdentifiers) -> None:
        self.tokens = tokens
        self.identities = identities
        self.subjects = subjects

    def claims(self, s: Session, token: str) -> tuple[Client, dict[str, Any]]:
        verified = self.tokens.verify_with_rows(s, token)
        info, client, grant, identity = verified.info, verified.client, verified.grant, verified.identity
        if "openid" not in info.scope or grant is None:
            raise InsufficientScope("the access token was not issued with the openid scope")
        if identity is None or identity.locked:
            raise InvalidToken("the access token is not active")
        claims_param = grant.claims or {}
        granted = requested_claim_names(grant.scope.split(), claims_param)
        names = userinfo_claim_names(info.scope, claims_param, granted)
        out: dict[str, Any] = {"sub": self.subjects.for_client(client, identity.id)}
        person, updated_at = self.identities.person(identity), int(identity.updated_at.timestamp())
        out.update(person_claims(person, names, updated_at))
        requested = claims_param.get("userinfo", {}).get("verified_claims")
        verified_claims = verified_claims_for(
            s, client, identity, requested, person_claims(person, granted, updated_at)
        )
        if verified_claims is not None:
            out["verified_claims"] = verified_claims
        return client, out


class Introspection:
    """RFC 7662: an authenticated client learns about its own tokens only."""

    def __init__(self, tokens: AccessTokens) -> None:
        self.tokens = tokens

    def inspect(self, s: Session, client: Client, form: Mapping[str, str]) -> dict[str, Any]:
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

    def _access(self, s: Session, token: str) -> dict[str, Any] | None:
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

    def _refresh(self, s: Session, token: str) -> dict[str, Any] | None:
        row = s.get(RefreshToken, sha256_hex(token)) if token else None
        if row is None or row.revoked_at or row.rotated_at or row.expires_at <= utcnow():
            return None
        grant = s.get(Grant, row.grant_id)
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
