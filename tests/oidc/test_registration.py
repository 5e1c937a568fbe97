"""RFC 7591 dynamic registration, OpenID Connect Dynamic Client Registration 1.0 and initial access tokens."""

from __future__ import annotations

import base64
import json
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import ECKey
from sqlalchemy import select, update

from idp.crypto import sha256_hex
from idp.db import utcnow
from idp.errors import InvalidToken
from idp.models import AuditRecord, Client, InitialAccessToken
from idp.oauth.client_auth import JWT_BEARER
from idp.oauth.registration import (
    ClientRegistration,
    SectorDocuments,
    issue_initial_access_token,
)
from idp.platform import Platform
from idp.provider import OpenIDProvider
from idp.web.routes_registration import registration_for
from tests.support.factories import Citizen, PortalInfo
from tests.support.flows import authorize, redeem

REDIRECT = "https://dvc.example.vn/callback"
SECTOR_URI = "https://sector.example.vn/redirect_uris.json"


# -- factories -------------------------------------------------------------------------------------------


def initial_token(platform: Platform, **kwargs: Any) -> str:
    with platform.db.session() as s:
        return issue_initial_access_token(s, actor="operator:test", **kwargs)


def metadata(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"client_name": "Cổng Dịch vụ công tỉnh Thử", "redirect_uris": [REDIRECT]}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def post_register(api: TestClient, token: str | None, body: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return api.post("/register", json=body, headers=headers)


def registered(api: TestClient, platform: Platform, **overrides: Any) -> dict[str, Any]:
    resp = post_register(api, initial_token(platform), metadata(**overrides))
    assert resp.status_code == 201, resp.text
    info: dict[str, Any] = resp.json()
    return info


def portal_of(info: dict[str, Any], redirect_uri: str | None = None) -> PortalInfo:
    return PortalInfo(info["client_id"], info.get("client_secret"), redirect_uri or info["redirect_uris"][0])


def jwt_part(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def sub_after_login(browser: TestClient, api: TestClient, portal: PortalInfo, citizen: Citizen) -> str:
    result = authorize(browser, portal, citizen)
    resp = redeem(api, portal, result.code, result.verifier)
    assert resp.status_code == 200, resp.text
    sub: str = jwt_part(resp.json()["id_token"], 1)["sub"]
    return sub


def serve_sector_document(app: FastAPI, op: OpenIDProvider, document: Any, status: int = 200) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert str(request.url) == SECTOR_URI
        return httpx.Response(status, json=document)

    sectors = SectorDocuments(allow_loopback_http=False, transport=httpx.MockTransport(handler))
    app.state.registration = ClientRegistration(op.db, op.issuer, sectors)


def assert_error(resp: httpx.Response, status: int, error: str) -> None:
    assert resp.status_code == status, resp.text
    assert resp.json()["error"] == error, resp.text
    assert resp.headers["cache-control"] == "no-store"


# -- RFC 7591 Section 3.2.1: the registration response, and the client in use ------------------------------


def test_rfc7591_3_2_1_registered_client_completes_code_flow(browser, api, platform, citizen):
    resp = post_register(api, initial_token(platform), metadata())
    assert resp.status_code == 201, resp.text
    assert resp.headers["cache-control"] == "no-store"
    info = resp.json()
    assert info["client_secret"] and info["client_secret_expires_at"] == 0
    assert info["registration_client_uri"] == f"http://testserver/register/{info['client_id']}"
    portal = portal_of(info)
    result = authorize(browser, portal, citizen)
    tokens = redeem(api, portal, result.code, result.verifier)
    assert tokens.status_code == 200, tokens.text
    # OIDC Registration Section 2: id_token_signed_response_alg defaults to RS256.
    assert jwt_part(tokens.json()["id_token"], 0)["alg"] == "RS256"
    userinfo = api.get("/userinfo", headers={"Authorization": f"Bearer {tokens.json()['access_token']}"})
    assert userinfo.status_code == 200, userinfo.text


def test_rfc7591_3_2_1_response_holds_all_registered_metadata(api, platform):
    info = registered(
        api,
        platform,
        contacts=["it@dvc.example.vn"],
        logo_uri="https://dvc.example.vn/logo.png",
        **{"client_name#en": "Provincial Public Service Portal"},
        software_statement="ignored.jwt.value",
        made_up_member=42,
    )
    assert isinstance(info["client_id_issued_at"], int)
    assert info["contacts"] == ["it@dvc.example.vn"]
    assert info["logo_uri"] == "https://dvc.example.vn/logo.png"
    assert info["client_name#en"] == "Provincial Public Service Portal"
    # RFC 7591 Section 2 defaults: authorization_code, code, client_secret_basic; pairwise is ours.
    assert info["grant_types"] == ["authorization_code"]
    assert info["response_types"] == ["code"]
    assert info["token_endpoint_auth_method"] == "client_secret_basic"
    assert info["subject_type"] == "pairwise"
    assert "nixa.personal_id" not in info["scope"].split()
    # RFC 7591 Section 2: metadata the server does not understand is ignored, not stored.
    assert "made_up_member" not in info and "software_statement" not in info


def test_rfc7591_2_scope_is_space_separated_and_limits_the_client(browser, api, platform, citizen):
    info = registered(api, platform, scope="openid email")
    assert info["scope"] == "openid email"
    result = authorize(browser, portal_of(info), citizen, scope="openid profile")
    assert result.params["error"] == "invalid_scope"


# -- RFC 7591 Section 3: the initial access token -----------------------------------------------------------


def test_rfc7591_3_missing_initial_token_is_401_with_challenge(api):
    resp = post_register(api, None, metadata())
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"].startswith("Bearer")


def test_rfc7591_3_unknown_initial_token_is_invalid_token(api, platform):
    initial_token(platform)
    resp = post_register(api, "not-a-token-we-issued", metadata())
    assert_error(resp, 401, "invalid_token")
    assert 'error="invalid_token"' in resp.headers["www-authenticate"]


def test_rfc7591_3_used_up_initial_token_is_invalid_token(api, platform):
    token = initial_token(platform, max_uses=2)
    assert post_register(api, token, metadata()).status_code == 201
    assert post_register(api, token, metadata()).status_code == 201
    assert_error(post_register(api, token, metadata()), 401, "invalid_token")


@pytest.mark.parametrize("change", [{"expires_at": utcnow() - timedelta(seconds=1)}, {"revoked": True}])
def test_rfc7591_3_expired_or_revoked_initial_token_is_invalid_token(api, platform, change):
    token = initial_token(platform, max_uses=5)
    with platform.db.session() as s:
        s.execute(
            update(InitialAccessToken)
            .where(InitialAccessToken.token_hash == sha256_hex(token))
            .values(change)
        )
    assert_error(post_register(api, token, metadata()), 401, "invalid_token")


def test_rfc7591_3_refused_metadata_does_not_use_up_the_token(api, platform):
    token = initial_token(platform, max_uses=1)
    assert_error(
        post_register(api, token, metadata(redirect_uris=["http://dvc.example.vn/cb"])),
        400,
        "invalid_redirect_uri",
    )
    assert post_register(api, token, metadata()).status_code == 201


def test_rfc7591_3_concurrent_registrations_never_exceed_max_uses(app, op, platform):
    token = initial_token(platform, max_uses=2)
    service = ClientRegistration(op.db, op.issuer, SectorDocuments(allow_loopback_http=False))
    body = json.dumps(metadata()).encode()

    def attempt(_: int) -> str:
        try:
            service.register(token, body, "application/json")
        except InvalidToken:
            return "refused"
        return "registered"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    assert sorted(outcomes) == ["refused"] * 4 + ["registered"] * 2
    with platform.db.session() as s:
        assert s.scalar(select(InitialAccessToken.uses)) == 2


def test_initial_access_token_is_stored_hashed_and_audited(platform):
    token = initial_token(platform, ttl_seconds=600, max_uses=3, description="Sở TT&TT tỉnh Thử")
    with platform.db.session() as s:
        row = s.scalars(select(InitialAccessToken)).one()
        assert row.token_hash == sha256_hex(token) and row.max_uses == 3 and row.created_by == "operator:test"
        record = s.scalars(
            select(AuditRecord).where(AuditRecord.event == "registration:initial_access_token_issued")
        ).one()
        assert record.actor == "operator:test"
        assert token not in json.dumps(record.data)


# -- RFC 7591 Section 3.1 and 3.2.2: malformed requests and metadata ----------------------------------------


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'["client_name"]', "application/json"),
        (b'{"client_name": "a", "client_name": "b"}', "application/json"),
        (b"client_name=x", "application/x-www-form-urlencoded"),
    ],
)
def test_rfc7591_3_1_body_must_be_a_json_object(api, platform, content, content_type):
    resp = api.post(
        "/register",
        content=content,
        headers={"Authorization": f"Bearer {initial_token(platform)}", "Content-Type": content_type},
    )
    assert_error(resp, 400, "invalid_request")


