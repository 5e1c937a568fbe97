"""Single logout: OpenID Connect RP-Initiated, Back-Channel and Front-Channel Logout 1.0.

The browser's session ends only after the person confirms on our page. Every portal that took part in the
session is then told: by a signed logout token POSTed to its back-channel URI (stored as ``LogoutDelivery``
rows, retried with exponential back-off by ``deliver_due``) and by a hidden iframe on the logged-out page.
No FastAPI here: routes render what these functions return.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import sha256_hex
from idp.db import Database, utcnow
from idp.errors import InvalidPageRequest, OAuthError
from idp.models import Client, Grant, LogoutDelivery, SsoSession
from idp.oauth.grants import revoke_grant
from idp.oauth.subject import SubjectIdentifiers
from idp.oauth.tokens import TokenSigner
from idp.params import DUPLICATE
from idp.platform import Platform
from idp.sessions import SessionStore

log = logging.getLogger("nixa.logout")

# RP-Initiated Logout 1.0 Section 2: the parameters of a logout request.
LOGOUT_PARAMS = (
    "id_token_hint",
    "logout_hint",
    "client_id",
    "post_logout_redirect_uri",
    "state",
    "ui_locales",
)
DEFAULT_BACKOFF_BASE = 2.0  # seconds before the first retry; doubles after every failed attempt
MAX_BACKOFF = 3600.0


@dataclass(frozen=True)
class LogoutRequest:
    """A validated logout request; ``params`` are echoed by the confirmation form and checked again."""

    params: dict[str, str]
    client_id: str | None = None
    client_name: str | None = None
    redirect_to: str | None = None  # the registered post_logout_redirect_uri with state added
    ui_locales: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LogoutResult:
    request: LogoutRequest
    ended: bool
    frontchannel_urls: list[str]
    deliveries: list[int]
    sid: str | None = None


def with_query(uri: str, params: dict[str, str]) -> str:
    """Add parameters, keeping any query the URI already has (Front-Channel Logout 1.0 Section 2: MUST be
    retained)."""
    if not params:
        return uri
    sep = "&" if "?" in uri else "?"
    return uri + sep + urlencode(params)


# -- RP-Initiated Logout 1.0: validating the request ------------------------------------------------------
def parse(params: dict[str, str]) -> dict[str, str]:
    """Only the logout parameters, each once (RFC 6749 Section 3.1 applies to every OAuth endpoint).

    logout_hint is carried but not used: whatever it names, only this browser's session can be ended.
    """
    if any(params.get(name) == DUPLICATE for name in LOGOUT_PARAMS):
        raise InvalidPageRequest("error.logout_repeated_parameter")
    return {name: params[name] for name in LOGOUT_PARAMS if params.get(name)}


def hint_claims(signer: TokenSigner, id_token_hint: str) -> dict[str, Any]:
    """RP-Initiated Logout 1.0 Section 2: the OP MUST validate that it was the issuer of the ID Token.

    Expired ID tokens are accepted (Section 2: the OP SHOULD accept them when the RP had a recent session);
    the ``typ`` check keeps access and logout tokens, signed by the same keys, from passing as ID tokens.
    """
    try:
        claims = signer.decode_own(id_token_hint, typ="jwt", verify_exp=False)
    except OAuthError:
        raise InvalidPageRequest("error.logout_bad_id_token_hint") from None
    if not isinstance(claims.get("sub"), str) or "exp" not in claims or "events" in claims:
        raise InvalidPageRequest("error.logout_bad_id_token_hint")
    return claims


def _audience(claims: dict[str, Any]) -> list[str]:
    aud = claims.get("aud")
    return [aud] if isinstance(aud, str) else [a for a in aud or [] if isinstance(a, str)]


def identify_client(s: Session, claims: dict[str, Any] | None, client_id: str | None) -> Client | None:
    """The portal asking for logout: the client_id parameter, else the ID token's azp or single audience."""
    if claims is not None:
        aud = _audience(claims)
        # RP-Initiated Logout 1.0 Section 2: when both client_id and id_token_hint are present, the OP MUST
        # verify that the Client Identifier matches the one used when issuing the ID Token.
        if client_id is not None and client_id not in aud:
            raise InvalidPageRequest("error.logout_client_mismatch")
        client_id = client_id or claims.get("azp") or (aud[0] if len(aud) == 1 else None)
    if client_id is None:
        return None
    client = s.get(Client, client_id)
    if client is None or client.disabled:
        raise InvalidPageRequest("error.logout_unknown_client")
    return client


