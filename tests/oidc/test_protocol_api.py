"""The protocol endpoints' own layer (idp.web.protocol_api): methods, body limits, formats and errors.

The endpoints' protocol rules are tested per RFC in the other files; these tests cover what the layer in
front of FastAPI must do itself because FastAPI no longer does it for these paths.
"""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from idp.platform import Platform
from idp.web import protocol_api
from idp.web.app import create_app
from tests.support.flows import bearer, token_post, token_set

OFFLINE = "openid profile offline_access"


def assert_oauth_error(resp, status: int, error: str) -> None:
    assert resp.status_code == status, resp.text
    assert resp.json()["error"] == error
    assert resp.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/token", "POST"),
        ("PUT", "/userinfo", "GET, POST"),
        ("GET", "/introspect", "POST"),
        ("DELETE", "/revoke", "POST"),
        ("POST", "/jwks", "GET, HEAD"),
    ],
)
def test_rfc9110_15_5_6_a_wrong_method_gets_405_with_allow(api, method, path, allow):
    resp = api.request(method, path)
    assert_oauth_error(resp, 405, "invalid_request")
    assert resp.headers["allow"] == allow


def test_rfc6749_3_2_token_request_must_be_form_encoded(api, portal):
    resp = api.post(
        "/token", json={"grant_type": "client_credentials"}, auth=(portal.client_id, portal.client_secret)
    )
    assert_oauth_error(resp, 400, "invalid_request")
    assert "x-www-form-urlencoded" in resp.json()["error_description"]


def raw_form(api, portal, path: str, body: str | bytes):
    """A form body exactly as given, so it can be too large, not UTF-8 or repeat a parameter."""
    return api.post(
        path,
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
        auth=(portal.client_id, portal.client_secret),
    )


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/token", f"grant_type=client_credentials&pad={'x' * (protocol_api.MAX_BODY + 1)}", 413),
        ("/token", b"grant_type=client_credentials&scope=%ff%fe", 400),
        # RFC 6749 Section 3.1: parameters MUST NOT be included more than once.
        ("/introspect", "token=a&token=b", 400),
    ],
    ids=["over_the_size_limit", "not_utf8", "repeated_parameter"],
)
def test_a_bad_form_body_is_invalid_request(api, portal, path, body, status):
    assert_oauth_error(raw_form(api, portal, path, body), status, "invalid_request")


def test_rfc6750_2_2_userinfo_token_in_form_body_and_a_json_body_is_ignored(browser, api, portal, citizen):
    tokens = token_set(browser, api, portal, citizen, scope=OFFLINE)
    in_form = api.post("/userinfo", data={"access_token": tokens["access_token"]})
    assert in_form.status_code == 200, in_form.text
    with_json = api.post("/userinfo", json={"x": 1}, headers=bearer(tokens["access_token"]))
    assert with_json.status_code == 200, with_json.text
    assert with_json.json()["sub"] == in_form.json()["sub"]


def test_protocol_responses_carry_the_security_headers(api, portal):
    # This portal is not registered for client_credentials: an error answer needs the headers as well.
    resp = token_post(api, portal, {"grant_type": "client_credentials"})
    assert_oauth_error(resp, 400, "unauthorized_client")
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]
    assert resp.headers["content-length"] == str(len(resp.content))


def test_head_on_jwks_sends_headers_only(api):
    resp = api.head("/jwks")
    assert resp.status_code == 200
    assert resp.content == b""
    assert resp.headers["content-type"] == "application/jwk-set+json"
    # RFC 9110 Section 9.3.2: the same header fields as GET, Content-Length included.
    assert resp.headers["content-length"] == str(len(api.get("/jwks").content))


def test_an_unexpected_failure_is_server_error_without_request_data(api, app, portal, caplog, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(app.state.provider, "token", broken)
    secret_marker = "grant-secret-marker-1234"
    with caplog.at_level(logging.ERROR, logger="nixa.web"):
        resp = token_post(api, portal, {"grant_type": "client_credentials", "scope": secret_marker})
    assert resp.status_code == 500
    assert resp.json() == {"error": "server_error"}
    assert "database went away" not in resp.text
    assert any("unexpected error on /token" in r.getMessage() for r in caplog.records)
    assert all(secret_marker not in r.getMessage() for r in caplog.records)


def test_other_paths_go_on_to_the_pages(api):
    resp = api.get("/.well-known/openid-configuration")
    assert resp.status_code == 200
    assert resp.json()["token_endpoint"].endswith("/token")


def test_over_https_the_protocol_responses_carry_hsts(settings):
    https = settings.model_copy(update={"issuer": "https://id.nixa.example.vn", "api_threads": 3})
    platform = Platform(https)
    try:
        app = create_app(platform=platform)
        # NIXA_API_THREADS sizes the endpoints' own pool.
        assert app.protocol_api is not None and app.protocol_api.threads == 3
        with TestClient(app, base_url="https://id.nixa.example.vn") as client:
            for resp in (client.get("/jwks"), client.post("/token", data={})):
                assert resp.headers["strict-transport-security"].startswith("max-age=")
                assert resp.headers["x-frame-options"] == "DENY"
    finally:
        platform.close()
