"""A three-level federation on loopback for every test that needs one.

NIXA runs the national trust anchor and a ministry intermediate (Bộ Tài chính); the province intermediate
(Đà Nẵng) and the portals are independent entities on the loopback peer server, so resolution really
fetches their statements over HTTP: portal -> province -> ministry -> trust anchor.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc.jwk import ECKey

from federation.openid_federation.config import FederationSettings
from federation.openid_federation.extension import NixaFederation, extension_for
from idp.platform import Platform
from idp.web.app import create_app
from tests.conftest import ISSUER
from tests.federation.openid_federation.peers import Peer, PeerServer, jwks_of, new_key, serve_peers

MINISTRY_SLUG = "bo-tai-chinh"
TA_POLICY = {
    "openid_relying_party": {
        "scope": {"subset_of": ["openid", "profile", "email", "offline_access"]},
        "grant_types": {"subset_of": ["authorization_code", "refresh_token"]},
        "id_token_signed_response_alg": {"one_of": ["ES256", "RS256"], "default": "ES256"},
        "token_endpoint_auth_method": {"value": "private_key_jwt"},
    }
}
MINISTRY_POLICY = {"openid_relying_party": {"contacts": {"add": ["cntt@mof.gov.vn"]}}}
PROVINCE_POLICY = {"openid_relying_party": {"subject_type": {"value": "pairwise"}}}


@pytest.fixture(scope="module")
def peer_server() -> Iterator[PeerServer]:
    yield from serve_peers()


@pytest.fixture
def peers(peer_server: PeerServer) -> PeerServer:
    peer_server.peers.clear()
    peer_server.requests.clear()
    return peer_server


@pytest.fixture
def fed_settings() -> FederationSettings:
    return FederationSettings(statement_ttl=3600)


@pytest.fixture
def fed(platform: Platform, fed_settings: FederationSettings) -> NixaFederation:
    platform.keys.ensure_keys()
    return NixaFederation(platform, fed_settings)


@pytest.fixture
def fed_app(platform: Platform, fed: NixaFederation) -> FastAPI:
    return create_app(platform=platform, extensions=[extension_for(fed)])


@pytest.fixture
def fed_client(fed_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(fed_app, base_url=ISSUER) as c:
        yield c


@dataclass
class Federation:
    """The federation the tests build, with handles on every part of it."""

    fed: NixaFederation
    peers: PeerServer
    ministry_id: str
    province: Peer
    portal: Peer
    portal_rp_key: ECKey

    @property
    def ta_id(self) -> str:
        return self.fed.entities.trust_anchor_id

    @property
    def redirect_uri(self) -> str:
        return self.portal.entity_id + "/callback"


def rp_metadata(entity_id: str, rp_key: ECKey, **overrides: Any) -> dict[str, Any]:
    return {
        "openid_relying_party": {
            "client_name": "Cổng dịch vụ công Đà Nẵng",
            "redirect_uris": [entity_id + "/callback"],
            "token_endpoint_auth_method": "private_key_jwt",
            "grant_types": ["authorization_code", "refresh_token", "implicit"],
            "scope": "openid profile email nixa.personal_id",
            "jwks": jwks_of(rp_key),
            "response_types": ["code"],
            **overrides,
        }
    }


def add_portal(
    federation: Federation, name: str, *, under: Peer | None = None, **metadata: Any
) -> tuple[Peer, ECKey]:
    superior = under or federation.province
    rp_key = new_key()
    portal = federation.peers.add(name, authority_hints=[superior.entity_id])
    portal.metadata = rp_metadata(portal.entity_id, rp_key, **metadata)
    superior.enrol(portal, metadata_policy=PROVINCE_POLICY)
    return portal, rp_key


@pytest.fixture
def federation(fed: NixaFederation, peers: PeerServer) -> Federation:
    ministry_id = fed.service.create_intermediate(
        slug=MINISTRY_SLUG, name="Bộ Tài chính", actor="test", metadata_policy=TA_POLICY
    )
    province = peers.add("da-nang", authority_hints=[ministry_id])
    fed.service.enrol(
        superior=MINISTRY_SLUG,
        entity_id=province.entity_id,
        jwks=province.jwks,
        actor="test",
        name="Tỉnh Đà Nẵng",
        entity_types=["federation_entity"],
        intermediate=True,
        metadata_policy=MINISTRY_POLICY,
    )
    built = Federation(fed, peers, ministry_id, province, province, new_key())
    built.portal, built.portal_rp_key = add_portal(built, "dvc-da-nang")
    return built