def redirect_target(client: Client | None, uri: str | None, state: str | None) -> str | None:
    """RP-Initiated Logout 1.0 Section 3: redirect only to a URI registered for the identified portal."""
    if uri is None:
        return None
    # Section 3: without an ID token the OP MUST NOT redirect unless it can confirm the target otherwise;
    # here that is the client_id naming a portal with this exact URI registered, plus the person's consent.
    if client is None:
        raise InvalidPageRequest("error.logout_redirect_without_client")
    # Section 3: the OP MUST NOT redirect if the URI does not exactly match a registered one.
    if uri not in client.post_logout_redirect_uris:
        raise InvalidPageRequest("error.logout_bad_post_logout_redirect_uri")
    # Section 2: state is passed back to the RP when redirecting.
    return with_query(uri, {"state": state} if state else {})


def validate(s: Session, signer: TokenSigner, raw: dict[str, str]) -> LogoutRequest:
    """RP-Initiated Logout 1.0 Section 4: a request that fails validation is refused as a whole (an error
    page, never a redirect), since information that failed to validate MUST NOT be used."""
    params = parse(raw)
    hint = params.get("id_token_hint")
    claims = hint_claims(signer, hint) if hint else None
    client = identify_client(s, claims, params.get("client_id"))
    target = redirect_target(client, params.get("post_logout_redirect_uri"), params.get("state"))
    return LogoutRequest(
        params,
        client.client_id if client else None,
        client.name if client else None,
        target,
        params.get("ui_locales", "").split(),
    )


def browser_session(s: Session, cookie: str | None) -> SsoSession | None:
    """The browser's session if not yet ended. Expired ones count too: their portals may still be logged in
    and deserve the logout notice."""
    if not cookie:
        return None
    row = s.scalar(select(SsoSession).where(SsoSession.cookie_hash == sha256_hex(cookie)))
    return row if row is not None and row.ended_at is None else None


# -- ending the session -----------------------------------------------------------------------------------
def revoke_online_grants(s: Session, sid: str) -> int:
    """Back-Channel Logout 1.0 Section 2.7: tokens issued without offline_access SHOULD be revoked; those
    with offline_access normally SHOULD NOT be (the person asked for access while not logged in)."""
    rows = s.execute(select(Grant.id, Grant.scope).where(Grant.sid == sid, Grant.revoked_at.is_(None))).all()
    online = [grant_id for grant_id, scope in rows if "offline_access" not in scope.split()]
    for grant_id in online:
        revoke_grant(s, grant_id, "logout")
    return len(online)


def frontchannel_url(client: Client, issuer: str, sid: str) -> str:
    """Front-Channel Logout 1.0 Section 2: iss and sid when the portal registered that it needs them
    (frontchannel_logout_session_required); if either is included, both MUST be."""
    params = {"iss": issuer, "sid": sid} if client.frontchannel_logout_session_required else {}
    return with_query(str(client.frontchannel_logout_uri), params)


