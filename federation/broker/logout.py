"""Logout across the broker, both ways, for OIDC upstream providers.

- Out: when a person ends their NIXA session, the browser visits the upstream provider's
  ``end_session_endpoint`` (RP-Initiated Logout 1.0) and comes back to where NIXA's logout was going.
- In: an upstream provider's logout token (Back-Channel Logout 1.0) ends the NIXA sessions it names; their
  portals are then told by NIXA's own single logout.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta
from typing import Any

from joserfc.errors import InvalidKeyIdError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from federation.broker import oidc_upstream
from federation.broker.errors import UpstreamLoginRefused
from federation.broker.service import Broker
from federation.upstream.catalogue import ProviderInfo
from federation.upstream.models import ReplayGuard, UpstreamSession
from idp import audit
from idp.crypto import constant_time_equal, hmac_token, sha256_hex
from idp.db import utcnow
from idp.errors import InvalidRequest
from idp.oauth.logout import SingleLogout

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
MAX_LOGOUT_TOKEN_AGE = 300  # seconds: an older iat is refused, and the jti is remembered that long


def open_upstream_sessions(s: Session, sid: str) -> list[UpstreamSession]:
    return list(
        s.scalars(
            select(UpstreamSession).where(UpstreamSession.sid == sid, UpstreamSession.ended_at.is_(None))
        )
    )


class LogoutState:
    """Where to go after the upstream logout, carried in ``state`` and MACed: no storage, no open redirect."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    def encode(self, next_url: str | None) -> str:
        body = base64.urlsafe_b64encode(json.dumps({"n": next_url, "t": int(time.time())}).encode()).decode()
        return f"{body}.{hmac_token(self.key, 'federation-logout', body)}"

    def decode(self, state: str | None) -> str | None:
        body, _, mac = (state or "").partition(".")
        if not body or not constant_time_equal(mac, hmac_token(self.key, "federation-logout", body)):
            raise InvalidRequest("unknown logout state")
        data = json.loads(base64.urlsafe_b64decode(body))
        if time.time() - int(data["t"]) > 3600:
            raise InvalidRequest("logout state expired")
        return data["n"] if isinstance(data.get("n"), str) else None


class OidcLogout:
    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self.state = LogoutState(broker.platform.settings.secrets.csrf)

    def logged_out_url(self, provider: ProviderInfo) -> str:
        """The post_logout_redirect_uri to register upstream."""
        return f"{self.broker.issuer}/federation/oidc/{provider.name}/logged-out"

    def end_upstream(
        self, s: Session, row: UpstreamSession, provider: ProviderInfo, next_url: str | None
    ) -> str | None:
        cfg = provider.config
        meta = self.broker.directory.metadata(cfg.discovery_url)
        data = json.loads(
            self.broker.sealer.open(row.logout_data_enc or b"", f"federation:logout:{row.sid}".encode())
        )
        return oidc_upstream.end_session_url(
            meta,
            id_token=data.get("id_token"),
            client_id=cfg.client_id,
            post_logout_redirect_uri=self.logged_out_url(provider),
            state=self.state.encode(next_url),
        )

    # -- Back-Channel Logout 1.0 Section 2.6: validating a logout token ------------------------------------
    def verify_logout_token(self, provider: ProviderInfo, token: str) -> dict[str, Any]:
        cfg = provider.config
        meta = self.broker.directory.metadata(cfg.discovery_url)
        directory = self.broker.directory
        try:
            try:
                decoded = oidc_upstream._decode(directory.keys(meta.jwks_uri), token)
            except InvalidKeyIdError:
                decoded = oidc_upstream._decode(directory.keys(meta.jwks_uri, fresh=True), token)
        except (UpstreamLoginRefused, InvalidKeyIdError) as exc:
            raise InvalidRequest("the logout token's signature is not valid", detail=str(exc)) from None
        claims = dict(decoded.claims)
        typ = decoded.header.get("typ")
        # Section 2.4: logout tokens SHOULD be typed logout+jwt; plain JWT is accepted from providers that do
        # not type them (the events and nonce checks below keep ID tokens out), any other type is refused.
        if typ is not None and str(typ).lower() not in ("logout+jwt", "application/logout+jwt", "jwt"):
            raise InvalidRequest("the token is not a logout token")
        now = time.time()
        # Step 3: iss, aud and iat as for an ID token (OIDC Core 3.1.3.7), exp when present.
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else list(aud or [])
        if claims.get("iss") != meta.issuer or cfg.client_id not in audiences:
            raise InvalidRequest("the logout token was not issued by this provider to NIXA")
        iat = claims.get("iat")
        if not isinstance(iat, int | float) or iat > now + 60 or now - iat > MAX_LOGOUT_TOKEN_AGE:
            raise InvalidRequest("the logout token's iat is outside the accepted window")
        if isinstance(claims.get("exp"), int | float) and claims["exp"] + 60 < now:
            raise InvalidRequest("the logout token has expired")
        # Step 4: it MUST contain a sub, a sid, or both.
        if not isinstance(claims.get("sub"), str) and not isinstance(claims.get("sid"), str):
            raise InvalidRequest("the logout token names neither sub nor sid")
        # Step 5: events MUST be a JSON object with the back-channel logout member.
        events = claims.get("events")
        if not isinstance(events, dict) or not isinstance(events.get(LOGOUT_EVENT), dict):
            raise InvalidRequest("the logout token lacks the back-channel logout event")
        # Step 6: a logout token MUST NOT contain a nonce.
        if "nonce" in claims:
            raise InvalidRequest("a logout token must not contain a nonce")
        if not isinstance(claims.get("jti"), str):
            raise InvalidRequest("the logout token lacks jti")
        return claims

    def receive(self, single_logout: SingleLogout, name: str, token: str | None, ip: str | None) -> list[int]:
        """End the NIXA sessions a valid logout token names; returns the portal deliveries queued."""
        if not token:
            raise InvalidRequest("logout_token is required")
        with self.broker.db.session() as s:
            provider = self.broker.catalogue.find(s, name)
        if provider is None or provider.protocol != "oidc":
            raise InvalidRequest("unknown upstream provider")
        claims = self.verify_logout_token(provider, token)
        with self.broker.db.session() as s:
            # Step 7 (optional): a jti already received recently is a replay.
            s.add(
                ReplayGuard(
                    key=f"bcl:{sha256_hex(provider.id + ':' + claims['jti'])}"[:80],
                    expires_at=utcnow() + timedelta(seconds=MAX_LOGOUT_TOKEN_AGE * 2),
                )
            )
            try:
                s.flush()
            except IntegrityError:
                raise InvalidRequest("this logout token was already received") from None
            query = select(UpstreamSession).where(
                UpstreamSession.provider_id == provider.id, UpstreamSession.ended_at.is_(None)
            )
            if isinstance(claims.get("sid"), str):
                query = query.where(
                    UpstreamSession.upstream_sid_index
                    == self.broker.upstream_sid_index(provider.id, claims["sid"])
                )
            if isinstance(claims.get("sub"), str):
                index = self.broker.linker.subject_index(provider.id, claims["sub"])
                query = query.where(UpstreamSession.subject_index == index)
            deliveries: list[int] = []
            rows = list(s.scalars(query))
            for row in rows:
                row.ended_at = utcnow()
                deliveries += single_logout.end_session(s, row.sid, ip=ip)
            audit.record(
                s,
                audit.AuditEvent.UPSTREAM_LOGOUT_RECEIVED,
                ip=ip,
                data={"provider": provider.name, "sessions": len(rows), "sids": sorted(r.sid for r in rows)},
            )
            return deliveries
