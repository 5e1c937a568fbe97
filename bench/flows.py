"""The flows measured, written once for any OpenID Provider that publishes a discovery document.

The password login is what a browser and a portal do: authorize -> login page (CSRF token, cookies) ->
POST the form -> (consent already given) -> redirect with the code -> token request with PKCE.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import secrets
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import aiohttp

from bench.load import FlowError
from bench.nixa_target import Target

FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')
FIELD = re.compile(r"<(input|button)\b([^>]*)>", re.I)
SCOPE = "openid profile offline_access"


@dataclass
class Endpoints:
    authorization: str
    token: str
    userinfo: str
    introspection: str
    jwks: str

    @classmethod
    async def discover(cls, http: aiohttp.ClientSession, issuer: str) -> Endpoints:
        async with http.get(f"{issuer}/.well-known/openid-configuration") as r:
            d = await r.json()
        return cls(
            d["authorization_endpoint"],
            d["token_endpoint"],
            d["userinfo_endpoint"],
            d["introspection_endpoint"],
            d["jwks_uri"],
        )


@dataclass
class Browser:
    """One virtual citizen with a browser of its own (cookies) logging in at one portal."""

    target: Target
    endpoints: Endpoints
    usernames: itertools.cycle[str]
    cookies: dict[str, str] = field(default_factory=dict)

    def remember(self, response: aiohttp.ClientResponse) -> None:
        for name, morsel in response.cookies.items():
            self.cookies[name] = morsel.value

    def headers(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def basic(t: Target) -> str:
    return "Basic " + base64.b64encode(f"{t.client_id}:{t.client_secret}".encode()).decode()


def login_form(html: str) -> tuple[str, dict[str, str]]:
    """The form with a password field: its action and the fields a browser would send."""
    for form in FORM.findall(html):
        if 'type="password"' not in form:
            continue
        action = unescape(dict(ATTR.findall(form[: form.index(">")])).get("action", ""))
        fields: dict[str, str] = {}
        for tag, attrs in FIELD.findall(form):
            a = {k: unescape(v) for k, v in ATTR.findall(attrs)}
            if "name" not in a or (tag.lower() == "button" and a["name"] in fields):
                continue
            if tag.lower() == "button" or a.get("type") == "hidden":
                fields[a["name"]] = a.get("value", "")
        return action, fields
    raise FlowError(f"no login form on the page: {html[:1500]!r}")


async def password_login(http: aiohttp.ClientSession, b: Browser) -> dict[str, Any]:
    """A whole login in a fresh browser; returns the token response."""
    t, ep = b.target, b.endpoints
    b.cookies.clear()
    verifier, challenge = pkce()
    params = {
        "response_type": "code",
        "client_id": t.client_id,
        "redirect_uri": t.redirect_uri,
        "scope": SCOPE,
        "state": secrets.token_urlsafe(8),
        "nonce": secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    url = f"{ep.authorization}?{urlencode(params)}"
    method, data = "GET", None
    for _ in range(10):
        async with http.request(method, url, data=data, headers=b.headers(), allow_redirects=False) as r:
            b.remember(r)
            body = await r.text()
            location = r.headers.get("Location")
            status = r.status
        if status in (302, 303) and location:
            if location.startswith(t.redirect_uri):
                return await redeem(http, b, location, verifier)
            url, method, data = urljoin(url, location), "GET", None
            continue
        if status != 200:
            raise FlowError(f"login step answered {status}: {body[:200]}")
        action, fields = login_form(body)
        fields.update(username=next(b.usernames), password=t.password)
        url, method, data = urljoin(url, action), "POST", fields
    raise FlowError("too many login steps")


async def redeem(http: aiohttp.ClientSession, b: Browser, location: str, verifier: str) -> dict[str, Any]:
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    if "code" not in query:
        raise FlowError(f"no code: {query}")
    form = {
        "grant_type": "authorization_code",
        "code": query["code"],
        "redirect_uri": b.target.redirect_uri,
        "code_verifier": verifier,
    }
    return await token_request(http, b.target, b.endpoints, form)


async def token_request(
    http: aiohttp.ClientSession, t: Target, ep: Endpoints, form: dict[str, str]
) -> dict[str, Any]:
    async with http.post(ep.token, data=form, headers={"Authorization": basic(t)}) as r:
        body: dict[str, Any] = await r.json(content_type=None)
        if r.status != 200 or "access_token" not in body:
            raise FlowError(f"token endpoint answered {r.status}: {body}")
    return body


# -- the API flows: one request each ----------------------------------------------------------------------
@dataclass
class Holder:
    """A portal holding one citizen's tokens."""

    target: Target
    endpoints: Endpoints
    access_token: str
    refresh_token: str


async def client_credentials(http: aiohttp.ClientSession, h: Holder) -> None:
    await token_request(http, h.target, h.endpoints, {"grant_type": "client_credentials"})


async def refresh(http: aiohttp.ClientSession, h: Holder) -> None:
    # Rotation: every refresh returns a new refresh token and the old one is spent.
    body = await token_request(
        http, h.target, h.endpoints, {"grant_type": "refresh_token", "refresh_token": h.refresh_token}
    )
    h.refresh_token = body["refresh_token"]
    h.access_token = body["access_token"]


async def userinfo(http: aiohttp.ClientSession, h: Holder) -> None:
    async with http.get(h.endpoints.userinfo, headers={"Authorization": f"Bearer {h.access_token}"}) as r:
        body = await r.json(content_type=None)
        if r.status != 200 or "sub" not in body:
            raise FlowError(f"userinfo answered {r.status}: {body}")


async def introspection(http: aiohttp.ClientSession, h: Holder) -> None:
    async with http.post(
        h.endpoints.introspection,
        data={"token": h.access_token, "token_type_hint": "access_token"},
        headers={"Authorization": basic(h.target)},
    ) as r:
        body = await r.json(content_type=None)
        if r.status != 200 or body.get("active") is not True:
            raise FlowError(f"introspection answered {r.status}: {body}")


async def jwks(http: aiohttp.ClientSession, h: Holder) -> None:
    async with http.get(h.endpoints.jwks) as r:
        body = await r.json(content_type=None)
        if r.status != 200 or not body.get("keys"):
            raise FlowError(f"jwks answered {r.status}")


API_FLOWS = {
    "client_credentials": client_credentials,
    "refresh": refresh,
    "userinfo": userinfo,
    "introspection": introspection,
    "jwks": jwks,
}