class SingleLogout:
    def __init__(
        self, db: Database, signer: TokenSigner, subjects: SubjectIdentifiers, sessions: SessionStore
    ) -> None:
        self.db = db
        self.signer = signer
        self.subjects = subjects
        self.sessions = sessions

    def check(self, params: dict[str, str], session_cookie: str | None) -> tuple[LogoutRequest, bool]:
        """Validate a logout request for the confirmation page; also says whether there is a session."""
        with self.db.session() as s:
            return validate(s, self.signer, params), browser_session(s, session_cookie) is not None

    def confirm(self, params: dict[str, str], session_cookie: str | None, ip: str | None) -> LogoutResult:
        """The person confirmed: end the session and notify its portals, in one transaction with the audit."""
        with self.db.session() as s:
            request = validate(s, self.signer, params)
            row = browser_session(s, session_cookie)
            if row is None:
                # Section 4: logout requests are idempotent; no session is not an error.
                return LogoutResult(request, ended=False, frontchannel_urls=[], deliveries=[])
            clients = self._end(s, row, request.client_id, ip)
            # Section 2: the OP notifies every RP of this session by the logout mechanisms it registered.
            frontchannel = [
                frontchannel_url(c, self.signer.issuer, row.sid) for c in clients if c.frontchannel_logout_uri
            ]
            deliveries = self._queue_backchannel(s, [c for c in clients if c.backchannel_logout_uri], row)
            return LogoutResult(
                request, ended=True, frontchannel_urls=frontchannel, deliveries=deliveries, sid=row.sid
            )

    def end_identity_sessions(
        self, s: Session, identity_id: str, *, keep_sid: str | None, ip: str | None
    ) -> tuple[int, list[int]]:
        """End every open session of a person but ``keep_sid`` (a changed password or factor), each as a
        single logout: grants revoked and portals told by back-channel. Returns (sessions, deliveries)."""
        rows = s.scalars(
            select(SsoSession).where(
                SsoSession.identity_id == identity_id,
                SsoSession.ended_at.is_(None),
                SsoSession.sid != (keep_sid or ""),
            )
        ).all()
        deliveries: list[int] = []
        for row in rows:
            clients = self._end(s, row, None, ip)
            deliveries += self._queue_backchannel(s, [c for c in clients if c.backchannel_logout_uri], row)
        return len(rows), deliveries

    def end_session(self, s: Session, sid: str, *, ip: str | None) -> list[int]:
        """End one session by its sid (an upstream provider logged the person out): grants revoked and its
        portals told by back-channel, as at the logout page. Returns the queued deliveries."""
        row = s.get(SsoSession, sid)
        if row is None or row.ended_at is not None:
            return []
        clients = self._end(s, row, None, ip)
        return self._queue_backchannel(s, [c for c in clients if c.backchannel_logout_uri], row)

    def _end(self, s: Session, row: SsoSession, client_id: str | None, ip: str | None) -> list[Client]:
        # RP-Initiated Logout 1.0 Section 2: if the End-User says "yes", the OP MUST log out the End-User.
        client_ids = self.sessions.end(s, row.sid)
        revoked = revoke_online_grants(s, row.sid)
        audit.record(
            s,
            audit.AuditEvent.LOGOUT,
            identity_id=row.identity_id,
            client_id=client_id,
            ip=ip,
            data={"sid": row.sid, "clients": sorted(client_ids), "grants_revoked": revoked},
        )
        clients = [s.get(Client, cid) for cid in sorted(client_ids)]
        return [c for c in clients if c is not None]

    def _queue_backchannel(self, s: Session, clients: list[Client], row: SsoSession) -> list[int]:
        """Back-Channel Logout 1.0 Section 2.4: one logout token per portal, with that portal's sub.

        sid is always included, which satisfies Section 2.2 (with backchannel_logout_session_required the
        sid MUST be included) and is right for the others too: without sid the token means "every session of
        this person" (Section 2.4), and only this browser's session ended.
        """
        rows = []
        for client in clients:
            sub = self.subjects.for_client(client, row.identity_id)
            token = self.signer.logout_token(client=client, sub=sub, sid=row.sid)
            rows.append(
                LogoutDelivery(
                    client_id=client.client_id,
                    uri=client.backchannel_logout_uri,
                    logout_token=token,
                    sid=row.sid,
                    next_attempt_at=utcnow(),
                )
            )
        s.add_all(rows)
        s.flush()
        return [r.id for r in rows]


# -- Back-Channel Logout 1.0: delivery ----------------------------------------------------------------------
@dataclass(frozen=True)
class _Job:
    id: int
    uri: str
    token: str


def backoff(attempts: int, base: float) -> float:
    return float(min(MAX_BACKOFF, base * 2 ** max(0, attempts - 1)))


