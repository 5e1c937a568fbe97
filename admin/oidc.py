"""How an operator signs in: the console is an OpenID Connect relying party of NIXA (OIDC Core 1.0,
authorization code flow with PKCE S256, RFC 7636) and insists on ``urn:nixa:loa:3`` in the ID token.

The pending request (state, nonce, PKCE verifier) is a database row bound to the browser that started it
and consumed once; the ID token is validated as OIDC Core Section 3.1.3.7 says.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, update

from admin.console_client import OPERATOR_ACR
from admin.models import PendingSignIn
from admin.settings import AdminSettings
from idp.crypto import constant_time_equal, new_token, sha256_hex
from idp.db import Database, utcnow

ID_TOKEN_ALGS = ["ES256", "RS256"]
CLOCK_SKEW_S = 60
_METADATA_TTL_S = 300.0


class SignInRefused(Exception):
    """The sign-in cannot complete; ``key`` names the message the operator is shown (no details)."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(detail or key)
        self.key = key
        self.detail = detail


@dataclass(frozen=True)
class SignedIn:
    identity_id: str
    acr: str
    sid: str | None
    next_path: str


def safe_next(path: str | None) -> str:
    """Only a path on the console itself, so the sign-in cannot be turned into an open redirect."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path[:255]


class OperatorSignIn:
    def __init__(
        self, db: Database, issuer: str, admin: AdminSettings, client_secret: str, http: httpx.Client
    ) -> None:
        self.db = db
        self.issuer = issuer
        self.admin = admin
        self.client_secret = client_secret
        self.http = http
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] = {}
        self._metadata_at = 0.0

    # -- provider metadata (Discovery 1.0) ----------------------------------------------------------
    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata and time.monotonic() - self._metadata_at < _METADATA_TTL_S:
                return self._metadata
        try:
            response = self.http.get(f"{self.issuer}/.well-known/openid-configuration")
            response.raise_for_status()
            doc = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise SignInRefused("admin.signin.unavailable", f"discovery: {type(exc).__name__}") from None
        # Discovery 1.0 Section 4.3: the issuer returned MUST be identical to the one asked for.
        if doc.get("issuer") != self.issuer:
            raise SignInRefused("admin.signin.failed", "discovery issuer mismatch")
        with self._lock:
            self._metadata, self._metadata_at = doc, time.monotonic()
        return doc

    # -- the authorization request ------------------------------------------------------------------
    def start(self, browser_secret: str, next_path: str | None) -> str:
        """A new pending sign-in; returns the authorization URL to send the browser to."""
        state, nonce, verifier = new_token(24), new_token(24), secrets.token_urlsafe(64)
        with self.db.session() as s:
            # Anyone may start a sign-in: expired ones are swept so that the table cannot grow without end.
            s.execute(delete(PendingSignIn).where(PendingSignIn.expires_at < utcnow()))
            s.add(
                PendingSignIn(
                    state_hash=sha256_hex(state),
                    browser_hash=sha256_hex(browser_secret),
                    nonce=nonce,
                    code_verifier=verifier,
                    next_path=safe_next(next_path),
                    expires_at=utcnow() + timedelta(seconds=self.admin.login_ttl),
                )
            )
        params = {
            "response_type": "code",
            "client_id": self.admin.client_id,
            "redirect_uri": self.admin.redirect_uri,
            "scope": "openid profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
            "acr_values": OPERATOR_ACR,
            # An operator proves both factors for every console session, whatever SSO session exists.
            "prompt": "login",
        }
        return f"{self.metadata()['authorization_endpoint']}?{urlencode(params)}"

    # -- the authorization response -----------------------------------------------------------------
    def finish(self, params: dict[str, str], browser_secret: str | None) -> SignedIn:
        pending = self._consume(params.get("state"), browser_secret)
        meta = self.metadata()
        # RFC 9207 Section 2.4: a client that knows the server sends iss MUST compare it with the issuer.
        iss_expected = meta.get("authorization_response_iss_parameter_supported") or "iss" in params
        if iss_expected and params.get("iss") != self.issuer:
            raise SignInRefused("admin.signin.failed", "iss mismatch in authorization response")
        if "error" in params:
            key = (
                "admin.signin.level"
                if params["error"] == "unmet_authentication_requirements"
                else "admin.signin.cancelled"
            )
            raise SignInRefused(key, params["error"])
        code = params.get("code")
        if not code:
            raise SignInRefused("admin.signin.failed", "no code")
        tokens = self._redeem(meta, code, pending.code_verifier)
        claims = self._validate_id_token(meta, tokens.get("id_token"), pending.nonce)
        return SignedIn(claims["sub"], claims["acr"], claims.get("sid"), pending.next_path)

    def _consume(self, state: str | None, browser_secret: str | None) -> PendingSignIn:
        if not state or not browser_secret:
            raise SignInRefused("admin.signin.expired", "no state or no browser cookie")
        with self.db.session() as s:
            done = s.execute(
                update(PendingSignIn)
                .where(
                    PendingSignIn.state_hash == sha256_hex(state),
                    PendingSignIn.used_at.is_(None),
                    PendingSignIn.expires_at > utcnow(),
                )
                .values(used_at=utcnow())
            )
            row = s.get(PendingSignIn, sha256_hex(state))
            # Single use is the conditional UPDATE above: a replayed state changes no row.
            if done.rowcount != 1 or row is None:  # type: ignore[attr-defined]
                raise SignInRefused("admin.signin.expired", "unknown, used or expired state")
            if not constant_time_equal(row.browser_hash, sha256_hex(browser_secret)):
                raise SignInRefused("admin.signin.expired", "state from another browser")
            s.expunge(row)
            return row

    def _redeem(self, meta: dict[str, Any], code: str, verifier: str) -> dict[str, Any]:
        try:
            response = self.http.post(
                meta["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.admin.redirect_uri,
                    "code_verifier": verifier,
                },
                auth=(self.admin.client_id, self.client_secret),
            )
        except httpx.HTTPError as exc:
            raise SignInRefused(
                "admin.signin.failed", f"token endpoint unreachable: {type(exc).__name__}"
            ) from None
        if response.status_code != 200:
            raise SignInRefused("admin.signin.failed", f"token endpoint said {response.status_code}")
        body: dict[str, Any] = response.json()
        return body

    def _keys(self, meta: dict[str, Any]) -> KeySet:
        return KeySet.import_key_set(self.http.get(meta["jwks_uri"]).json())

    def _validate_id_token(self, meta: dict[str, Any], id_token: Any, nonce: str) -> dict[str, Any]:
        """OIDC Core Section 3.1.3.7, each numbered rule that applies to this client."""
        if not isinstance(id_token, str):
            raise SignInRefused("admin.signin.failed", "no id_token")
        try:
            claims = jwt.decode(id_token, self._keys(meta), algorithms=ID_TOKEN_ALGS).claims
        except (JoseError, ValueError) as exc:
            raise SignInRefused("admin.signin.failed", f"id_token: {type(exc).__name__}") from None
        now = int(time.time())
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else list(aud or [])
        checks = {
            # 2. The Issuer Identifier MUST exactly match the value of the iss Claim.
            "iss": claims.get("iss") == self.issuer,
            # 3. The aud Claim MUST contain the client_id; 4./5. azp, when present, MUST be our client_id.
            "aud": self.admin.client_id in audiences
            and claims.get("azp", self.admin.client_id) == self.admin.client_id,
            # 9. The current time MUST be before the time represented by the exp Claim.
            "exp": isinstance(claims.get("exp"), int) and claims["exp"] > now - CLOCK_SKEW_S,
            "iat": isinstance(claims.get("iat"), int) and claims["iat"] < now + CLOCK_SKEW_S,
            # 11. The nonce Claim Value MUST be checked to verify it is the same value as sent.
            "nonce": isinstance(claims.get("nonce"), str) and constant_time_equal(claims["nonce"], nonce),
            "sub": isinstance(claims.get("sub"), str) and bool(claims["sub"]),
        }
        if failed := [name for name, ok in checks.items() if not ok]:
            raise SignInRefused("admin.signin.failed", f"id_token check failed: {', '.join(failed)}")
        # 12. The acr Claim is checked against what was requested: asking for level 3 is not enough, the
        # ID token itself must say the operator reached it.
        if claims.get("acr") != OPERATOR_ACR:
            raise SignInRefused("admin.signin.level", f"acr {claims.get('acr')!r}")
        return claims