@pytest.mark.parametrize(
    "overrides",
    [
        {"client_name": None},
        {"client_name": 42},
        {"scope": ["openid"]},
        {"scope": "openid made.up"},
        {"grant_types": "authorization_code"},
        {"grant_types": ["authorization_code", "password"]},
        {"contacts": "it@dvc.example.vn"},
        {"backchannel_logout_uri": "https://dvc.example.vn/bc", "backchannel_logout_session_required": "yes"},
        {"jwks": "keys"},
        {"token_endpoint_auth_method": "client_secret_jwt"},
        {"application_type": "desktop"},
        {"id_token_signed_response_alg": "none"},
        {"logo_uri": "javascript:alert(1)"},
        {"client_name#not a tag": "x"},
        {"id_token_encrypted_response_alg": "RSA-OAEP"},
    ],
)
def test_rfc7591_3_2_2_bad_metadata_is_invalid_client_metadata(api, platform, overrides):
    assert_error(
        post_register(api, initial_token(platform), metadata(**overrides)), 400, "invalid_client_metadata"
    )


@pytest.mark.parametrize(
    "redirect_uris",
    [
        ["http://dvc.example.vn/callback"],
        ["https://dvc.example.vn/callback#frag"],
        ["/callback"],
        ["javascript:alert(1)"],
        "https://dvc.example.vn/callback",
        [42],
        None,
    ],
)
def test_rfc7591_3_2_2_invalid_redirect_uri(api, platform, redirect_uris):
    body = metadata(redirect_uris=redirect_uris)
    assert_error(post_register(api, initial_token(platform), body), 400, "invalid_redirect_uri")


