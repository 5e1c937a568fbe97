"""The OpenID Provider: authorization requests carried through login, account choice and consent.

Routes call these methods and render what they return; no FastAPI here. Every state change happens in
one database transaction together with its audit record.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import DecryptionError
from idp.db import utcnow
from idp.errors import AccessDenied, InvalidPageRequest, InvalidRequest, OAuthError, UnauthorizedClient
from idp.factors import SecondFactors
from idp.identities import IdentityStore
from idp.login import PasswordLogin
from idp.models import Client, Consent, Identity, Interaction
from idp.oauth import authorize
from idp.oauth.authorize import AuthorizationRequest, RedirectableError, RedirectTarget
from idp.oauth.claims import requested_claim_names
from idp.oauth.client_auth import ClientAuthenticator, parse_credentials
from idp.oauth.client_resolution import ClientResolver
from idp.oauth.decide import PASSWORD_LEVEL, Step, decide
from idp.oauth.extension_grants import ExtensionGrant
from idp.oauth.grants import create_code, create_grant
from idp.oauth.logout import SingleLogout
from idp.oauth.remote_jwks import RemoteJwksCache
from idp.oauth.request_object import RequestObjects
from idp.oauth.resource import AccessTokens, Introspection, Revocation, UserInfo
from idp.oauth.subject import SubjectIdentifiers
from idp.oauth.token_endpoint import TokenEndpoint
from idp.oauth.tokens import TokenSigner
from idp.platform import Platform
from idp.sessions import ActiveSession, SessionStore

LOCALES = ("vi", "en")
_LOGIN_HINT_CONTEXT = b"interaction:login_hint"


@dataclass(frozen=True)
class AuthorizationResponse:
    """Parameters to send back to the portal's redirect URI, by query or by auto-submitted form."""

    redirect_uri: str
    params: dict[str, str]
    response_mode: str


@dataclass(frozen=True)
class ShowInteraction:
    interaction_id: str
    step: Step


@dataclass(frozen=True)
class LoginOutcome:
    result: AuthorizationResponse | ShowInteraction | None
    session_cookie: str | None = None
    error_key: str | None = None
    locked_until: datetime | None = None


@dataclass
class InteractionView:
    """What the login, account-choice and consent pages show."""

    interaction: Interaction
    request: AuthorizationRequest
    client: Client
    step: str
    claims: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    person_name: str | None = None
    factor_kinds: list[str] = field(default_factory=list)


def pick_locale(ui_locales: list[str], fallback: str) -> str:
    for tag in ui_locales:
        base = tag.split("-")[0].lower()
        if base in LOCALES:
            return base
    return fallback


