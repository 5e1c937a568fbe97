"""Explicit registration, OpenID Federation 1.0 Section 12.2: the portal posts its entity configuration
(or a trust chain) to the OP's federation_registration_endpoint and gets a signed registration back."""

from __future__ import annotations

import json
import time

from fastapi.testclient import TestClient

from federation.openid_federation.models import FederatedClient
from federation.openid_federation.statements import parse, self_signed, verify
from tests.conftest import ISSUER
from tests.federation.openid_federation.conftest import Federation

ENDPOINT = "/federation/register"
EC = "application/entity-statement+jwt"


def op_keys(fed_client: TestClient) -> dict:
    return self_signed(fed_client.get("/.well-known/openid-federation").text, now=int(time.time())).jwks


def test_12_2_an_entity_configuration_registers_the_portal(
    fed_client: TestClient, federation: Federation, platform
):
    federation.portal.extra_claims = {"aud": ISSUER}
    resp = fed_client.post(ENDPOINT, content=federation.portal.configuration(), headers={"content-type": EC})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/explicit-registration-response+jwt")
    answer = parse(resp.text, typ="explicit-registration-response+jwt")
    verify(answer, op_keys(fed_client), now=int(time.time()))
    assert answer.iss == ISSUER and answer.sub == answer.claims["aud"] == federation.portal.entity_id
    assert answer.claims["trust_anchor"] == federation.ta_id
    assert answer.claims["authority_hints"] == [federation.province.entity_id]
    rp = answer.claims["metadata"]["openid_relying_party"]
    assert rp["client_id"] == federation.portal.entity_id
    assert rp["redirect_uris"] == [federation.redirect_uri]
    with platform.db.session() as s:
        row = s.get(FederatedClient, federation.portal.entity_id)
        assert row is not None and row.registration_type == "explicit"


def test_12_2_1_an_entity_configuration_without_the_op_as_audience_is_refused(
    fed_client: TestClient, federation: Federation
):
    resp = fed_client.post(ENDPOINT, content=federation.portal.configuration(), headers={"content-type": EC})
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_request"


def test_12_2_a_trust_chain_registers_the_portal(fed_client: TestClient, federation: Federation):
    federation.portal.extra_claims = {"aud": ISSUER}
    chain = federation.fed.resolver.resolve(federation.portal.entity_id)
    tokens = [federation.portal.configuration(), *chain.tokens()[1:]]
    resp = fed_client.post(
        ENDPOINT, content=json.dumps(tokens), headers={"content-type": "application/trust-chain+json"}
    )
    assert resp.status_code == 200, resp.text
    assert parse(resp.text, typ="explicit-registration-response+jwt").sub == federation.portal.entity_id


def test_12_2_a_tampered_trust_chain_is_refused(fed_client: TestClient, federation: Federation):
    federation.portal.extra_claims = {"aud": ISSUER}
    tokens = [
        federation.portal.configuration(),
        *federation.fed.resolver.resolve(federation.portal.entity_id).tokens()[1:],
    ]
    tokens.pop(2)  # the ministry's statement about the province left out: the links no longer hold
    resp = fed_client.post(
        ENDPOINT, content=json.dumps(tokens), headers={"content-type": "application/trust-chain+json"}
    )
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_trust_chain"
