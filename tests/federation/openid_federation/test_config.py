"""Federation settings: configured trust anchors are checked when NIXA starts."""

from __future__ import annotations

import pytest

from federation.openid_federation.config import FederationSettings
from federation.openid_federation.extension import NixaFederation
from idp.config import ConfigurationError
from tests.federation.openid_federation.peers import jwks_of, new_key


@pytest.mark.parametrize(
    "anchors",
    [
        {"https://ta.example.vn": {"keys": []}},
        {"ftp://ta.example.vn": jwks_of(new_key())},
        {"https://x.vn": {}},
    ],
    ids=["no-keys", "not-https", "not-a-jwks"],
)
def test_an_unusable_trust_anchor_setting_stops_the_start(platform, anchors):
    with pytest.raises(ConfigurationError, match="NIXA_FEDERATION_TRUST_ANCHORS"):
        NixaFederation(platform, FederationSettings(trust_anchors=anchors))


def test_a_configured_anchor_is_trusted_beside_nixas_own(platform):
    other = {"https://ta.gov.example": jwks_of(new_key())}
    fed = NixaFederation(platform, FederationSettings(trust_anchors=other))
    assert set(fed.trust_anchors()) == {"https://ta.gov.example", fed.entities.trust_anchor_id}
    alone = NixaFederation(platform, FederationSettings(trust_anchors=other, trust_own_anchor=False))
    assert set(alone.trust_anchors()) == {"https://ta.gov.example"}