class OpenIDProvider:
    def __init__(self, platform: Platform) -> None:
        st = platform.settings
        self.platform = platform
        self.db = platform.db
        self.issuer = platform.issuer
        self.identities = IdentityStore(platform.sealer, platform.blind_index, platform.passwords)
        self.sessions = SessionStore(st.session_ttl, st.interaction_ttl)
        self.login = PasswordLogin(st, self.identities, platform.blind_index)
        self.subjects = SubjectIdentifiers(st.secrets.pairwise)
        self.signer = TokenSigner(
            self.issuer, platform.keys, st.access_token_ttl, st.id_token_ttl, st.logout_token_ttl
        )
        self.client_auth = ClientAuthenticator(
            self.issuer,
            f"{self.issuer}/token",
            st.client_assertion_max_age,
            RemoteJwksCache(),
            shared=platform.shared,
        )
        self.access_tokens = AccessTokens(self.signer, self.client_auth.clients)
        self.token_endpoint = TokenEndpoint(self.signer, self.subjects, self.identities, st.refresh_token_ttl)
        self.userinfo = UserInfo(self.access_tokens, self.identities, self.subjects)
        self.introspection = Introspection(self.access_tokens)
        self.revocation = Revocation(self.access_tokens)
        self.single_logout = SingleLogout(self.db, self.signer, self.subjects, self.sessions)
        self.factors = SecondFactors(platform, self.single_logout)
        # grant_type -> handler, filled by create_app from the extensions (idp.oauth.extension_grants).
        self.extension_grants: dict[str, ExtensionGrant] = {}
        self.request_objects = RequestObjects(self.issuer, self.client_auth.jwks)
        self.client_resolvers: list[ClientResolver] = []

    def use_client_resolvers(self, resolvers: list[ClientResolver]) -> None:
        """Extensions' resolvers for clients not in the table (authorize and token endpoints)."""
        self.client_resolvers[:] = resolvers
        self.client_auth.resolvers = self.client_resolvers

    # -- authorization endpoint ---------------------------------------------------------------------
    def begin(
        self,
        params: dict[str, str],
        *,
        session_cookie: str | None,
        browser_id: str,
    ) -> AuthorizationResponse | ShowInteraction:
        with self.db.session() as s:
            try:
                client, request = authorize.validate(
                    s,
                    params,
                    resolvers=self.client_resolvers,
                    request_objects=self.request_objects,
                    clients=self.client_auth.clients,
                )
            except RedirectableError as exc:
                return self._error(exc.target, exc.error)
            target = RedirectTarget(request.redirect_uri, request.state, request.response_mode)
            try:
                session = self.sessions.from_cookie(s, session_cookie)
                return self._advance(s, client, request, session, browser_id=browser_id, done=set())
            except OAuthError as exc:
                return self._error(target, exc)

    def _hint_matches(
        self, s: Session, client: Client, request: AuthorizationRequest, session: ActiveSession | None
    ) -> bool:
        """OIDC Core 3.1.2.1 id_token_hint: an ID token we issued to this client, expired or not."""
        if not request.id_token_hint:
            return True
        try:
            claims = self.signer.decode_own(request.id_token_hint, verify_exp=False)
        except OAuthError:
            raise InvalidRequest("id_token_hint is not a valid ID token issued by this provider") from None
        aud = claims.get("aud")
        if client.client_id not in ([aud] if isinstance(aud, str) else list(aud or [])):
            raise InvalidRequest("id_token_hint was not issued to this client")
        return session is not None and claims.get("sub") == self.subjects.for_client(
            client, session.identity.id
        )

    def _advance(
        self,
        s: Session,
        client: Client,
        request: AuthorizationRequest,
        session: ActiveSession | None,
        *,
        browser_id: str,
        done: set[str],
        interaction: Interaction | None = None,
    ) -> AuthorizationResponse | ShowInteraction:
        target = RedirectTarget(request.redirect_uri, request.state, request.response_mode)
        decision = decide(
            s,
            request,
            session,
            now=utcnow(),
            expected_sub_matches=self._hint_matches(s, client, request, session),
            just_logged_in="login" in done,
            just_consented="consent" in done,
            max_auth_level=self.factors.max_level(s, session.identity.id) if session else PASSWORD_LEVEL,
        )
        if decision.error is not None:
            if interaction is not None:
                self.sessions.complete(s, interaction.id)
            return self._error(target, decision.error)
        if decision.step is Step.ISSUE:
            assert session is not None
            if interaction is not None and not self.sessions.complete(s, interaction.id):
                raise InvalidPageRequest("error.interaction_finished")
            return self._issue(s, request, session)
        if interaction is None:
            interaction = self.sessions.new_interaction(
                s,
                browser_id=browser_id,
                client_id=client.client_id,
                request=self._stored(request, done),
                prompt=decision.step.value,
            )
        else:
            interaction.prompt = decision.step.value
            interaction.request = self._stored(request, done)
        if decision.step is Step.SECOND_FACTOR:
            assert session is not None
            # The second factor must be the same person's as the session it raises.
            interaction.identity_id = session.identity.id
        return ShowInteraction(interaction.id, decision.step)

    def _issue(
        self, s: Session, request: AuthorizationRequest, session: ActiveSession
    ) -> AuthorizationResponse:
        grant_id = create_grant(s, request, session)
        code = create_code(s, grant_id, request, self.platform.settings.authorization_code_ttl)
        self.sessions.add_client(s, session.row.sid, request.client_id)
        params = {"code": code, "iss": self.issuer}  # RFC 9207 Section 2: iss in every response
        if request.state is not None:
            params["state"] = request.state
        return AuthorizationResponse(request.redirect_uri, params, request.response_mode)

    def _error(self, target: RedirectTarget, error: OAuthError) -> AuthorizationResponse:
        params = {"error": error.error, "iss": self.issuer}
        if error.description:
            params["error_description"] = error.description
        if target.state is not None:
            params["state"] = target.state
        return AuthorizationResponse(target.redirect_uri, params, target.response_mode)

    # -- interactions -------------------------------------------------------------------------------
    def _load(
        self,
        s: Session,
        interaction_id: str,
        browser_id: str | None,
    ) -> tuple[Interaction, Client, AuthorizationRequest, set[str]]:
        found = self.sessions.interaction(s, interaction_id, browser_id)
        if found is None:
            raise InvalidPageRequest("error.interaction_expired")
        interaction, revision = found
        client = self.client_auth.clients.at_revision(s, interaction.client_id, revision)
        if client is None or client.disabled:
            raise InvalidPageRequest("error.unknown_client")
        data = interaction.request
        return interaction, client, self._unstored(data["req"]), set(data.get("done", []))

    # login_hint is usually the person's ID number or email: DESIGN.md data rules forbid keeping it in
    # clear in the database, so the copy of the request held by the interaction row carries it sealed.
    def _stored(self, request: AuthorizationRequest, done: set[str]) -> dict[str, Any]:
        req = request.to_json()
        if request.login_hint:
            sealed = self.platform.sealer.seal(request.login_hint.encode(), _LOGIN_HINT_CONTEXT)
            req["login_hint"] = base64.b64encode(sealed).decode()
        return {"req": req, "done": sorted(done)}

    def _unstored(self, req: dict[str, Any]) -> AuthorizationRequest:
        if req.get("login_hint"):
            try:
                hint: str | None = self.platform.sealer.open(
                    base64.b64decode(req["login_hint"]), _LOGIN_HINT_CONTEXT
                ).decode()
            except (ValueError, DecryptionError):
                hint = None  # stored before hints were sealed: the hint only pre-fills a form field
            req = {**req, "login_hint": hint}
        return AuthorizationRequest.from_json(req)

    def view(
        self, interaction_id: str, browser_id: str | None, session_cookie: str | None
    ) -> InteractionView:
        # Showing a page only reads: on SQLite a read session neither takes nor waits for the write lock.
        with self.db.read_session() as s:
            interaction, client, request, _ = self._load(s, interaction_id, browser_id)
            view = InteractionView(
                interaction,
                request,
                client,
                interaction.prompt,
                claims=requested_claim_names(request.scope, request.claims),
                scopes=[x for x in request.scope if x != "openid"],
            )
            session = self.sessions.from_cookie(s, session_cookie)
            if session is not None:
                view.person_name = self.identities.person(session.identity).full_name
                view.factor_kinds = sorted({f.kind for f in self.factors.confirmed(s, session.identity.id)})
            return view

    def submit_login(
        self,
        interaction_id: str,
        browser_id: str | None,
        *,
        username: str,
        password: str,
        ip: str | None,
        user_agent: str | None,
    ) -> LoginOutcome:
        # No hash is spent on a login that cannot go on: the interaction must be alive and this browser's
        # before the password is checked; the unit of work below loads it again and decides. One read
        # session for both, closed before the hash (PasswordLogin.check_first in two halves).
        with self.db.read_session() as read:
            if not self.sessions.may_continue(read, interaction_id, browser_id):
                raise InvalidPageRequest("error.interaction_expired")
            stored = self.login.stored_for_check(read, username=username, ip=ip)
        checked = self.login.verify_stored(stored, password)
        with self.db.session() as s:
            interaction, client, request, done = self._load(s, interaction_id, browser_id)
            result = self.login.attempt(
                s, username=username, password=password, ip=ip, client_id=client.client_id, checked=checked
            )
            if not result.ok or result.identity is None:
                key = "login.locked" if result.locked_until else "login.failed"
                return LoginOutcome(None, error_key=key, locked_until=result.locked_until)
            return self._logged_in(
                s,
                (interaction, client, request, done),
                result.identity,
                auth_level=PASSWORD_LEVEL,
                amr=["pwd"],
                ip=ip,
                user_agent=user_agent,
                browser_id=browser_id,
                audit_data={},
            )

    def complete_external_login(
        self,
        interaction_id: str,
        browser_id: str | None,
        *,
        identity_id: str,
        auth_level: int,
        amr: list[str],
        ip: str | None,
        user_agent: str | None,
        audit_data: dict[str, Any] | None = None,
    ) -> LoginOutcome:
        """Finish an interaction's login step for a person authenticated by another method (an upstream
        identity provider, the wallet): start the SSO session at ``auth_level`` with ``amr`` (RFC 8176)
        and carry the authorization request on. The caller has authenticated the person; this checks
        that the interaction belongs to this browser and that the identity may log in."""
        with self.db.session() as s:
            loaded = self._load(s, interaction_id, browser_id)
            identity = s.get(Identity, identity_id)
            if identity is None or identity.locked:
                audit.record(
                    s,
                    audit.AuditEvent.LOGIN_FAILED,
                    identity_id=identity.id if identity else None,
                    client_id=loaded[1].client_id,
                    ip=ip,
                    data={"reason": "account_locked" if identity else "unknown_identity", "amr": amr},
                )
                return LoginOutcome(None, error_key="login.failed")
            return self._logged_in(
                s,
                loaded,
                identity,
                auth_level=auth_level,
                amr=amr,
                ip=ip,
                user_agent=user_agent,
                browser_id=browser_id,
                audit_data=audit_data or {},
            )

    def _logged_in(
        self,
        s: Session,
        loaded: tuple[Interaction, Client, AuthorizationRequest, set[str]],
        identity: Identity,
        *,
        auth_level: int,
        amr: list[str],
        ip: str | None,
        user_agent: str | None,
        browser_id: str | None,
        audit_data: dict[str, Any],
    ) -> LoginOutcome:
        interaction, client, request, done = loaded
        row, cookie = self.sessions.start(
            s, identity=identity, auth_level=auth_level, amr=amr, ip=ip, user_agent=user_agent
        )
        audit.record(
            s,
            audit.AuditEvent.LOGIN_SUCCEEDED,
            identity_id=identity.id,
            client_id=client.client_id,
            ip=ip,
            data={**audit_data, "sid": row.sid, "amr": amr},
        )
        session = ActiveSession(row, identity)
        try:
            outcome = self._advance(
                s,
                client,
                request,
                session,
                browser_id=browser_id or "",
                done=done | {"login"},
                interaction=interaction,
            )
        except OAuthError as exc:
            outcome = self._error(
                RedirectTarget(request.redirect_uri, request.state, request.response_mode), exc
            )
        return LoginOutcome(outcome, session_cookie=cookie)

    def _step_up_session(
        self, s: Session, interaction: Interaction, session_cookie: str | None
    ) -> ActiveSession:
        session = self.sessions.from_cookie(s, session_cookie)
        if (
            interaction.prompt != Step.SECOND_FACTOR.value
            or session is None
            or session.identity.id != interaction.identity_id
        ):
            raise InvalidPageRequest("error.interaction_expired")
        return session

    def passkey_options(self, interaction_id: str, browser_id: str | None, session_cookie: str | None) -> str:
        with self.db.session() as s:
            interaction, *_ = self._load(s, interaction_id, browser_id)
            session = self._step_up_session(s, interaction, session_cookie)
            return self.factors.passkeys.authentication_options(s, session.identity.id)

    def submit_second_factor(
        self,
        interaction_id: str,
        browser_id: str | None,
        session_cookie: str | None,
        *,
        method: str,
        value: str | dict[str, Any],
        ip: str | None,
    ) -> LoginOutcome:
        """Step-up (issue 3): a second factor raises the session to level 3 without the password again."""
        with self.db.session() as s:
            interaction, client, request, done = self._load(s, interaction_id, browser_id)
            session = self._step_up_session(s, interaction, session_cookie)
            result = self.factors.step_up(s, session, method=method, value=value, ip=ip)
            if not result.ok:
                return LoginOutcome(None, error_key="factor.locked" if result.locked else "factor.failed")
            try:
                outcome = self._advance(
                    s,
                    client,
                    request,
                    session,
                    browser_id=browser_id or "",
                    done=done,
                    interaction=interaction,
                )
            except OAuthError as exc:
                target = RedirectTarget(request.redirect_uri, request.state, request.response_mode)
                outcome = self._error(target, exc)
            return LoginOutcome(outcome)

    def submit_consent(
        self,
        interaction_id: str,
        browser_id: str | None,
        session_cookie: str | None,
        *,
        approve: bool,
        ip: str | None,
    ) -> AuthorizationResponse | ShowInteraction:
        with self.db.session() as s:
            interaction, client, request, done = self._load(s, interaction_id, browser_id)
            target = RedirectTarget(request.redirect_uri, request.state, request.response_mode)
            session = self.sessions.from_cookie(s, session_cookie)
            if session is None:
                return self._advance(
                    s, client, request, None, browser_id=browser_id or "", done=set(), interaction=interaction
                )
            if not approve:
                self.sessions.complete(s, interaction.id)
                return self._error(target, AccessDenied("the user declined"))
            self._remember_consent(s, session.identity, client, request, ip)
            return self._advance(
                s,
                client,
                request,
                session,
                browser_id=browser_id or "",
                done=done | {"consent"},
                interaction=interaction,
            )

    def _remember_consent(
        self, s: Session, identity: Identity, client: Client, request: AuthorizationRequest, ip: str | None
    ) -> None:
        scopes = sorted(set(request.scope) - {"openid"})
        claims = requested_claim_names(request.scope, request.claims)
        row = s.scalar(
            select(Consent).where(Consent.identity_id == identity.id, Consent.client_id == client.client_id)
        )
        if row is None:
            row = Consent(identity_id=identity.id, client_id=client.client_id, scopes=[], claims=[])
            s.add(row)
        if row.revoked_at is not None:
            row.scopes, row.claims, row.revoked_at = [], [], None
        row.scopes = sorted(set(row.scopes) | set(scopes))
        row.claims = sorted(set(row.claims) | set(claims))
        row.updated_at = utcnow()
        audit.record(
            s,
            audit.AuditEvent.CONSENT_GIVEN,
            identity_id=identity.id,
            client_id=client.client_id,
            ip=ip,
            data={"scopes": scopes, "claims": claims},
        )

    def select_account(
        self, interaction_id: str, browser_id: str | None, session_cookie: str | None, *, use_current: bool
    ) -> AuthorizationResponse | ShowInteraction:
        with self.db.session() as s:
            interaction, client, request, done = self._load(s, interaction_id, browser_id)
            session = self.sessions.from_cookie(s, session_cookie) if use_current else None
            # Choosing "another account" means a fresh login, whatever session this browser has.
            done = done | {"login"} if use_current else done - {"login"}
            if not use_current:
                interaction.prompt = Step.LOGIN.value
                interaction.request = self._stored(request, done)
                return ShowInteraction(interaction.id, Step.LOGIN)
            return self._advance(
                s, client, request, session, browser_id=browser_id or "", done=done, interaction=interaction
            )

    def cancel(self, interaction_id: str, browser_id: str | None) -> AuthorizationResponse:
        with self.db.session() as s:
            interaction, _client, request, _ = self._load(s, interaction_id, browser_id)
            self.sessions.complete(s, interaction.id)
            return self._error(
                RedirectTarget(request.redirect_uri, request.state, request.response_mode),
                AccessDenied("the user cancelled the login"),
            )

    # -- token side ---------------------------------------------------------------------------------
    def authenticate_client(self, s: Session, authorization: str | None, form: dict[str, str]) -> Client:
        return self.client_auth.authenticate(s, parse_credentials(authorization, form))

    def token(self, authorization: str | None, form: dict[str, str], ip: str | None) -> dict[str, Any]:
        with self.db.session() as s:
            if (extension := self.extension_grants.get(form.get("grant_type") or "")) is not None:
                return extension(s, authorization, form, ip)
            client = self.authenticate_client(s, authorization, form)
            return self.token_endpoint.handle(s, client, form, ip)

    def userinfo_response(self, token: str) -> tuple[str | None, dict[str, Any]]:
        """OIDC Core 5.3: the claims, or (when the client asked for it) the claims as a signed JWT."""
        # UserInfo only reads: on SQLite a read neither takes nor waits for the write lock, and its one
        # statement runs on the connection without an ORM session (``Database.reads``).
        with self.db.reads() as s:
            client, claims = self.userinfo.claims(s, token)
            alg, client_id = (
                client.userinfo_signed_response_alg,
                client.client_id,
            )  # read while the connection is open
        if alg:
            # OIDC Core 5.3.2: a signed response is a JWT with iss and aud.
            return self.signer.sign({**claims, "iss": self.issuer, "aud": client_id}, alg=alg), claims
        return None, claims

    def introspect(self, authorization: str | None, form: dict[str, str]) -> dict[str, Any]:
        creds = parse_credentials(authorization, form)
        # Introspection only reads, except that a client assertion's jti is recorded against replay (RFC
        # 7523 Section 3): the other methods only read (``Database.reads``), which on SQLite neither takes
        # nor waits for the write lock.
        with self.db.session() if creds.method == "private_key_jwt" else self.db.reads() as s:
            client = self.client_auth.authenticate(s, creds)
            if client.is_public:
                raise UnauthorizedClient("public clients cannot introspect tokens")
            if not form.get("token"):
                raise InvalidRequest("token is required")
            return self.introspection.inspect(s, client, form)

    def revoke(self, authorization: str | None, form: dict[str, str], ip: str | None) -> None:
        with self.db.session() as s:
            client = self.authenticate_client(s, authorization, form)
            if not form.get("token"):
                raise InvalidRequest("token is required")
            # RFC 7009 Section 2.1: the hint only speeds up the search; an unknown hint is ignored.
            self.revocation.revoke(s, client, form, ip)
