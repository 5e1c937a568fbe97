"""Driving a brokered login: NIXA through the TestClient (the citizen's browser on NIXA), the upstream
provider over real HTTP, the redirects carried between the two as a browser would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from fastapi.testclient import TestClient

from tests.conftest import ISSUER
from tests.support.factories import PortalInfo, pkce_pair
from tests.support.flows import authorize_params, csrf_of, query_of

FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


@dataclass
class Brokered:
    """Where NIXA sent the browser after the upstream answer, and the PKCE verifier of the portal."""

    response: Any
    verifier: str

    @property
    def location(self) -> str:
        return str(self.response.headers.get("location", ""))


def start_at_portal(browser: TestClient, portal: PortalInfo, **extra: str) -> tuple[str, str]:
    """An authorization request from the portal; returns NIXA's interaction path and the PKCE verifier."""
    verifier, challenge = pkce_pair()
    resp = browser.get(
        "/authorize", params=authorize_params(portal, challenge, **extra), follow_redirects=False
    )
    assert resp.status_code == 303, resp.text
    return resp.headers["location"], verifier


def login_upstream(upstream_url: str, login: str, acr: str | None = None) -> str:
    """At the upstream provider: its login form, then its redirect back. Returns NIXA's callback URL."""
    with httpx.Client(timeout=10.0) as http:
        resp = http.get(upstream_url)
        while resp.status_code in (302, 303):
            resp = http.get(urljoin(str(resp.url), resp.headers["location"]))
        assert resp.status_code == 200, resp.text
        action = urljoin(str(resp.url), FORM_ACTION.search(resp.text).group(1))  # type: ignore[union-attr]
        form = {"login": login, **({"acr": acr} if acr is not None else {})}
        resp = http.post(action, data=form)
        while resp.status_code in (302, 303):
            location = urljoin(str(resp.url), resp.headers["location"])
            if location.startswith(ISSUER):
                return location
            resp = http.get(location)
        raise AssertionError(
            f"the upstream provider did not send the browser back: {resp.status_code} {resp.text[:300]}"
        )


def to_nixa(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def brokered_login(
    browser: TestClient,
    portal: PortalInfo,
    login: str,
    *,
    provider: str = "bank",
    acr: str | None = None,
    **extra: str,
) -> Brokered:
    """Portal -> NIXA login page -> "Đăng nhập bằng ..." -> upstream -> NIXA callback (not followed)."""
    interaction, verifier = start_at_portal(browser, portal, **extra)
    interaction_id = interaction.rsplit("/", 1)[1]
    go = browser.get(f"/federation/login/{provider}/{interaction_id}", follow_redirects=False)
    assert go.status_code == 303, go.text
    callback = login_upstream(go.headers["location"], login, acr)
    return Brokered(browser.get(to_nixa(callback), follow_redirects=False), verifier)


def finish_at_portal(browser: TestClient, location: str) -> dict[str, str]:
    """Consent if asked, then the portal's redirect parameters."""
    if location.startswith("/interaction/"):
        page = browser.get(location)
        resp = browser.post(
            f"{location}/consent",
            data={"csrf_token": csrf_of(page.text), "decision": "approve"},
            follow_redirects=False,
        )
        location = resp.headers["location"]
    return query_of(location)
