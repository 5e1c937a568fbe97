"""The operator's way through NIXA's pages when signing in to the console (password, then the code)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from tests.support.flows import csrf_of
from tests.support.operators import OperatorInfo


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def through_nixa(
    idp_browser: TestClient, authorize_url: str, operator: OperatorInfo, *, code: str | None = None
) -> Any:
    """Follow NIXA's pages from the console's authorization request; returns NIXA's final redirect."""
    resp = idp_browser.get(path_of(authorize_url), follow_redirects=False)
    for _ in range(6):
        assert resp.status_code == 303, resp.text[:300]
        location = resp.headers["location"]
        if not location.startswith("/interaction/"):
            return resp
        page = idp_browser.get(location)
        token = csrf_of(page.text)
        if 'name="password"' in page.text:
            data = {
                "username": operator.citizen.personal_id,
                "password": operator.citizen.password,
                "action": "login",
            }
            resp = idp_browser.post(
                f"{location}/login", data={"csrf_token": token, **data}, follow_redirects=False
            )
        elif 'data-step="second_factor"' in page.text:
            totp_code = code or operator.totp.at(time.time())
            data = {"csrf_token": token, "method": "totp", "code": totp_code}
            resp = idp_browser.post(f"{location}/factor", data=data, follow_redirects=False)
        elif 'value="approve"' in page.text:
            resp = idp_browser.post(
                f"{location}/consent",
                data={"csrf_token": token, "decision": "approve"},
                follow_redirects=False,
            )
        else:
            raise AssertionError(f"unexpected NIXA page: {page.text[:300]}")
    raise AssertionError("too many steps")


def sign_in(
    console_browser: TestClient, idp_browser: TestClient, operator: OperatorInfo, next_path: str = "/"
) -> Any:
    """The whole sign-in; returns the console's answer to the callback (not followed)."""
    start = console_browser.get("/login/start", params={"next": next_path}, follow_redirects=False)
    assert start.status_code == 303, start.text[:300]
    back = through_nixa(idp_browser, start.headers["location"], operator)
    return console_browser.get(path_of(back.headers["location"]), follow_redirects=False)
