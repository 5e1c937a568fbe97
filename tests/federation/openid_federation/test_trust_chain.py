"""Trust chain resolution and validation over a three-level federation on loopback (OpenID Federation 1.0
Sections 6, 10): trust anchor -> ministry (NIXA) -> province (independent) -> portal (independent)."""

from __future__ import annotations

import time

import pytest
from joserfc.jwk import ECKey

from federation.openid_federation.config import FederationSettings
from federation.openid_federation.errors import FederationError
from tests.federation.openid_federation.conftest import Federation, add_portal
from tests.federation.openid_federation.peers import new_key

RP = "openid_relying_party"


def test_10_1_three_level_chain_resolves_with_the_merged_policy(federation: Federation):
    chain = federation.fed.resolver.resolve(federation.portal.entity_id)
    assert chain.entity_ids == [
        federation.portal.entity_id,
        federation.portal.entity_id,
        federation.province.entity_id,
        federation.ministry_id,
        federation.ta_id,
    ]
    rp = chain.metadata[RP]
    assert rp["scope"] == "openid profile email", "the anchor's subset_of drops nixa.personal_id"
    assert rp["grant_types"] == ["authorization_code", "refresh_token"]
    assert rp["contacts"] == ["cntt@mof.gov.vn"], "the ministry's add"
    assert rp["subject_type"] == "pairwise", "the province's value"
    assert rp["id_token_signed_response_alg"] == "ES256", "the anchor's default"


def test_10_4_the_chain_expires_with_its_earliest_statement(federation: Federation):
    federation.province.lifetime = 120
    chain = federation.fed.resolver.resolve(federation.portal.entity_id)
    assert chain.expires_at <= int(time.time()) + 120
    assert chain.expires_at == min(s.exp for s in chain.statements)


def test_10_4_chains_are_cached_until_they_expire(federation: Federation):
    federation.portal.lifetime = 30
    federation.fed.resolver.resolve(federation.portal.entity_id)
    fetched = len(federation.peers.requests)
    federation.fed.resolver.resolve(federation.portal.entity_id)
    assert len(federation.peers.requests) == fetched, "the second resolution is served from the cache"
    federation.fed.resolver.clock = lambda: time.time() + 60
    federation.portal.lifetime = 3600
    federation.fed.resolver.resolve(federation.portal.entity_id)
    assert len(federation.peers.requests) > fetched, "an expired chain is resolved again"


def test_10_2_an_expired_statement_is_refused(federation: Federation):
    federation.portal.lifetime = -60
    with pytest.raises(FederationError, match="expired"):
        federation.fed.resolver.resolve(federation.portal.entity_id)


def test_10_2_a_statement_signed_with_a_key_the_superior_does_not_vouch_for_is_refused(
    federation: Federation,
):
    # The province signs with a new key but the ministry still vouches for the old one.
    federation.province.key = new_key()
    with pytest.raises(FederationError, match=r"does not vouch for|signature"):
        federation.fed.resolver.resolve(federation.portal.entity_id)


def test_10_2_a_wrong_signature_on_a_subordinate_statement_is_refused(federation: Federation):
    impostor = ECKey.generate_key("P-256", parameters={"kid": federation.province.key.kid}, private=True)
    federation.province.signing_key = impostor
    with pytest.raises(FederationError, match="signature"):
        federation.fed.resolver.resolve(federation.portal.entity_id)


def test_6_1_4_1_a_policy_conflict_between_levels_is_refused(federation: Federation):
    federation.province.subordinates[federation.portal.entity_id].metadata_policy = {
        RP: {"token_endpoint_auth_method": {"value": "client_secret_basic"}}
    }
    with pytest.raises(FederationError, match="conflict"):
        federation.fed.resolver.resolve(federation.portal.entity_id)


def test_6_2_1_a_path_longer_than_max_path_length_is_refused(federation: Federation):
    fed = federation.fed
    fed.service.enrol(
        superior="bo-tai-chinh",
        entity_id=federation.province.entity_id,
        jwks=federation.province.jwks,
        actor="test",
        intermediate=True,
        constraints={"max_path_length": 0},
    )
    with pytest.raises(FederationError, match="max_path_length"):
        fed.resolver.resolve(federation.portal.entity_id)
    # The portal is one intermediate (the province) below the ministry: max_path_length 1 allows it.
    fed.service.enrol(
        superior="bo-tai-chinh",
        entity_id=federation.province.entity_id,
        jwks=federation.province.jwks,
        actor="test",
        intermediate=True,
        constraints={"max_path_length": 1},
    )
    assert fed.resolver.resolve(federation.portal.entity_id).subject == federation.portal.entity_id


