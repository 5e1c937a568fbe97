"""The federation part of ``nixa demo``: NIXA's trust anchor with a ministry and a province under it."""

from __future__ import annotations

from sqlalchemy import select

from federation.openid_federation.config import FederationSettings
from federation.openid_federation.extension import NixaFederation
from federation.openid_federation.models import FederationEntity
from idp.platform import Platform

DEMO_INTERMEDIATES = (
    ("bo-tai-chinh", "Bộ Tài chính", "ta"),
    ("da-nang", "Ủy ban nhân dân thành phố Đà Nẵng", "bo-tai-chinh"),
)
DEMO_POLICY = {
    "openid_relying_party": {
        "grant_types": {"subset_of": ["authorization_code", "refresh_token"]},
        "token_endpoint_auth_method": {"value": "private_key_jwt"},
    }
}


def demo_federation(platform: Platform) -> list[str]:
    """Create the demo intermediates once; the lines ``nixa demo`` prints about the federation."""
    fed = NixaFederation(platform, FederationSettings())
    for slug, name, superior in DEMO_INTERMEDIATES:
        # By slug, not entity ID: a demo started before on another port (another issuer) made them already,
        # and slugs are unique. Their entity IDs then name the first issuer; a fresh var/ starts anew.
        with platform.db.read_session() as s:
            found = s.scalar(select(FederationEntity.entity_id).where(FederationEntity.slug == slug))
        if found is None:
            fed.service.create_intermediate(
                slug=slug, name=name, superior=superior, actor="demo", metadata_policy=DEMO_POLICY
            )
    ta, issuer = fed.entities.trust_anchor_id, platform.issuer
    return [
        f"Federation trust anchor: {ta}/.well-known/openid-federation  (subordinates: {ta}/list)",
        f"Federation intermediates: {fed.entities.intermediate_id('bo-tai-chinh')}, "
        f"{fed.entities.intermediate_id('da-nang')}  (`nixa federation list`)",
        f"OP entity configuration:  {issuer}/.well-known/openid-federation",
    ]
