"""Browser steps of the factors tests: the account security page and the second-factor page."""

from __future__ import annotations

import json
import re
from typing import Any

import pyotp
from fastapi.testclient import TestClient

from tests.conftest import ISSUER
from tests.factors.devices import as_json, browser_options
from tests.support.factories import PortalInfo, pkce_pair
from tests.support.flows import authorize_params, csrf_of, interaction_location, redeem
from tests.support.tokens import verify_jwt

SECRET = re.compile(r'<code id="totp-secret">([A-Z2-7 ]+)</code>')
RECOVERY = re.compile(r"<li><code>([A-Z0-9-]+)</code></li>")
TOTP_FACTOR = re.compile(r'action="/account/security/totp/([^/"]+)/confirm"')


def security_csrf(browser: TestClient) -> str:
    page = browser.get("/account/security")
    assert page.status_code == 200, page.text[:300]
    return csrf_of(page.text)


def begin(browser: TestClient, portal: PortalInfo, **extra: str) -> tuple[Any, str]:
    """GET /authorize, not followed; returns the response and the PKCE verifier for redeeming the code."""
    verifier, challenge = pkce_pair()
    resp = browser.get(
        "/authorize", params=authorize_params(portal, challenge, **extra), follow_redirects=False
    )
    return resp, verifier


def id_token_claims(
    api: TestClient, portal: PortalInfo, params: dict[str, str], verifier: str
) -> dict[str, Any]:
    resp = redeem(api, portal, params["code"], verifier)
    assert resp.status_code == 200, resp.text
    return verify_jwt(api, resp.json()["id_token"])[1]


def enrol_totp(browser: TestClient, at: float) -> pyotp.TOTP:
    """Set up an authenticator app, confirmed with the code of the time step of ``at``."""
    page = browser.post("/account/security/totp", data={"csrf_token": security_csrf(browser)})
    assert page.status_code == 200, page.text[:300]
    match, factor = SECRET.search(page.text), TOTP_FACTOR.search(page.text)
    assert match and factor and 'src="data:image/svg+xml;base64,' in page.text
    totp = pyotp.TOTP(match.group(1).replace(" ", ""))
    code = totp.at(at)
    resp = browser.post(
        f"/account/security/totp/{factor.group(1)}/confirm",
        data={"csrf_token": csrf_of(page.text), "code": code},
        follow_redirects=False,
    )
    assert resp.status_code == 303 and resp.headers["location"].endswith("notice=saved"), resp.text[:300]
    return totp


def recovery_codes(browser: TestClient) -> list[str]:
    page = browser.post("/account/security/recovery-codes", data={"csrf_token": security_csrf(browser)})
    assert page.status_code == 200
    return RECOVERY.findall(page.text)


def register_passkey(browser: TestClient, device: Any, origin: str = ISSUER) -> Any:
    csrf = security_csrf(browser)
    options = browser.post("/account/security/passkeys/options", data={"csrf_token": csrf})
    assert options.status_code == 200, options.text
    credential = as_json(device.create(browser_options(options.json()), origin))
    return browser.post(
        "/account/security/passkeys",
        data={"csrf_token": csrf, "credential": json.dumps(credential)},
        follow_redirects=False,
    )


def second_factor_page(browser: TestClient, resp: Any) -> tuple[str, str]:
    """The response leads to the second-factor step; returns its location and CSRF token."""
    location = interaction_location(resp)
    page = browser.get(location)
    assert page.status_code == 200 and 'data-step="second_factor"' in page.text, page.text[:300]
    assert 'name="password"' not in page.text
    return location, csrf_of(page.text)


def submit_code(browser: TestClient, location: str, csrf: str, code: str, method: str = "totp") -> Any:
    return browser.post(
        f"{location}/factor",
        data={"csrf_token": csrf, "method": method, "code": code},
        follow_redirects=False,
    )


def submit_passkey(browser: TestClient, location: str, csrf: str, device: Any, origin: str = ISSUER) -> Any:
    options = browser.post(f"{location}/passkey/options", data={"csrf_token": csrf})
    assert options.status_code == 200, options.text
    credential = as_json(device.get(browser_options(options.json()), origin))
    return browser.post(
        f"{location}/factor",
        data={"csrf_token": csrf, "method": "passkey", "credential": json.dumps(credential)},
        follow_redirects=False,
    )