def test_6_2_2_naming_constraints_refuse_entities_outside_the_permitted_names(federation: Federation):
    fed = federation.fed
    fed.service.enrol(
        superior="bo-tai-chinh",
        entity_id=federation.province.entity_id,
        jwks=federation.province.jwks,
        actor="test",
        intermediate=True,
        constraints={"naming_constraints": {"permitted": [".danang.gov.vn"]}},
    )
    with pytest.raises(FederationError, match="permitted names"):
        fed.resolver.resolve(federation.portal.entity_id)


def test_6_2_3_allowed_entity_types_drop_other_metadata(federation: Federation):
    federation.portal.metadata["openid_provider"] = {"issuer": federation.portal.entity_id}
    federation.province.subordinates[federation.portal.entity_id].constraints = {
        "allowed_entity_types": ["openid_relying_party"]
    }
    chain = federation.fed.resolver.resolve(federation.portal.entity_id)
    assert RP in chain.metadata and "openid_provider" not in chain.metadata


def test_10_1_a_removed_subordinate_is_no_longer_trusted(federation: Federation):
    fed = federation.fed
    assert fed.resolver.resolve(federation.portal.entity_id)
    assert fed.service.remove_subordinate(
        superior="bo-tai-chinh", entity_id=federation.province.entity_id, actor="test"
    )
    with pytest.raises(FederationError, match="vouch"):
        fed.resolver.resolve(federation.portal.entity_id)


def test_10_1_a_loop_in_authority_hints_is_refused(federation: Federation):
    # Two provinces that name each other as superior, neither reaching the anchor.
    a = federation.peers.add("vong-a")
    b = federation.peers.add("vong-b", authority_hints=[a.entity_id])
    a.authority_hints = [b.entity_id]
    a.enrol(b)
    b.enrol(a)
    portal, _ = add_portal(federation, "cong-vong", under=a)
    with pytest.raises(FederationError, match="loop"):
        federation.fed.resolver.resolve(portal.entity_id)


@pytest.fixture
def fed_settings() -> FederationSettings:
    return FederationSettings(statement_ttl=3600, max_path_depth=4)


def test_10_1_a_path_deeper_than_the_resolver_allows_is_refused(federation: Federation):
    superior = federation.province
    for level in range(4):  # four more independent intermediates under the province
        lower = federation.peers.add(f"cap-{level}", authority_hints=[superior.entity_id])
        superior.enrol(lower)
        superior = lower
    portal, _ = add_portal(federation, "cong-sau", under=superior)
    with pytest.raises(FederationError, match="too deep"):
        federation.fed.resolver.resolve(portal.entity_id)


def test_10_2_an_unknown_trust_anchor_is_refused(federation: Federation):
    with pytest.raises(FederationError, match="trust anchor"):
        federation.fed.resolver.resolve(federation.portal.entity_id, "https://ta.example.vn")


def test_key_rotation_keeps_chains_valid_and_publishes_the_next_key_first(federation: Federation, platform):
    fed = federation.fed
    with platform.db.read_session() as s:
        before = [k["kid"] for k in fed.entities.jwks(s, federation.ministry_id)["keys"]]
    assert len(before) == 2, "current and next are published"
    for entity in ("ta", "bo-tai-chinh", "op"):
        fed.service.rotate_keys(entity, actor="test")
    with platform.db.read_session() as s:
        after = [k["kid"] for k in fed.entities.jwks(s, federation.ministry_id)["keys"]]
        signing = fed.entities.key(s, federation.ministry_id).kid
    assert signing == before[1], "the published next key signs now"
    assert before[0] in after and len(after) == 3, "the retired key stays published while its statements live"
    chain = fed.resolver.resolve(federation.portal.entity_id, fresh=True)
    assert chain.statements[2].header["kid"] == signing, "the ministry's statement about the province"
    assert fed.resolver.resolve(platform.issuer, fresh=True).subject == platform.issuer


def test_a_refusal_is_remembered_briefly_so_a_name_cannot_make_nixa_fetch_again_and_again(
    federation: Federation,
):
    federation.portal.lifetime = -60
    with pytest.raises(FederationError, match="expired"):
        federation.fed.resolver.resolve(federation.portal.entity_id)
    fetched = len(federation.peers.requests)
    federation.portal.lifetime = 3600
    with pytest.raises(FederationError, match="expired"):
        federation.fed.resolver.resolve(federation.portal.entity_id)
    assert len(federation.peers.requests) == fetched
    federation.fed.resolver.clock = lambda: time.time() + 31
    assert federation.fed.resolver.resolve(federation.portal.entity_id).subject == federation.portal.entity_id
