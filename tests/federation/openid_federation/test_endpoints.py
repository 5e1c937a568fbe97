"""Entity configurations and the federation endpoints of the entities NIXA runs (OpenID Federation 1.0
Sections 3, 8 and 9)."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from federation.openid_federation.statements import parse, self_signed, verify
from tests.conftest import ISSUER
from tests.federation.openid_federation.conftest import Federation

TA = f"{ISSUER}/federation/ta"
NOW = int(time.time())


def statement(resp, typ: str = "entity-statement+jwt"):
    assert resp.status_code == 200, resp.text
    media = "application/" + typ
    assert resp.headers["content-type"].startswith(media)
    return parse(resp.text, typ=typ)


def test_9_the_op_is_a_leaf_with_its_entity_configuration(fed_client: TestClient, federation: Federation):
    ec = self_signed(fed_client.get("/.well-known/openid-federation").text, now=int(time.time()))
    assert ec.iss == ec.sub == ISSUER
    assert ec.authority_hints == [TA]
    op = ec.metadata["openid_provider"]
    assert op["issuer"] == ISSUER and op["authorization_endpoint"] == f"{ISSUER}/authorize"
    assert op["client_registration_types_supported"] == ["automatic", "explicit"]
    assert op["federation_registration_endpoint"] == f"{ISSUER}/federation/register"
    assert ec.jwks["keys"][0]["kid"] not in {k["kid"] for k in fed_client.get("/jwks").json()["keys"]}, (
        "federation keys are not the OP's token signing keys"
    )


def test_9_the_trust_anchor_and_intermediates_publish_their_configurations(
    fed_client: TestClient, federation: Federation
):
    ta = statement(fed_client.get("/federation/ta/.well-known/openid-federation"))
    assert ta.iss == ta.sub == TA and "authority_hints" not in ta.claims
    assert ta.federation_endpoint("federation_fetch_endpoint") == f"{TA}/fetch"
    ministry = statement(
        fed_client.get("/federation/intermediates/bo-tai-chinh/.well-known/openid-federation")
    )
    assert ministry.sub == federation.ministry_id and ministry.authority_hints == [TA]
    verify(ministry, ministry.jwks, now=int(time.time()))


def test_8_1_fetch_returns_the_subordinate_statement_signed_by_the_superior(
    fed_client: TestClient, federation: Federation
):
    ministry_ec = statement(
        fed_client.get("/federation/intermediates/bo-tai-chinh/.well-known/openid-federation")
    )
    resp = fed_client.get(
        "/federation/intermediates/bo-tai-chinh/fetch", params={"sub": federation.province.entity_id}
    )
    ss = statement(resp)
    assert ss.iss == federation.ministry_id and ss.sub == federation.province.entity_id
    assert ss.jwks == federation.province.jwks
    assert ss.claims["metadata_policy"]["openid_relying_party"]["contacts"] == {"add": ["cntt@mof.gov.vn"]}
    verify(ss, ministry_ec.jwks, now=int(time.time()))
    about_ministry = statement(fed_client.get("/federation/ta/fetch", params={"sub": federation.ministry_id}))
    assert about_ministry.jwks == ministry_ec.jwks, "the anchor vouches for the ministry's own key"


def test_8_1_2_fetch_errors_are_federation_errors(fed_client: TestClient, federation: Federation):
    unknown = fed_client.get("/federation/ta/fetch", params={"sub": "https://unknown.example.vn"})
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"
    assert fed_client.get("/federation/ta/fetch").json()["error"] == "invalid_request"
    assert fed_client.get("/federation/intermediates/khong-co/fetch", params={"sub": "x"}).status_code == 404


def test_8_2_list_filters_subordinates(fed_client: TestClient, federation: Federation):
    assert sorted(fed_client.get("/federation/ta/list").json()) == sorted([ISSUER, federation.ministry_id])
    assert fed_client.get("/federation/ta/list", params={"intermediate": "true"}).json() == [
        federation.ministry_id
    ]
    assert fed_client.get("/federation/ta/list", params={"entity_type": "openid_provider"}).json() == [ISSUER]
    assert fed_client.get("/federation/ta/list", params={"trust_marked": "true"}).json() == []
    assert (
        fed_client.get("/federation/ta/list", params={"intermediate": "yes"}).json()["error"]
        == "invalid_request"
    )


def test_8_3_resolve_answers_with_the_signed_resolved_metadata_and_chain(
    fed_client: TestClient, federation: Federation
):
    resp = fed_client.get(
        "/federation/ta/resolve",
        params={
            "sub": federation.portal.entity_id,
            "trust_anchor": TA,
            "entity_type": "openid_relying_party",
        },
    )
    answer = statement(resp, "resolve-response+jwt")
    ta = statement(fed_client.get("/federation/ta/.well-known/openid-federation"))
    verify(answer, ta.jwks, now=int(time.time()))
    assert answer.iss == TA and answer.sub == federation.portal.entity_id
    assert answer.claims["metadata"]["openid_relying_party"]["subject_type"] == "pairwise"
    assert set(answer.claims["metadata"]) == {"openid_relying_party"}
    assert len(answer.claims["trust_chain"]) == 5


def test_8_3_resolve_with_an_untrusted_anchor_is_invalid_trust_anchor(
    fed_client: TestClient, federation: Federation
):
    resp = fed_client.get(
        "/federation/ta/resolve",
        params={"sub": federation.portal.entity_id, "trust_anchor": "https://ta.example.vn"},
    )
    assert resp.status_code == 404 and resp.json()["error"] == "invalid_trust_anchor"


def test_8_3_resolve_of_a_broken_chain_is_invalid_trust_chain(fed_client: TestClient, federation: Federation):
    federation.portal.lifetime = -5
    resp = fed_client.get(
        "/federation/ta/resolve", params={"sub": federation.portal.entity_id, "trust_anchor": TA}
    )
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_trust_chain"


def test_8_7_historical_keys_lists_retired_keys_signed_with_the_current_one(
    fed_client: TestClient, federation: Federation
):
    before = statement(fed_client.get("/federation/ta/.well-known/openid-federation"))
    assert before.federation_endpoint("federation_historical_keys_endpoint") == f"{TA}/historical_keys"
    federation.fed.service.rotate_keys("ta", actor="test")
    answer = parse(
        fed_client.get("/federation/ta/historical_keys").text,
        typ="jwk-set+jwt",
        require_exp=False,
        require_sub=False,
    )
    after = statement(fed_client.get("/federation/ta/.well-known/openid-federation"))
    verify(answer, after.jwks, now=int(time.time()))
    retired = answer.claims["keys"]
    assert [k["kid"] for k in retired] == [before.header["kid"]]
    assert retired[0]["exp"] > int(time.time())
