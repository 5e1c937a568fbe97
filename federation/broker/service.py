"""The broker: send the person to an upstream provider, check what comes back, find the NIXA identity.

Each trip is a ``BrokerLogin`` row keyed by the SHA-256 of ``state`` (or of the SAML RelayState), bound to
the browser and the interaction, used once (``UPDATE ... WHERE used_at IS NULL``). Routes call these
methods and then ``OpenIDProvider.complete_external_login``; no FastAPI here.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from federation.broker import oidc_upstream
from federation.broker.errors import UpstreamLoginRefused
from federation.broker.linking import IdentityLinker, Resolution, UpstreamAnswer, map_attributes
from federation.upstream.catalogue import ProviderCatalogue, ProviderInfo, callback_url
from federation.upstream.models import BrokerLogin, ReplayGuard, UpstreamSession
from idp import audit
from idp.crypto import new_token, sha256_hex
from idp.db import utcnow
from idp.identities import IdentityStore
from idp.login import PasswordLogin
from idp.models import SsoSession
from idp.platform import Platform
from idp.sessions import acr_for

# Seconds the login page's list of upstream providers is kept (``Broker.providers``).
PROVIDER_LIST_TTL = 5.0
TRIP_TTL = 600  # seconds a person has at the upstream provider
CHOICE_TTL = 900  # seconds to choose between a new identity and linking an existing account


def purge_expired(s: Session) -> None:
    """Trips and replay-cache entries past their use are deleted as new ones are written."""
    now = utcnow()
    s.execute(delete(BrokerLogin).where(BrokerLogin.expires_at < now - timedelta(hours=1)))
    s.execute(delete(ReplayGuard).where(ReplayGuard.expires_at < now))


@dataclass(frozen=True)
class BrokeredLogin:
    """A verified upstream login, ready for ``complete_external_login`` (or for the person's choice)."""

    interaction_id: str
    provider: ProviderInfo
    answer: UpstreamAnswer
    resolution: Resolution
    link_ticket: str | None = None

    def auth_level(self, identity_loa: int) -> int:
        # Issue 5: acr is the lower of the mapped upstream level and the identity's level.
        return min(self.answer.level, identity_loa)

    def audit_data(self) -> dict[str, Any]:
        return {
            "upstream": self.provider.name,
            "upstream_acr": self.answer.upstream_acr,
            "how": self.resolution.how,
        }


class Broker:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.sealer = platform.sealer
        self.catalogue = ProviderCatalogue(platform.sealer)
        self.identities = IdentityStore(platform.sealer, platform.blind_index, platform.passwords)
        self.linker = IdentityLinker(self.identities, platform.sealer, platform.blind_index)
        self.password_login = PasswordLogin(platform.settings, self.identities, platform.blind_index)
        self.directory = oidc_upstream.UpstreamDirectory()
        # (read at, catalogue generation, enabled providers): the login page's list (``providers``).
        self._listed: tuple[float, int, list[ProviderInfo]] | None = None

    @property
    def issuer(self) -> str:
        return self.platform.issuer

    def providers(self, *, min_level: int = 0) -> list[ProviderInfo]:
        """Enabled providers able to reach ``min_level`` (issue 5: the others are not offered)."""
        return [p for p in self._enabled() if p.config.max_level >= min_level]

    def _enabled(self) -> list[ProviderInfo]:
        # Every login page shows the list, and it changes a few times a year: it is read again after
        # PROVIDER_LIST_TTL seconds, or at once after a change made in this process. A provider disabled
        # from another process may keep its button that long; the trip itself checks again (``provider``).
        now, generation = time.monotonic(), ProviderCatalogue.generation
        kept = self._listed
        if kept is not None and kept[1] == generation and now - kept[0] < PROVIDER_LIST_TTL:
            return kept[2]
        # A read session, so on SQLite it neither takes nor waits for the write lock.
        with self.db.read_session() as s:
            found = self.catalogue.list(s, enabled_only=True)
        self._listed = (now, generation, found)
        return found

    # -- trips ---------------------------------------------------------------------------------------
    def _new_trip(
        self, s: Session, provider: ProviderInfo, state: str, interaction_id: str, browser_id: str, **kw: Any
    ) -> None:
        purge_expired(s)
        s.add(
            BrokerLogin(
                state_hash=sha256_hex(state),
                provider_id=provider.id,
                interaction_id=interaction_id,
                browser_hash=sha256_hex(browser_id),
                expires_at=utcnow() + timedelta(seconds=TRIP_TTL),
                **kw,
            )
        )

    def _take_trip(
        self, s: Session, state: str | None, browser_id: str | None, provider: ProviderInfo
    ) -> BrokerLogin:
        """RFC 6749 Section 10.12: the state must be ours, for this browser, unused and unexpired."""
        if not state or not browser_id:
            raise UpstreamLoginRefused("state or browser binding missing", "federation.error.expired")
        now = utcnow()
        taken = s.execute(
            update(BrokerLogin)
            .where(
                BrokerLogin.state_hash == sha256_hex(state),
                BrokerLogin.provider_id == provider.id,
                BrokerLogin.browser_hash == sha256_hex(browser_id),
                BrokerLogin.used_at.is_(None),
                BrokerLogin.expires_at > now,
            )
            .values(used_at=now)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise UpstreamLoginRefused("unknown, replayed or expired state", "federation.error.expired")
        row = s.get(BrokerLogin, sha256_hex(state))
        assert row is not None
        return row

    def provider(self, s: Session, name: str, protocol: str | None = None) -> ProviderInfo:
        found = self.catalogue.find(s, name)
        if found is None or not found.enabled or (protocol and found.protocol != protocol):
            raise UpstreamLoginRefused(f"no enabled provider {name!r}", "federation.error.unknown_provider")
        return found

    def protocol_of(self, name: str) -> str:
        with self.db.session() as s:
            return self.provider(s, name).protocol

    def start_oidc(self, name: str, interaction_id: str, browser_id: str, min_level: int) -> str:
        with self.db.session() as s:
            provider = self.provider(s, name, "oidc")
            cfg = provider.config
            meta = self.directory.metadata(cfg.discovery_url)
            # Ask upstream for the values that map to the level the portal needs, best first.
            wanted = sorted(
                (a for a, lvl in cfg.acr_map.items() if lvl >= min_level), key=lambda a: -cfg.acr_map[a]
            )
            start = oidc_upstream.authorization_url(
                meta,
                client_id=cfg.client_id,
                redirect_uri=callback_url(self.issuer, provider),
                scopes=cfg.scopes,
                # OIDC Core 3.1.2.1: acr_values only when the portal needs a level (providers read them as
                # a requirement); otherwise acr is asked for as a voluntary claim where supported.
                acr_values=wanted if min_level else [],
                acr_claim_values=wanted if meta.raw.get("claims_parameter_supported") else None,
            )
            sealed = self.sealer.seal(start.code_verifier.encode(), b"federation:pkce")
            self._new_trip(
                s,
                provider,
                start.state,
                interaction_id,
                browser_id,
                min_level=min_level,
                nonce_hash=sha256_hex(start.nonce),
                code_verifier_enc=sealed,
            )
            return start.url

    def finish_oidc(
        self, name: str, params: dict[str, str], browser_id: str | None, ip: str | None
    ) -> BrokeredLogin:
        with self.db.session() as s:
            provider = self.provider(s, name, "oidc")
            try:
                trip = self._take_trip(s, params.get("state"), browser_id, provider)
            except UpstreamLoginRefused as exc:
                self._refused(s, provider, exc, ip)
                raise
        # A refusal past this point is audited in its own transaction (the trip stays used).
        try:
            answer = self._oidc_answer(provider, trip, params)
            with self.db.session() as s:
                return self._resolve(s, provider, trip, answer, ip)
        except UpstreamLoginRefused as exc:
            with self.db.session() as s:
                self._refused(s, provider, exc, ip)
            raise

    def _oidc_answer(
        self, provider: ProviderInfo, trip: BrokerLogin, params: dict[str, str]
    ) -> UpstreamAnswer:
        cfg = provider.config
        if "error" in params:
            # OIDC Core 3.1.2.6: the provider answered with an error (the person cancelled, or it refused).
            raise UpstreamLoginRefused(f"upstream error {params['error'][:40]}", "federation.error.cancelled")
        meta = self.directory.metadata(cfg.discovery_url)
        # RFC 9207 Section 2.4: when the provider sends iss, it MUST be compared with its issuer.
        if "iss" in params and params["iss"] != meta.issuer:
            raise UpstreamLoginRefused("authorization response iss is not the provider's issuer")
        if not params.get("code") or trip.code_verifier_enc is None or trip.nonce_hash is None:
            raise UpstreamLoginRefused("authorization response without a code")
        with self.db.session() as s:
            secret = self.catalogue.client_secret(s, provider.id)
            private_key = self.catalogue.private_key(s, provider.id)
        tokens = oidc_upstream.exchange_code(
            meta,
            code=params["code"],
            redirect_uri=callback_url(self.issuer, provider),
            code_verifier=self.sealer.open(trip.code_verifier_enc, b"federation:pkce").decode(),
            client_id=cfg.client_id,
            auth_method=cfg.auth_method,
            client_secret=secret,
            private_key=private_key,
        )
        claims = oidc_upstream.verify_id_token(
            self.directory, meta, tokens["id_token"], client_id=cfg.client_id, nonce_hash=trip.nonce_hash
        )
        userinfo = oidc_upstream.fetch_userinfo(meta, str(tokens.get("access_token") or ""), claims["sub"])
        attributes, ignored = map_attributes(provider, {**userinfo, **claims})
        acr = claims.get("acr") if isinstance(claims.get("acr"), str) else None
        return UpstreamAnswer(
            provider_id=provider.id,
            subject=claims["sub"],
            level=cfg.level_for(acr),
            upstream_acr=acr,
            attributes=attributes,
            ignored_claims=ignored,
            upstream_sid=claims.get("sid") if isinstance(claims.get("sid"), str) else None,
            logout_data={"id_token": tokens["id_token"]},
        )

    # -- resolving the identity ------------------------------------------------------------------------
    def _resolve(
        self, s: Session, provider: ProviderInfo, trip: BrokerLogin, answer: UpstreamAnswer, ip: str | None
    ) -> BrokeredLogin:
        min_level = int(trip.min_level or 0)
        if answer.level < min_level:
            # Issue 5: a provider returning a lower level than the portal asked for does not log in.
            raise UpstreamLoginRefused(
                f"upstream level {answer.level} is below the requested {min_level}", "federation.error.level"
            )
        if answer.ignored_claims:
            audit.record(
                s,
                audit.AuditEvent.FEDERATED_LOGIN_REFUSED,
                ip=ip,
                data={
                    "provider": provider.name,
                    "reason": "untrusted_claims_ignored",
                    "claims": answer.ignored_claims,
                },
            )
        resolution = self.linker.resolve(s, provider, answer)
        ticket = None
        if resolution.identity_id is None:
            ticket = new_token(32)
            row = s.get(BrokerLogin, trip.state_hash)
            assert row is not None
            row.link_ticket_hash = sha256_hex(ticket)
            row.answer_enc = self.sealer.seal(json.dumps(answer.to_json()).encode(), b"federation:answer")
            row.expires_at = utcnow() + timedelta(seconds=CHOICE_TTL)
        return BrokeredLogin(trip.interaction_id, provider, answer, resolution, ticket)

    def _refused(self, s: Session, provider: ProviderInfo, exc: UpstreamLoginRefused, ip: str | None) -> None:
        audit.record(
            s,
            audit.AuditEvent.FEDERATED_LOGIN_REFUSED,
            ip=ip,
            data={"provider": provider.name, "reason": exc.reason[:200]},
        )

    def pending_choice(
        self, ticket: str, browser_id: str | None
    ) -> tuple[BrokerLogin, ProviderInfo, UpstreamAnswer]:
        with self.db.session() as s:
            row = s.scalar(select(BrokerLogin).where(BrokerLogin.link_ticket_hash == sha256_hex(ticket)))
            if (
                row is None
                or row.answer_enc is None
                or row.linked_at is not None
                or row.expires_at <= utcnow()
                or browser_id is None
                or row.browser_hash != sha256_hex(browser_id)
            ):
                raise UpstreamLoginRefused("unknown or used link ticket", "federation.error.expired")
            provider = self.catalogue.by_id(s, row.provider_id)
            if provider is None:
                raise UpstreamLoginRefused("provider removed", "federation.error.unknown_provider")
            answer = UpstreamAnswer.from_json(
                json.loads(self.sealer.open(row.answer_enc, b"federation:answer"))
            )
            s.expunge(row)
            return row, provider, answer

    def choose(
        self,
        ticket: str,
        browser_id: str | None,
        *,
        create: bool,
        username: str = "",
        password: str = "",
        ip: str | None = None,
    ) -> tuple[BrokeredLogin | None, str | None]:
        """The person's choice: a new identity, or an existing account proved by its password. Returns the
        login, or None with the message key of why not (wrong password, locked)."""
        trip, provider, answer = self.pending_choice(ticket, browser_id)
        checked = (
            None
            if create
            else self.password_login.check_first(self.db, username=username, password=password, ip=ip)
        )
        with self.db.session() as s:
            if create:
                identity_id = self.linker.create_identity(s, provider, answer).id
                how = "created"
            else:
                result = self.password_login.attempt(
                    s, username=username, password=password, ip=ip, client_id=None, checked=checked
                )
                if not result.ok or result.identity is None:
                    return None, "login.locked" if result.locked_until else "login.failed"
                identity_id, how = result.identity.id, "password"
            # Used once: the same ticket cannot link a second account.
            done = s.execute(
                update(BrokerLogin)
                .where(BrokerLogin.state_hash == trip.state_hash, BrokerLogin.linked_at.is_(None))
                .values(linked_at=utcnow(), answer_enc=None)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise UpstreamLoginRefused("link ticket used twice", "federation.error.expired")
            self.linker.link(s, provider, answer, identity_id, how=how)
        return BrokeredLogin(trip.interaction_id, provider, answer, Resolution(identity_id, how)), None

    def client_public_jwks(self, name: str) -> dict[str, Any] | None:
        from joserfc.jwk import import_key

        with self.db.session() as s:
            provider = self.catalogue.find(s, name)
            key = self.catalogue.private_key(s, provider.id) if provider is not None else None
        if key is None:
            return None
        public = import_key(key).as_dict(private=False)
        return {"keys": [{**public, "use": "sig", "alg": "ES256"}]}

    def identity_level(self, identity_id: str) -> int:
        from idp.models import Identity

        with self.db.session() as s:
            row = s.get(Identity, identity_id)
            return row.loa if row is not None else 0

    # -- after the NIXA session started -----------------------------------------------------------------
    def remember_session(self, session_cookie: str, login: BrokeredLogin) -> None:
        """Keep what logout needs: the upstream sid or subject (back-channel in), the ID token or SAML
        NameID (logout out), sealed."""
        with self.db.session() as s:
            row = s.scalar(select(SsoSession).where(SsoSession.cookie_hash == sha256_hex(session_cookie)))
            if row is None:
                return
            answer = login.answer
            s.add(
                UpstreamSession(
                    sid=row.sid,
                    provider_id=login.provider.id,
                    subject_index=self.linker.subject_index(login.provider.id, answer.subject),
                    upstream_sid_index=self.upstream_sid_index(login.provider.id, answer.upstream_sid),
                    logout_data_enc=self.sealer.seal(
                        json.dumps(answer.logout_data).encode(), f"federation:logout:{row.sid}".encode()
                    ),
                )
            )
            audit.record(
                s,
                audit.AuditEvent.FEDERATED_LOGIN_SUCCEEDED,
                identity_id=row.identity_id,
                data={**login.audit_data(), "sid": row.sid, "acr": acr_for(login.answer.level)},
            )

    def upstream_sid_index(self, provider_id: str, upstream_sid: str | None) -> str | None:
        return sha256_hex(f"{provider_id}:{upstream_sid}") if upstream_sid else None
