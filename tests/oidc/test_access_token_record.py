"""Access tokens are recognised by the hash recorded when they were issued (revision 0013).

NIXA's own endpoints (UserInfo, introspection, the credential endpoint) find a token's record by its jti
and accept it when the token's SHA-256 equals the recorded one, without a second signature check. These
tests show that this is never weaker than the signature: a token NIXA did not issue byte for byte is
refused even when NIXA's own key signed it, a token whose key was withdrawn stops working, and tokens
issued before the revision are still verified by signature.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from idp.crypto import sha256_hex
from idp.models import IssuedAccessToken
from tests.support.db import update_rows
from tests.support.flows import bearer, token_set
from tests.support.tokens import unverified_header, verify_jwt


@pytest.fixture
def tokens(browser, api, portal, citizen) -> dict:
    return token_set(browser, api, portal, citizen, scope="openid profile")


def introspect(api, portal, token: str) -> dict:
    resp = api.post("/introspect", data={"token": token}, auth=(portal.client_id, portal.client_secret))
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_the_record_holds_the_sha256_of_the_token_as_issued(api, platform, tokens):
    jti = verify_jwt(api, tokens["access_token"])[1]["jti"]
    with platform.db.read_session() as s:
        recorded = s.scalar(select(IssuedAccessToken.token_hash).where(IssuedAccessToken.jti == jti))
    assert recorded == sha256_hex(tokens["access_token"])


def test_a_token_re_signed_with_nixas_own_key_but_other_claims_is_refused(api, portal, tokens, op):
    # A valid signature by the current key, the jti of a live record, wider claims: not what was issued.
    claims = verify_jwt(api, tokens["access_token"])[1]
    widened = op.signer.sign({**claims, "scope": "openid profile email phone"}, typ="at+jwt")
    assert verify_jwt(api, widened)[1]["scope"] == "openid profile email phone"
    assert api.get("/userinfo", headers=bearer(widened)).status_code == 401
    assert introspect(api, portal, widened) == {"active": False}
    # The token as issued still works.
    assert api.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 200


def test_a_token_whose_key_was_withdrawn_stops_working(api, portal, tokens, platform):
    kid = unverified_header(tokens["access_token"])["kid"]
    platform.keys.rotate(actor="test", alg="ES256")
    # Retired but still published until its tokens expire: they still work.
    assert api.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 200
    assert platform.keys.retire(kid, actor="test", reason="the key leaked")
    assert kid not in {k["kid"] for k in api.get("/jwks").json()["keys"]}
    resp = api.get("/userinfo", headers=bearer(tokens["access_token"]))
    assert resp.status_code == 401 and 'error="invalid_token"' in resp.headers["www-authenticate"]
    assert introspect(api, portal, tokens["access_token"]) == {"active": False}


def test_a_token_issued_before_the_hash_was_recorded_is_verified_by_signature(
    api, portal, tokens, op, platform
):
    update_rows(platform.db, IssuedAccessToken, IssuedAccessToken.token_hash.is_not(None), token_hash=None)
    assert api.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 200
    assert introspect(api, portal, tokens["access_token"])["active"] is True
    # Without a hash to compare, the signature and the claims decide, as before.
    claims = verify_jwt(api, tokens["access_token"])[1]
    expired = op.signer.sign({**claims, "exp": int(time.time()) - 10}, typ="at+jwt")
    assert api.get("/userinfo", headers=bearer(expired)).status_code == 401
    forged = tokens["access_token"].rsplit(".", 1)[0] + ".AAAA"
    assert api.get("/userinfo", headers=bearer(forged)).status_code == 401
