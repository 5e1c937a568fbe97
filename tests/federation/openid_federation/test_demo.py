"""The federation in ``nixa demo``: a ministry and a province under NIXA's trust anchor, created once."""

from __future__ import annotations

from federation.openid_federation.demo import demo_federation
from federation.openid_federation.service import FederationService


def test_demo_builds_a_ministry_and_a_province_once(platform, fed):
    lines = demo_federation(platform)
    assert demo_federation(platform) == lines
    service: FederationService = fed.service
    intermediates = {e.entity_id: e for e in service.overview().intermediates}
    ministry, province = (fed.entities.intermediate_id(s) for s in ("bo-tai-chinh", "da-nang"))
    assert intermediates[ministry].superior == fed.entities.trust_anchor_id
    assert intermediates[province].superior == ministry
    assert any("/federation/ta/.well-known/openid-federation" in line for line in lines)
    chain = fed.resolver.resolve(province)
    assert chain.entity_ids == [province, province, ministry, fed.entities.trust_anchor_id]
