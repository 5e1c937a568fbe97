"""Automatic registration, OpenID Federation 1.0 Section 12.1: a portal of the federation uses its entity
ID as client_id, signs its request (RFC 9101) and is admitted by resolving its chain, with no manual step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from federation.openid_federation.config import FederationSettings
from federation.openid_federation.extension import NixaFederation
from federation.openid_federation.models import FederatedClient
from idp.models import AuditRecord, Client
from tests.conftest import ISSUER
from tests.federation.openid_federation.conftest import Federation
from tests.federation.openid_federation.peers import new_key
from tests.support.factories import Citizen, PortalInfo, pkce_pair
from tests.support.flows import authorize, error_page, redirected_to
from tests.support.request_objects import signed_request
from tests.support.tokens import assertion_form, client_assertion, verify_jwt


def portal_info(federation: Federation) -> PortalInfo:
    return PortalInfo(
        federation.portal.entity_id, None, federation.redirect_uri, key=federation.portal_rp_key
    )


def authorize_signed(browser: TestClient, federation: Federation, citizen: Citizen | None, **claims: Any):
    verifier, challenge = pkce_pair()
    portal = portal_info(federation)
    request = signed_request(
        portal.client_id,
        claims.pop("key", federation.portal_rp_key),
        ISSUER,
        redirect_uri=portal.redirect_uri,
        code_challenge=challenge,
        **claims,
    )
    return authorize(browser, portal, citizen, verifier_challenge=(verifier, challenge), request=request)


def redeem_with_key(api: TestClient, federation: Federation, code: str, verifier: str):
    portal = portal_info(federation)
    return api.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": portal.redirect_uri,
            "code_verifier": verifier,
            "client_id": portal.client_id,
            **assertion_form(client_assertion(portal, f"{ISSUER}/token")),
        },
    )


def test_12_1_a_federation_portal_is_admitted_and_gets_tokens(
    fed_client: TestClient, federation: Federation, citizen: Citizen, platform
):
    result = authorize_signed(fed_client, federation, citizen)
    assert result.params["state"] == "st-fed", "the state of the request object, not of the query"
    resp = redeem_with_key(fed_client, federation, result.code, result.verifier)
    assert resp.status_code == 200, resp.text
    _, claims = verify_jwt(fed_client, resp.json()["id_token"])
    assert claims["aud"] == federation.portal.entity_id
    assert claims["nonce"] == "n-fed"
    with platform.db.session() as s:
        client = s.get(Client, federation.portal.entity_id)
        assert client is not None and client.token_endpoint_auth_method == "private_key_jwt"
        assert client.scopes == ["openid", "profile", "email"], "the federation's policy decides the scopes"
        row = s.get(FederatedClient, federation.portal.entity_id)
        assert row is not None and row.registration_type == "automatic"
        assert row.trust_anchor == federation.ta_id
        events = s.scalars(select(AuditRecord.event).where(AuditRecord.client_id == client.client_id)).all()
        assert "federation:client:admitted" in events


def test_12_1_1_1_an_unknown_portal_without_a_request_object_is_not_resolved(
    fed_client: TestClient, federation: Federation
):
    resp = fed_client.get(
        "/authorize",
        params={"client_id": federation.portal.entity_id, "redirect_uri": federation.redirect_uri},
        follow_redirects=False,
    )
    assert error_page(resp) == "error.unknown_client"
    assert federation.peers.requests == [], "nothing was fetched for an unsigned request"


def test_rfc9101_10_5_an_admitted_portal_must_keep_signing_its_requests(
    fed_client: TestClient, federation: Federation, citizen: Citizen
):
    authorize_signed(fed_client, federation, citizen)
    _verifier, challenge = pkce_pair()
    plain = fed_client.get(
        "/authorize",
        params={
            "client_id": federation.portal.entity_id,
            "redirect_uri": federation.redirect_uri,
            "response_type": "code",
            "scope": "openid",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
        follow_redirects=False,
    )
    assert redirected_to(plain, portal_info(federation))["error"] == "invalid_request"


def test_rfc9101_6_2_a_request_object_signed_by_another_key_is_refused(
    fed_client: TestClient, federation: Federation
):
    _verifier, challenge = pkce_pair()
    request = signed_request(
        federation.portal.entity_id,
        new_key(),
        ISSUER,
        redirect_uri=federation.redirect_uri,
        code_challenge=challenge,
    )
    resp = fed_client.get(
        "/authorize",
        params={"client_id": federation.portal.entity_id, "request": request, "response_type": "code"},
        follow_redirects=False,
    )
    assert error_page(resp) == "error.invalid_request_object"


def test_rfc9101_10_2_a_request_object_for_another_audience_or_replayed_is_refused(
    fed_client: TestClient, federation: Federation, citizen: Citizen
):
    _verifier, challenge = pkce_pair()
    wrong_aud = signed_request(
        federation.portal.entity_id,
        federation.portal_rp_key,
        "https://other-op.example.vn",
        redirect_uri=federation.redirect_uri,
        code_challenge=challenge,
    )
    params = {
        "client_id": federation.portal.entity_id,
        "response_type": "code",
        "redirect_uri": federation.redirect_uri,
    }
    resp = fed_client.get("/authorize", params={**params, "request": wrong_aud}, follow_redirects=False)
    assert redirected_to(resp, portal_info(federation))["error"] == "invalid_request_object"
    good = signed_request(
        federation.portal.entity_id,
        federation.portal_rp_key,
        ISSUER,
        redirect_uri=federation.redirect_uri,
        code_challenge=challenge,
    )
    first = fed_client.get("/authorize", params={**params, "request": good}, follow_redirects=False)
    assert first.headers["location"].startswith("/interaction/")
    replay = fed_client.get("/authorize", params={**params, "request": good}, follow_redirects=False)
    assert redirected_to(replay, portal_info(federation))["error"] == "invalid_request_object"


def test_12_1_a_portal_whose_chain_breaks_is_refused_and_the_refusal_logged(
    fed_client: TestClient, federation: Federation, platform, caplog
):
    federation.portal.lifetime = -10
    _verifier, challenge = pkce_pair()
    request = signed_request(
        federation.portal.entity_id,
        federation.portal_rp_key,
        ISSUER,
        redirect_uri=federation.redirect_uri,
        code_challenge=challenge,
    )
    resp = fed_client.get(
        "/authorize",
        params={"client_id": federation.portal.entity_id, "request": request},
        follow_redirects=False,
    )
    assert error_page(resp) == "error.unknown_client"
    with platform.db.session() as s:
        assert s.get(Client, federation.portal.entity_id) is None
    assert f"federation refused {federation.portal.entity_id}: a statement has expired" in caplog.text


def test_12_1_removing_a_subordinate_ends_the_admission_of_portals_below_it(
    fed_client: TestClient, federation: Federation, citizen: Citizen, platform
):
    authorize_signed(fed_client, federation, citizen)
    # The operator removes it from another process (``nixa federation remove``): no shared cache.
    operator = NixaFederation(platform, FederationSettings())
    operator.service.remove_subordinate(
        superior="bo-tai-chinh", entity_id=federation.province.entity_id, actor="test"
    )
    _verifier, challenge = pkce_pair()
    request = signed_request(
        federation.portal.entity_id,
        federation.portal_rp_key,
        ISSUER,
        redirect_uri=federation.redirect_uri,
        code_challenge=challenge,
    )
    resp = fed_client.get(
        "/authorize",
        params={"client_id": federation.portal.entity_id, "request": request},
        follow_redirects=False,
    )
    assert error_page(resp) == "error.unknown_client"


def test_12_1_at_the_token_endpoint_an_expired_admission_is_resolved_again(
    fed_client: TestClient, federation: Federation, citizen: Citizen, platform
):
    result = authorize_signed(fed_client, federation, citizen)
    with platform.db.session() as s:
        s.get(FederatedClient, federation.portal.entity_id).chain_expires_at = datetime.now(UTC) - timedelta(
            1
        )
    federation.fed.resolver.forget()
    fetched = len(federation.peers.requests)
    resp = redeem_with_key(fed_client, federation, result.code, result.verifier)
    assert resp.status_code == 200, resp.text
    assert len(federation.peers.requests) > fetched, "the chain was resolved again before trusting the client"
    with platform.db.session() as s:
        assert s.get(FederatedClient, federation.portal.entity_id).chain_expires_at > datetime.now(UTC)


def test_12_1_private_key_jwt_for_a_portal_the_federation_no_longer_vouches_for_is_invalid_client(
    fed_client: TestClient, federation: Federation, citizen: Citizen, platform
):
    result = authorize_signed(fed_client, federation, citizen)
    federation.fed.service.remove_subordinate(
        superior="bo-tai-chinh", entity_id=federation.province.entity_id, actor="test"
    )
    resp = redeem_with_key(fed_client, federation, result.code, result.verifier)
    assert resp.status_code == 401 and resp.json()["error"] == "invalid_client"