def test_rfc7591_3_2_2_http_loopback_redirect_is_allowed(api, platform):
    registered(api, platform, redirect_uris=["http://127.0.0.1:8080/callback"])


@pytest.mark.parametrize(
    "overrides",
    [
        {"response_types": ["token"]},
        {"response_types": ["code id_token"]},
        {"grant_types": ["client_credentials"], "response_types": ["code"]},
    ],
)
def test_rfc7591_2_1_response_types_only_code_and_consistent_with_grants(api, platform, overrides):
    assert_error(
        post_register(api, initial_token(platform), metadata(**overrides)), 400, "invalid_client_metadata"
    )


def test_rfc7591_2_1_client_credentials_client_has_no_response_types(api, platform):
    info = registered(api, platform, grant_types=["client_credentials"], redirect_uris=None)
    assert info["response_types"] == []


# -- OIDC Registration Section 2: application_type, jwks, subject_type ---------------------------------------


@pytest.mark.parametrize(
    ("redirect_uri", "status"),
    [
        ("vn.gov.dvc.app:/callback", 201),
        ("http://127.0.0.1:51000/cb", 201),
        ("https://dvc.example.vn/app", 400),
    ],
)
def test_oidc_registration_2_native_clients_use_custom_scheme_or_loopback(
    api, platform, redirect_uri, status
):
    body = metadata(
        application_type="native", redirect_uris=[redirect_uri], token_endpoint_auth_method="none"
    )
    resp = post_register(api, initial_token(platform), body)
    assert resp.status_code == status, resp.text


def test_oidc_registration_2_web_client_cannot_use_custom_scheme(api, platform):
    body = metadata(redirect_uris=["vn.gov.dvc.app:/callback"])
    assert_error(post_register(api, initial_token(platform), body), 400, "invalid_redirect_uri")


def test_oidc_registration_2_jwks_and_jwks_uri_not_both(api, platform):
    public = ECKey.generate_key("P-256", parameters={"kid": "k1"}).as_dict(private=False)
    body = metadata(
        token_endpoint_auth_method="private_key_jwt",
        jwks={"keys": [public]},
        jwks_uri="https://dvc.example.vn/jwks",
    )
    assert_error(post_register(api, initial_token(platform), body), 400, "invalid_client_metadata")


@pytest.mark.parametrize("private", [True, False])
def test_rfc7591_2_jwks_must_hold_readable_public_keys(api, platform, private):
    key = ECKey.generate_key("P-256").as_dict(private=private)
    if not private:
        key["x"] = "not-a-coordinate"
    body = metadata(token_endpoint_auth_method="private_key_jwt", jwks={"keys": [key]})
    assert_error(post_register(api, initial_token(platform), body), 400, "invalid_client_metadata")


def test_rfc7591_2_private_key_jwt_client_authenticates_with_assertion(browser, api, platform, citizen):
    key = ECKey.generate_key("P-256", parameters={"kid": "k1"})
    info = registered(
        api,
        platform,
        token_endpoint_auth_method="private_key_jwt",
        token_endpoint_auth_signing_alg="ES256",
        jwks={"keys": [key.as_dict(private=False)]},
    )
    assert "client_secret" not in info and "client_secret_expires_at" not in info
    portal = portal_of(info)
    result = authorize(browser, portal, citizen)
    now, cid = int(time.time()), info["client_id"]
    claims = {
        "iss": cid,
        "sub": cid,
        "aud": "http://testserver/token",
        "iat": now,
        "exp": now + 60,
        "jti": secrets.token_hex(8),
    }
    assertion = jwt.encode({"alg": "ES256", "kid": "k1"}, claims, key)
    resp = redeem(
        api,
        portal,
        result.code,
        result.verifier,
        client_assertion=assertion,
        client_assertion_type=JWT_BEARER,
    )
    assert resp.status_code == 200, resp.text