def _fresh_token(s: Session, signer: TokenSigner, row: LogoutDelivery, margin: float) -> str:
    """A retry may come after the token expired (Section 2.4: exp is required): sign it again if so."""
    try:
        claims = signer.decode_own(row.logout_token, typ="logout+jwt", verify_exp=False)
    except OAuthError:
        return row.logout_token
    client = s.get(Client, row.client_id)
    if client is None or int(claims.get("exp", 0)) - utcnow().timestamp() > margin:
        return row.logout_token
    row.logout_token = signer.logout_token(client=client, sub=claims.get("sub"), sid=claims.get("sid"))
    return row.logout_token


def _claim_due(platform: Platform, signer: TokenSigner, limit: int) -> list[_Job]:
    """Take due deliveries for one attempt; the lease keeps another worker from sending them meanwhile."""
    lease = timedelta(seconds=platform.settings.backchannel_timeout + 5)
    pending = (LogoutDelivery.delivered_at.is_(None), LogoutDelivery.failed.is_(False))
    jobs = []
    with platform.db.session() as s:
        now = utcnow()
        due = s.scalars(
            select(LogoutDelivery)
            .where(*pending, LogoutDelivery.next_attempt_at <= now)
            .order_by(LogoutDelivery.next_attempt_at)
            .limit(limit)
        ).all()
        for row in due:
            taken = s.execute(
                update(LogoutDelivery)
                .where(LogoutDelivery.id == row.id, *pending, LogoutDelivery.next_attempt_at <= now)
                .values(next_attempt_at=now + lease)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                token = _fresh_token(s, signer, row, platform.settings.backchannel_timeout + 10)
                jobs.append(_Job(row.id, row.uri, token))
    return jobs


def post_logout_token(uri: str, token: str, timeout: float) -> str | None:
    """Back-Channel Logout 1.0 Section 2.5: POST logout_token as a form. Returns None or why it failed."""
    try:
        # Redirects are not followed: the registered URI is the only place the token may go.
        resp = httpx.post(uri, data={"logout_token": token}, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as exc:
        return type(exc).__name__
    # Section 2.8: the RP answers 200 OK on success; OPs should also accept 204 No Content.
    return None if resp.status_code in (200, 204) else f"HTTP {resp.status_code}"


def _record(platform: Platform, results: list[tuple[_Job, str | None]], backoff_base: float) -> None:
    max_attempts = platform.settings.backchannel_max_attempts
    with platform.db.session() as s:
        now = utcnow()
        for job, error in results:
            row = s.get(LogoutDelivery, job.id)
            if row is None:
                continue
            row.attempts += 1
            row.last_error = error[:255] if error else None
            if error is None:
                row.delivered_at = now
            elif row.attempts >= max_attempts:
                row.failed = True
                log.warning("back-channel logout to client %s failed for good: %s", row.client_id, error)
            else:
                row.next_attempt_at = now + timedelta(seconds=backoff(row.attempts, backoff_base))


def _next_due(db: Database) -> datetime | None:
    with db.session() as s:
        return s.scalar(
            select(func.min(LogoutDelivery.next_attempt_at)).where(
                LogoutDelivery.delivered_at.is_(None), LogoutDelivery.failed.is_(False)
            )
        )


def deliver_due(
    platform: Platform,
    *,
    backoff_base: float = DEFAULT_BACKOFF_BASE,
    limit: int = 50,
) -> datetime | None:
    """Attempt every due delivery once (in parallel); returns when the next pending one is due."""
    st = platform.settings
    signer = TokenSigner(
        platform.issuer, platform.keys, st.access_token_ttl, st.id_token_ttl, st.logout_token_ttl
    )
    jobs = _claim_due(platform, signer, limit)
    if jobs:
        # The HTTP calls run outside any database transaction: a slow portal must not hold a lock.
        with ThreadPoolExecutor(max_workers=min(8, len(jobs)), thread_name_prefix="nixa-logout") as pool:
            errors = list(pool.map(lambda j: post_logout_token(j.uri, j.token, st.backchannel_timeout), jobs))
        _record(platform, list(zip(jobs, errors, strict=True)), backoff_base)
    return _next_due(platform.db)
