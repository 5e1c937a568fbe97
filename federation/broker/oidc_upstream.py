"""NIXA as a relying party of an upstream OpenID Provider: OIDC Core 1.0 code flow with PKCE (RFC 7636).

Discovery 1.0 metadata and the provider's JWKS are cached; the JWKS is fetched again once when an ID
token names a ``kid`` it does not hold (key rotation), never more than that per token. No FastAPI here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from federation.broker.errors import UpstreamLoginRefused, UpstreamUnavailable
from idp.crypto import constant_time_equal, new_token, sha256_hex

# Asymmetric algorithms only: an HMAC-signed ID token would be signed with our own client secret.
ID_TOKEN_ALGS = ["RS256", "PS256", "ES256", "ES384", "EdDSA"]
CLOCK_SKEW = 60  # seconds of clock difference tolerated on exp, iat and nbf
MAX_IAT_AGE = 600  # an ID token issued longer ago than this is stale, whatever its exp
HTTP_TIMEOUT = 10.0


@dataclass(frozen=True)
class UpstreamMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    end_session_endpoint: str | None
    raw: dict[str, Any]


def _get_json(url: str) -> dict[str, Any]:
    try:
        resp = httpx.get(url, timeout=HTTP_TIMEOUT, follow_redirects=False)
        resp.raise_for_status()
        data = resp.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise UpstreamUnavailable(f"cannot read {url}: {type(exc).__name__}") from exc
    if not isinstance(data, dict):
        raise UpstreamUnavailable(f"{url} did not return a JSON object")
    return data


class UpstreamDirectory:
    """Cached discovery documents and key sets, one entry per URL."""

    def __init__(self, ttl: float = 300.0, min_refresh: float = 5.0) -> None:
        self.ttl = ttl
        # An unknown kid forces a fetch, at most this often per URL: anyone can post a logout token with a
        # made-up kid, and NIXA must not be turned into a flood of requests at the provider.
        self.min_refresh = min_refresh
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}

    def _cached(self, url: str, *, fresh: bool = False) -> dict[str, Any]:
        with self._lock:
            hit = self._cache.get(url)
        age = time.monotonic() - hit[0] if hit else None
        if hit and age is not None and ((age < self.ttl and not fresh) or age < self.min_refresh):
            return hit[1]
        data = _get_json(url)
        with self._lock:
            self._cache[url] = (time.monotonic(), data)
        return data

    def metadata(self, discovery_url: str) -> UpstreamMetadata:
        doc = self._cached(discovery_url)
        issuer = doc.get("issuer")
        # Discovery 1.0 Section 4.3: the issuer MUST be identical to the URL the configuration was read from
        # (less the well-known suffix), or the document MUST NOT be used.
        expected = discovery_url.removesuffix("/.well-known/openid-configuration")
        if not isinstance(issuer, str) or issuer.rstrip("/") != expected.rstrip("/"):
            raise UpstreamUnavailable("the discovery document names another issuer")
        try:
            return UpstreamMetadata(
                issuer=issuer,
                authorization_endpoint=str(doc["authorization_endpoint"]),
                token_endpoint=str(doc["token_endpoint"]),
                jwks_uri=str(doc["jwks_uri"]),
                userinfo_endpoint=doc.get("userinfo_endpoint"),
                end_session_endpoint=doc.get("end_session_endpoint"),
                raw=doc,
            )
        except KeyError as exc:
            raise UpstreamUnavailable(f"discovery document lacks {exc.args[0]}") from exc

    def keys(self, jwks_uri: str, *, fresh: bool = False) -> KeySet:
        data = self._cached(jwks_uri, fresh=fresh)
        if not isinstance(data.get("keys"), list):
            raise UpstreamUnavailable("jwks_uri did not return a JWK Set")
        return KeySet.import_key_set(data)  # type: ignore[arg-type]


@dataclass(frozen=True)
class AuthorizationStart:
    url: str
    state: str
    nonce: str
    code_verifier: str


def pkce_pair() -> tuple[str, str]:
    verifier = new_token(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorization_url(
    meta: UpstreamMetadata,
    *,
    client_id: str,
    redirect_uri: str,
    scopes: list[str],
    acr_values: list[str],
    acr_claim_values: list[str] | None = None,
) -> AuthorizationStart:
    """OIDC Core 3.1.2.1 with state (CSRF, RFC 6749 10.12), nonce (replay, 3.1.2.1) and PKCE S256."""
    state, nonce = new_token(32), new_token(32)
    verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if acr_values:
        params["acr_values"] = " ".join(acr_values)
    elif acr_claim_values:
        # OIDC Core 5.5.1.1: a voluntary acr claim request, so the provider says which level it reached.
        params["claims"] = json.dumps({"id_token": {"acr": {"values": acr_claim_values}}})
    sep = "&" if "?" in meta.authorization_endpoint else "?"
    return AuthorizationStart(meta.authorization_endpoint + sep + urlencode(params), state, nonce, verifier)


def _audience(claims: dict[str, Any]) -> list[str]:
    aud = claims.get("aud")
    return [aud] if isinstance(aud, str) else [a for a in aud or [] if isinstance(a, str)]


def check_id_token_claims(
    claims: dict[str, Any], *, issuer: str, client_id: str, nonce_hash: str, now: float
) -> None:
    """OIDC Core 3.1.3.7 steps 2-11, each a MUST, on an ID token whose signature already verified."""
    # Step 2: the iss MUST exactly match the Issuer Identifier of the provider.
    if claims.get("iss") != issuer:
        raise UpstreamLoginRefused("id_token iss is not the provider's issuer")
    # Step 3: aud MUST contain our client_id; an audience we do not trust MUST be rejected.
    aud = _audience(claims)
    if client_id not in aud:
        raise UpstreamLoginRefused("id_token aud does not name this client")
    if len(aud) > 1:
        raise UpstreamLoginRefused("id_token has audiences this client does not trust")
    # Step 5 (azp): when present it MUST be our client_id.
    if "azp" in claims and claims["azp"] != client_id:
        raise UpstreamLoginRefused("id_token azp is another client")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        raise UpstreamLoginRefused("id_token lacks exp or iat")
    # Step 9: the current time MUST be before exp.
    if now >= exp + CLOCK_SKEW:
        raise UpstreamLoginRefused("id_token has expired")
    # Step 10: iat can reject tokens issued too far from the current time (future or stale).
    if iat > now + CLOCK_SKEW or now - iat > MAX_IAT_AGE:
        raise UpstreamLoginRefused("id_token iat is outside the accepted window")
    nbf = claims.get("nbf")
    if isinstance(nbf, int | float) and nbf > now + CLOCK_SKEW:
        raise UpstreamLoginRefused("id_token is not yet valid")
    # Step 11: the nonce MUST be present and equal to the one sent in the authentication request.
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not constant_time_equal(sha256_hex(nonce), nonce_hash):
        raise UpstreamLoginRefused("id_token nonce does not match the request")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise UpstreamLoginRefused("id_token lacks sub")


def verify_id_token(
    directory: UpstreamDirectory, meta: UpstreamMetadata, id_token: str, *, client_id: str, nonce_hash: str
) -> dict[str, Any]:
    """Step 6 (signature with the provider's keys, alg from the allowed list) then the claim checks."""
    try:
        token = _decode(directory.keys(meta.jwks_uri), id_token)
    except InvalidKeyIdError:
        # A kid we do not hold: the provider may have rotated its keys. Fetch once more, then give up.
        try:
            token = _decode(directory.keys(meta.jwks_uri, fresh=True), id_token)
        except InvalidKeyIdError:
            raise UpstreamLoginRefused("id_token signed with a key the provider does not publish") from None
    claims = dict(token.claims)
    check_id_token_claims(
        claims, issuer=meta.issuer, client_id=client_id, nonce_hash=nonce_hash, now=time.time()
    )
    return claims


def _decode(keys: KeySet, id_token: str) -> jwt.Token:
    try:
        return jwt.decode(id_token, keys, algorithms=ID_TOKEN_ALGS)
    except InvalidKeyIdError:
        raise
    except (JoseError, ValueError) as exc:
        raise UpstreamLoginRefused(f"id_token signature or format is invalid: {type(exc).__name__}") from exc


def client_assertion(private_key: dict[str, Any], *, client_id: str, token_endpoint: str) -> str:
    """RFC 7523 Section 3 / OIDC Core 9 private_key_jwt: iss = sub = client_id, aud = token endpoint."""
    from joserfc.jwk import import_key

    key = import_key(private_key)
    now = int(time.time())
    claims: dict[str, Any] = {"iss": client_id, "sub": client_id, "aud": token_endpoint, "jti": new_token(16)}
    claims |= {"iat": now, "exp": now + 60}
    alg = "ES256" if private_key.get("kty") == "EC" else "RS256"
    return jwt.encode({"alg": alg, "kid": private_key.get("kid", "")}, claims, key)


def exchange_code(
    meta: UpstreamMetadata,
    *,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    client_id: str,
    auth_method: str,
    client_secret: str | None,
    private_key: dict[str, Any] | None,
) -> dict[str, Any]:
    """OIDC Core 3.1.3.1 token request, authenticated the way the client was registered."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    auth: httpx.BasicAuth | None = None
    if auth_method == "client_secret_basic":
        # RFC 6749 Section 2.3.1: the id and secret are form-urlencoded before Basic encoding.
        from urllib.parse import quote

        auth = httpx.BasicAuth(quote(client_id, safe=""), quote(client_secret or "", safe=""))
    elif auth_method == "client_secret_post":
        form |= {"client_id": client_id, "client_secret": client_secret or ""}
    else:
        assert private_key is not None
        form |= {
            "client_id": client_id,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": client_assertion(
                private_key, client_id=client_id, token_endpoint=meta.token_endpoint
            ),
        }
    try:
        resp = httpx.post(meta.token_endpoint, data=form, auth=auth, timeout=HTTP_TIMEOUT)
        body = resp.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise UpstreamUnavailable(f"token endpoint failed: {type(exc).__name__}") from exc
    if resp.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("id_token"), str):
        error = body.get("error") if isinstance(body, dict) else None
        raise UpstreamLoginRefused(f"token endpoint refused the code: {error or resp.status_code}")
    return body


def fetch_userinfo(meta: UpstreamMetadata, access_token: str, sub: str) -> dict[str, Any]:
    """OIDC Core 5.3; 5.3.4: the sub of the UserInfo response MUST match the ID token's, or it is unused."""
    if not meta.userinfo_endpoint or not access_token:
        return {}
    try:
        resp = httpx.get(
            meta.userinfo_endpoint, headers={"Authorization": f"Bearer {access_token}"}, timeout=HTTP_TIMEOUT
        )
        resp.raise_for_status()
        data = resp.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise UpstreamUnavailable(f"userinfo failed: {type(exc).__name__}") from exc
    if not isinstance(data, dict) or data.get("sub") != sub:
        raise UpstreamLoginRefused("userinfo sub does not match the id_token")
    return data


def end_session_url(
    meta: UpstreamMetadata, *, id_token: str | None, client_id: str, post_logout_redirect_uri: str, state: str
) -> str | None:
    """RP-Initiated Logout 1.0 Section 2: send the browser to the provider's end_session_endpoint."""
    if not meta.end_session_endpoint:
        return None
    params = {"client_id": client_id, "post_logout_redirect_uri": post_logout_redirect_uri, "state": state}
    if id_token:
        params["id_token_hint"] = id_token
    sep = "&" if "?" in meta.end_session_endpoint else "?"
    return meta.end_session_endpoint + sep + urlencode(params)
