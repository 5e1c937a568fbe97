"""The pages on a login's path answered before FastAPI's router (idp.web.login_path).

The pages' own rules are tested through them everywhere else (every login in the suite crosses this
layer); these tests show that the layer is used, that it answers exactly as FastAPI did, and that what it
does not take goes on to FastAPI.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from idp.web import routes_interaction
from idp.web.login_path import LoginPath
from tests.support.flows import authorize, begin, error_page, interaction_location, redeem

NONCE = re.compile(r"nonce-[A-Za-z0-9_-]+|nonce=\"[A-Za-z0-9_-]+\"")


async def _not_fastapi(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 599, "headers": []})
    await send({"type": "http.response.body", "body": b"reached FastAPI"})


def test_a_whole_login_never_reaches_fastapi(app, browser, api, portal, citizen):
    # FastAPI's stack replaced by an answer no page gives: the login still works end to end.
    app.middleware_stack = _not_fastapi
    assert browser.get("/account").status_code == 599  # the replacement is in place
    result = authorize(browser, portal, citizen)
    assert redeem(api, portal, result.code, result.verifier).status_code == 200


def _answer(app: FastAPI, method: str, path: str, cookies: Any = None, **kwargs: Any) -> tuple[Any, ...]:
    with TestClient(app, base_url="http://testserver", cookies=cookies) as client:
        resp = client.request(method, path, follow_redirects=False, **kwargs)
    headers = {k: v for k, v in resp.headers.items() if k not in ("set-cookie", "content-length")}
    headers = {k: NONCE.sub("nonce", v) for k, v in headers.items()}
    cookies = sorted(c.split("=")[0] + ";" + c.split(";", 1)[1] for c in resp.headers.get_list("set-cookie"))
    return resp.status_code, headers, cookies, NONCE.sub("nonce", resp.text)


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/authorize", {"params": {"client_id": "nobody", "response_type": "code"}}),
        ("POST", "/authorize", {"data": {"client_id": "nobody"}}),
        ("GET", "/interaction/unknown", {}),
        ("GET", "/interaction/unknown", {"cookies": {"nixa_lang": "en", "nixa_browser": "b" * 32}}),
        ("POST", "/interaction/unknown/login", {"data": {"username": "x", "password": "y"}}),
        ("POST", "/interaction/unknown/consent", {"data": {"decision": "approve"}}),
        ("POST", "/interaction/unknown/select", {"data": {"choice": "current"}}),
        # Not taken by the layer: methods the routes do not have, and paths beside them.
        ("HEAD", "/authorize", {}),
        ("PUT", "/interaction/unknown/login", {}),
        ("GET", "/interaction/unknown/login", {}),
        ("GET", "/interaction/", {}),
        ("GET", "/authorize/more", {}),
    ],
)
def test_the_answer_is_fastapis_answer(app, method, path, kwargs):
    fast = _answer(app, method, path, **kwargs)
    saved, app.login_path = app.login_path, None
    try:
        assert fast == _answer(app, method, path, **kwargs)
    finally:
        app.login_path = saved


def test_the_pages_carry_the_security_headers(browser, portal):
    location = interaction_location(begin(browser, portal))
    page = browser.get(location)
    assert page.status_code == 200
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    # The page's own CSP (with its nonce and form targets) is kept, not replaced by the baseline.
    assert "script-src 'nonce-" in page.headers["content-security-policy"]
    assert "form-action 'self' https://" in page.headers["content-security-policy"]


def test_an_unexpected_error_is_the_server_error_page_and_leaks_nothing(
    app, browser, portal, monkeypatch, caplog
):
    location = interaction_location(begin(browser, portal))

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("database said 012345678901")

    monkeypatch.setattr(app.state.provider, "view", broken)
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        client.cookies.update(browser.cookies)
        page = client.get(location)
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["x-frame-options"] == "DENY"
    assert 'data-error="error.server"' in page.text
    assert "012345678901" not in page.text and "RuntimeError" not in page.text
    assert any("unexpected error on /interaction/" in r.getMessage() for r in caplog.records)


def test_a_failed_login_is_answered_in_place(browser, portal, citizen):
    # The POST endpoint is async and reads the form itself: a wrong password shows the form again.
    location = interaction_location(begin(browser, portal))
    page = browser.get(location)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    resp = browser.post(
        f"{location}/login",
        data={"csrf_token": csrf.group(1), "username": citizen.personal_id, "password": "wrong password"},
        follow_redirects=False,
    )
    assert resp.status_code == 401
    assert 'name="password"' in resp.text


def test_a_page_with_an_error_key_is_shown_as_before(browser):
    assert error_page(browser.get("/interaction/never-issued")) == "error.interaction_expired"


async def _needs_more(request: Request, other: Annotated[str, Depends(lambda: "x")]) -> Any:
    return PlainTextResponse(other)


def test_an_endpoint_needing_another_dependency_is_refused_at_build() -> None:
    router = APIRouter()
    router.get("/authorize")(_needs_more)
    with pytest.raises(ValueError, match="cannot give other"):
        LoginPath(FastAPI(), router.routes, [_needs_more], hsts=False)


def test_an_endpoint_no_route_holds_is_refused_at_build() -> None:
    with pytest.raises(ValueError, match="no route holds these endpoints: show"):
        LoginPath(FastAPI(), [], [routes_interaction.show], hsts=False)
