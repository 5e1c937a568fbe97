"""Protocol flows driven through the ASGI app with httpx's TestClient, the way a browser and portal would."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from tests.support.factories import Citizen, PortalInfo, pkce_pair

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@dataclass
class AuthResult:
    """Outcome of an authorization request: the final redirect parameters, plus what was sent."""

    params: dict[str, str]
    verifier: str
    location: str
    pages: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        assert "code" in self.params, f"no code in {self.params}"
        return self.params["code"]


def authorize_params(portal: PortalInfo, challenge: str, **extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": portal.client_id,
        "redirect_uri": portal.redirect_uri,
        "scope": "openid profile",
        "state": "st-123",
        "nonce": "n-456",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


def authorize(
    browser: TestClient,
    portal: PortalInfo,
    citizen: Citizen | None = None,
    *,
    consent: bool = True,
    verifier_challenge: tuple[str, str] | None = None,
    **extra: Any,
) -> AuthResult:
    """Follow authorize -> (login) -> (consent) -> redirect back to the portal."""
    verifier, challenge = verifier_challenge or pkce_pair()
    resp = browser.get(
        "/authorize", params=authorize_params(portal, challenge, **extra), follow_redirects=False
    )
    pages: list[str] = []
    for _ in range(6):
        if resp.status_code != 303:
            raise AssertionError(f"unexpected {resp.status_code}: {resp.text[:300]}")
        location = resp.headers["location"]
        if not location.startswith("/interaction/"):
            return AuthResult(query_of(location), verifier, location, pages)
        page = browser.get(location)
        pages.append(page.text)
        token = csrf_of(page.text)
        if 'name="password"' in page.text:
            assert citizen is not None, "login page shown but no citizen given"
            resp = browser.post(
                f"{location}/login",
                data={
                    "csrf_token": token,
                    "username": citizen.personal_id,
                    "password": citizen.password,
                    "action": "login",
                },
                follow_redirects=False,
            )
        elif 'value="approve"' in page.text:
            resp = browser.post(
                f"{location}/consent",
                data={"csrf_token": token, "decision": "approve" if consent else "deny"},
                follow_redirects=False,
            )
        elif 'name="choice"' in page.text:
            resp = browser.post(
                f"{location}/select", data={"csrf_token": token, "choice": "current"}, follow_redirects=False
            )
        else:
            raise AssertionError(f"unknown interaction page: {page.text[:300]}")
    raise AssertionError("too many interaction steps")


def redeem(api: TestClient, portal: PortalInfo, code: str, verifier: str, **extra: str) -> Any:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": portal.redirect_uri,
        "code_verifier": verifier,
        **extra,
    }
    auth = (portal.client_id, portal.client_secret) if portal.client_secret else None
    if auth is None:
        data["client_id"] = portal.client_id
    return api.post("/token", data=data, auth=auth)


# -- smaller steps, for tests that stop half-way or break one thing ---------------------------------------
def begin(browser: TestClient, portal: PortalInfo, **extra: Any) -> Any:
    """GET /authorize and return the raw response, not followed. A parameter given as None is left out."""
    params = authorize_params(portal, pkce_pair()[1], **extra)
    return browser.get("/authorize", params=params, follow_redirects=False)


def open_interaction(browser: TestClient, location: str) -> tuple[str, str]:
    """The page an interaction shows, with its CSRF token."""
    page = browser.get(location)
    assert page.status_code == 200, page.text[:300]
    return page.text, csrf_of(page.text)


def submit_login(
    browser: TestClient,
    location: str,
    username: str,
    password: str,
    csrf: str | None = None,
) -> Any:
    if csrf is None:
        csrf = open_interaction(browser, location)[1]
    return browser.post(
        f"{location}/login",
        data={"csrf_token": csrf, "username": username, "password": password, "action": "login"},
        follow_redirects=False,
    )


def token_set(
    browser: TestClient,
    api: TestClient,
    portal: PortalInfo,
    citizen: Citizen,
    **extra: Any,
) -> dict[str, Any]:
    """A full code flow and redemption; the token response body."""
    result = authorize(browser, portal, citizen, **extra)
    resp = redeem(api, portal, result.code, result.verifier)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def token_post(api: TestClient, portal: PortalInfo, data: dict[str, str]) -> Any:
    """POST /token authenticated the way the portal is registered (Basic with a secret, else client_id)."""
    auth = (portal.client_id, portal.client_secret) if portal.client_secret else None
    if auth is None:
        data = {"client_id": portal.client_id, **data}
    return api.post("/token", data=data, auth=auth)


def refresh(api: TestClient, portal: PortalInfo, refresh_token: str, **extra: str) -> Any:
    return token_post(api, portal, {"grant_type": "refresh_token", "refresh_token": refresh_token, **extra})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def redirected_to(resp: Any, portal: PortalInfo) -> dict[str, str]:
    """The response sends the browser back to the portal's redirect URI; returns the parameters it carries."""
    assert resp.status_code == 303, f"expected a redirect, got {resp.status_code}: {resp.text[:300]}"
    location = resp.headers["location"]
    assert location.split("?")[0] == portal.redirect_uri, location
    return query_of(location)


def interaction_location(resp: Any) -> str:
    """The response sends the browser to a NIXA page (login, consent, account choice); returns its path."""
    assert resp.status_code == 303, f"expected a redirect, got {resp.status_code}: {resp.text[:300]}"
    location: str = resp.headers["location"]
    assert location.startswith("/interaction/"), location
    return location


ERROR_KEY = re.compile(r'data-error="([^"]+)"')


def error_page(resp: Any) -> str:
    """RFC 6749 Section 4.1.2.1: an error shown to the person, not redirected; returns its message key."""
    assert resp.status_code == 400, f"expected an error page, got {resp.status_code}"
    assert "location" not in resp.headers
    assert resp.headers["content-type"].startswith("text/html")
    match = ERROR_KEY.search(resp.text)
    assert match, resp.text[:300]
    return match.group(1)