def test_dynamic_client_asking_for_public_subject_is_refused(api, platform):
    body = metadata(subject_type="public")
    resp = post_register(api, initial_token(platform), body)
    assert_error(resp, 400, "invalid_client_metadata")
    assert "operator" in resp.json()["error_description"]


# -- OIDC Core 8.1 and Registration Section 5: sector identifiers --------------------------------------


def test_oidc_core_8_1_clients_of_one_sector_share_the_pairwise_sub(app, op, browser, api, platform, citizen):
    uris = ["https://a.example.vn/cb", "https://b.example.vn/cb"]
    serve_sector_document(app, op, uris)
    first = registered(api, platform, redirect_uris=uris, sector_identifier_uri=SECTOR_URI)
    second = registered(api, platform, redirect_uris=[uris[1]], sector_identifier_uri=SECTOR_URI)
    assert first["sector_identifier_uri"] == SECTOR_URI
    with platform.db.session() as s:
        assert s.get(Client, first["client_id"]).sector_identifier == "sector.example.vn"
    assert sub_after_login(browser, api, portal_of(first), citizen) == sub_after_login(
        browser, api, portal_of(second), citizen
    )


def test_oidc_core_8_1_redirect_uri_missing_from_sector_document(app, op, api, platform):
    serve_sector_document(app, op, ["https://a.example.vn/cb"])
    body = metadata(
        redirect_uris=["https://a.example.vn/cb", "https://evil.example/cb"], sector_identifier_uri=SECTOR_URI
    )
    assert_error(post_register(api, initial_token(platform), body), 400, "invalid_redirect_uri")


@pytest.mark.parametrize(("document", "status"), [({"uris": []}, 200), ([REDIRECT], 404)])
def test_oidc_core_8_1_unusable_sector_document_is_refused(app, op, api, platform, document, status):
    serve_sector_document(app, op, document, status)
    body = metadata(sector_identifier_uri=SECTOR_URI)
    assert_error(post_register(api, initial_token(platform), body), 400, "invalid_client_metadata")


def test_oidc_core_8_1_sector_identifier_uri_must_use_https(api, platform):
    body = metadata(sector_identifier_uri="http://sector.example.vn/uris.json")
    assert_error(post_register(api, initial_token(platform), body), 400, "invalid_client_metadata")


def test_oidc_registration_5_several_hosts_need_a_sector_identifier_uri(api, platform):
    body = metadata(redirect_uris=["https://a.example.vn/cb", "https://b.example.vn/cb"])
    assert_error(post_register(api, initial_token(platform), body), 400, "invalid_client_metadata")


def test_oidc_core_8_1_loopback_native_clients_get_distinct_subs(browser, api, platform, citizen):
    native = {
        "application_type": "native",
        "token_endpoint_auth_method": "none",
        "redirect_uris": ["http://127.0.0.1:51000/cb"],
    }
    first, second = registered(api, platform, **native), registered(api, platform, **native)
    assert sub_after_login(browser, api, portal_of(first), citizen) != sub_after_login(
        browser, api, portal_of(second), citizen
    )


# -- logout metadata ----------------------------------------------------------------------------------------


def test_frontchannel_logout_2_uri_must_share_origin_with_a_redirect_uri(api, platform):
    body = metadata(frontchannel_logout_uri="https://other.example.vn/logout")
    assert_error(post_register(api, initial_token(platform), body), 400, "invalid_client_metadata")
    info = registered(
        api,
        platform,
        frontchannel_logout_uri="https://dvc.example.vn/logout",
        backchannel_logout_uri="https://dvc.example.vn/bc",
    )
    # Back-Channel Logout 2.2 and Front-Channel Logout 2: *_session_required default to false.
    assert info["frontchannel_logout_session_required"] is False
    assert info["backchannel_logout_session_required"] is False


# -- the service behind the routes ---------------------------------------------------------------------------


def test_one_registration_service_per_app_even_when_first_requests_race(app):
    with ThreadPoolExecutor(max_workers=8) as pool:
        services = list(pool.map(lambda _: registration_for(app), range(32)))
    assert all(service is services[0] for service in services)
    assert app.state.registration is services[0]
