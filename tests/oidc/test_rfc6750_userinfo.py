"""UserInfo endpoint: OIDC Core 1.0 Section 5.3 with RFC 6750 bearer tokens (Sections 2 and 3)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from idp.db import utcnow
from idp.models import Identity, IssuedAccessToken
from tests.conftest import ISSUER
from tests.support.db import update_rows
from tests.support.factories import make_portal
from tests.support.flows import authorize, bearer, begin, redeem, redirected_to, token_post, token_set
from tests.support.tokens import flip_byte, new_ec_key, sign, unsigned, unverified_header, verify_jwt


@pytest.fixture
def tokens(browser, api, portal, citizen) -> dict:
    return token_set(browser, api, portal, citizen, scope="openid profile email")


def assert_invalid_token(resp) -> None:
    assert resp.status_code == 401, resp.text
    challenge = resp.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="nixa"')
    assert 'error="invalid_token"' in challenge
    assert resp.headers["cache-control"] == "no-store"


def test_oidc_core_5_3_1_get_with_bearer_header(api, tokens, citizen):
    resp = api.get("/userinfo", headers=bearer(tokens["access_token"]))
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    assert resp.headers["cache-control"] == "no-store"
    body = resp.json()
    assert body["sub"] == verify_jwt(api, tokens["id_token"])[1]["sub"]
    assert body["name"] == "Nguyễn Văn An"
    assert body["family_name"] == "Nguyễn" and body["given_name"] == "An"
    assert body["email"] == citizen.email
    assert "personal_id" not in body


def test_oidc_core_5_3_1_post_with_bearer_header(api, tokens):
    resp = api.post("/userinfo", headers=bearer(tokens["access_token"]))
    assert resp.status_code == 200
    assert resp.json()["name"] == "Nguyễn Văn An"


def test_rfc6750_2_2_post_with_token_in_form_body(api, tokens):
    resp = api.post("/userinfo", data={"access_token": tokens["access_token"]})
    assert resp.status_code == 200
    assert resp.json()["name"] == "Nguyễn Văn An"


def test_rfc6750_2_token_in_header_and_body_is_invalid_request(api, tokens):
    resp = api.post(
        "/userinfo", headers=bearer(tokens["access_token"]), data={"access_token": tokens["access_token"]}
    )
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_request"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rfc6750_3_1_missing_token_gets_a_bare_bearer_challenge(api, method):
    resp = api.request(method, "/userinfo")
    assert resp.status_code == 401
    challenge = resp.headers["www-authenticate"]
    # RFC 6750 Section 3.1: no error code when the request carried no authentication at all.
    assert challenge == 'Bearer realm="nixa"'


def test_rfc6750_3_1_expired_token_is_invalid_token(api, tokens, platform):
    update_rows(
        platform.db,
        IssuedAccessToken,
        IssuedAccessToken.revoked_at.is_(None),
        expires_at=utcnow() - timedelta(seconds=1),
    )
    assert_invalid_token(api.get("/userinfo", headers=bearer(tokens["access_token"])))


def test_rfc6750_3_1_token_past_its_exp_claim_is_invalid_token(api, tokens, op):
    # Signed with the server's own key and still on record: only the exp claim is wrong.
    claims = verify_jwt(api, tokens["access_token"])[1]
    stale = op.signer.sign(
        {**claims, "iat": int(time.time()) - 700, "exp": int(time.time()) - 100}, typ="at+jwt"
    )
    assert_invalid_token(api.get("/userinfo", headers=bearer(stale)))


@pytest.mark.parametrize("segment", [0, 1, 2])
def test_rfc6750_3_1_tampered_token_is_invalid_token(api, tokens, segment):
    assert_invalid_token(api.get("/userinfo", headers=bearer(flip_byte(tokens["access_token"], segment))))


def test_rfc7519_6_alg_none_token_is_invalid_token(api, tokens):
    assert_invalid_token(api.get("/userinfo", headers=bearer(unsigned(tokens["access_token"]))))


def test_rfc6750_3_1_token_signed_by_another_key_is_invalid_token(api, tokens):
    claims = verify_jwt(api, tokens["access_token"])[1]
    impostor = new_ec_key(kid=unverified_header(tokens["access_token"])["kid"])
    assert_invalid_token(api.get("/userinfo", headers=bearer(sign(claims, impostor, typ="at+jwt"))))


def test_rfc9068_4_id_token_is_not_an_access_token(api, tokens):
    assert_invalid_token(api.get("/userinfo", headers=bearer(tokens["id_token"])))


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "x" * 5000])
def test_rfc6750_3_1_malformed_token_is_invalid_token(api, token):
    resp = api.get("/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401


def test_userinfo_reads_the_person_as_stored_now(api, tokens, citizen, platform):
    """The person is read with the token's record on every request: a locked account's token stops at
    once, and a changed attribute is answered as changed."""
    assert api.get("/userinfo", headers=bearer(tokens["access_token"])).json()["name"] == "Nguyễn Văn An"
    update_rows(platform.db, Identity, Identity.id == citizen.id, locked=True)
    assert_invalid_token(api.get("/userinfo", headers=bearer(tokens["access_token"])))
    sealed = platform.sealer.seal_text("Nguyễn Văn Bình", f"identity:{citizen.id}:full_name")
    update_rows(platform.db, Identity, Identity.id == citizen.id, locked=False, full_name_enc=sealed)
    assert api.get("/userinfo", headers=bearer(tokens["access_token"])).json()["name"] == "Nguyễn Văn Bình"


def test_rfc6750_3_1_client_credentials_token_has_insufficient_scope(api, platform):
    service = make_portal(platform, grant_types=("client_credentials",), redirect_uris=())
    access = token_post(api, service, {"grant_type": "client_credentials"}).json()["access_token"]
    resp = api.get("/userinfo", headers=bearer(access))
    assert resp.status_code == 403
    assert 'error="insufficient_scope"' in resp.headers["www-authenticate"]


def test_oidc_core_5_3_2_signed_userinfo_when_registered(browser, api, platform, citizen):
    signed_portal = make_portal(platform, userinfo_signed_response_alg="ES256")
    tokens = token_set(browser, api, signed_portal, citizen)
    resp = api.get("/userinfo", headers=bearer(tokens["access_token"]))
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/jwt")
    assert resp.headers["cache-control"] == "no-store"
    header, claims = verify_jwt(api, resp.text)
    assert header["alg"] == "ES256"
    assert claims["iss"] == ISSUER
    assert claims["aud"] == signed_portal.client_id
    assert claims["sub"] == verify_jwt(api, tokens["id_token"])[1]["sub"]
    assert claims["name"] == "Nguyễn Văn An"


# -- the personal ID number: its own scope and explicit consent (DESIGN.md, data rules) -----------------
PID_SCOPE = "openid profile nixa.personal_id"


def test_nixa_personal_id_claim_with_scope_and_consent(browser, api, portal, citizen):
    result = authorize(browser, portal, citizen, scope=PID_SCOPE)
    consent_page = next(p for p in result.pages if 'value="approve"' in p)
    assert 'data-claim="personal_id"' in consent_page
    access = redeem(api, portal, result.code, result.verifier).json()["access_token"]
    assert api.get("/userinfo", headers=bearer(access)).json()["personal_id"] == citizen.personal_id


def test_nixa_personal_id_claim_absent_without_its_scope(api, tokens):
    assert "personal_id" not in api.get("/userinfo", headers=bearer(tokens["access_token"])).json()


def test_nixa_personal_id_scope_needs_its_own_consent(browser, portal, citizen):
    authorize(browser, portal, citizen, scope="openid profile")
    params = redirected_to(begin(browser, portal, prompt="none", scope=PID_SCOPE), portal)
    assert params["error"] == "consent_required"


def test_nixa_personal_id_consent_refused_gives_nothing(browser, portal, citizen):
    result = authorize(browser, portal, citizen, scope=PID_SCOPE, consent=False)
    assert result.params["error"] == "access_denied"


def test_nixa_personal_id_scope_refused_to_a_portal_not_allowed_it(browser, platform):
    modest = make_portal(platform, scopes=("openid", "profile", "email"))
    params = redirected_to(begin(browser, modest, scope=PID_SCOPE), modest)
    assert params["error"] == "invalid_scope"
