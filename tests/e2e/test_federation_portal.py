"""End to end, OpenID Federation 1.0 Section 12.1: a portal of the federation, never registered by hand,
logs a citizen in at the live IdP and redeems the code, over real HTTP on loopback.

The portal and its province are independent entities on the loopback peer server; the ministry and the
trust anchor are NIXA's. The IdP resolves portal -> province -> ministry -> anchor over HTTP (its own
entities from its database), admits the portal and issues its tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from federation.openid_federation.config import FederationSettings
from federation.openid_federation.extension import NixaFederation
from tests.e2e.live_server import LiveIdP, serve_idp
from tests.federation.openid_federation.conftest import MINISTRY_POLICY, TA_POLICY, rp_metadata
from tests.federation.openid_federation.peers import PeerServer, new_key, serve_peers
from tests.support.factories import PortalInfo, make_citizen, pkce_pair
from tests.support.flows import authorize
from tests.support.request_objects import signed_request
from tests.support.tokens import assertion_form, client_assertion

if TYPE_CHECKING:
    from tests.support.db import TestDatabase


@pytest.fixture
def live(tmp_path: Path, test_database: TestDatabase) -> Iterator[LiveIdP]:
    with serve_idp(tmp_path, test_database.fresh(tmp_path)) as idp:
        yield idp


@pytest.fixture
def peers() -> Iterator[PeerServer]:
    yield from serve_peers()


def test_12_1_an_automatically_registered_portal_logs_a_citizen_in_and_gets_tokens(
    live: LiveIdP, peers: PeerServer
) -> None:
    fed = NixaFederation(live.platform, FederationSettings())  # the operator's side, same database
    ministry = fed.service.create_intermediate(
        slug="bo-tai-chinh", name="Bộ Tài chính", actor="operator", metadata_policy=TA_POLICY
    )
    province = peers.add("da-nang", authority_hints=[ministry])
    fed.service.enrol(
        superior="bo-tai-chinh",
        entity_id=province.entity_id,
        jwks=province.jwks,
        actor="operator",
        intermediate=True,
        metadata_policy=MINISTRY_POLICY,
    )
    rp_key = new_key()
    portal = peers.add("dvc-da-nang", authority_hints=[province.entity_id])
    portal.metadata = rp_metadata(portal.entity_id, rp_key)
    province.enrol(portal)
    citizen = make_citizen(live.provider, full_name="Lê Thị Hoa")
    info = PortalInfo(portal.entity_id, None, portal.entity_id + "/callback", key=rp_key)

    with httpx.Client(base_url=live.base_url, trust_env=False, timeout=10) as browser:
        verifier, challenge = pkce_pair()
        request = signed_request(
            info.client_id,
            rp_key,
            live.issuer,
            redirect_uri=info.redirect_uri,
            code_challenge=challenge,
            scope="openid profile",
        )
        result = authorize(browser, info, citizen, verifier_challenge=(verifier, challenge), request=request)  # type: ignore[arg-type]
        assert result.params["iss"] == live.issuer
        tokens = browser.post(
            "/token",
            data={
                "grant_type": "authorization_code",
                "code": result.code,
                "redirect_uri": info.redirect_uri,
                "code_verifier": verifier,
                **assertion_form(client_assertion(info, f"{live.issuer}/token")),
            },
        )
        assert tokens.status_code == 200, tokens.text
        me = browser.get("/userinfo", headers={"Authorization": f"Bearer {tokens.json()['access_token']}"})
        assert me.status_code == 200 and me.json()["name"] == "Lê Thị Hoa"
    assert any(path.endswith("/dvc-da-nang/.well-known/openid-federation") for path in peers.requests)
