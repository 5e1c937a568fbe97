"""Portals admitted through the federation, OpenID Federation 1.0 Section 12.

Automatic registration (12.1): a leaf uses its entity ID as ``client_id`` and signs its authorization
request; ``PortalAdmission`` (an ``idp`` client resolver) resolves its chain to a trust anchor NIXA
trusts, applies the federation's metadata policy, checks the trust marks NIXA requires and creates or
refreshes the client row until the chain expires. Explicit registration (12.2) admits the same way from
an entity configuration or trust chain the portal posts, and answers with a signed registration response.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from federation.openid_federation import statements
from federation.openid_federation.config import FederationSettings
from federation.openid_federation.errors import FederationError, InvalidMetadata
from federation.openid_federation.models import FederatedClient
from federation.openid_federation.resolver import TrustChainResolver
from federation.openid_federation.trust_chain import TrustChain
from federation.openid_federation.trust_mark_verification import TrustMarkVerifier
from idp import audit
from idp.clients import GRANT_TYPES, STANDARD_SCOPES, ClientSpec, create_client, update_client
from idp.db import Database, utcnow
from idp.errors import InvalidClient, OAuthError
from idp.models import Client

log = logging.getLogger("nixa.federation")
RP = "openid_relying_party"
# Scopes a federation portal may ask for when its metadata says nothing; the personal ID number needs
# the portal (or the federation's policy) to name it.
DEFAULT_SCOPES = ("openid", "profile", "email", "phone", "address", "offline_access")


def client_spec(entity_id: str, metadata: dict[str, Any]) -> ClientSpec:
    """The resolved ``openid_relying_party`` metadata as NIXA's client metadata (RFC 7591 names)."""
    rp = metadata.get(RP)
    if not isinstance(rp, dict):
        raise InvalidMetadata("the entity has no openid_relying_party metadata")
    method = rp.get("token_endpoint_auth_method", "private_key_jwt")
    if method != "private_key_jwt":
        # Section 12.1: no secret can be handed to a portal that registers itself; it proves its keys.
        raise InvalidMetadata("a federation portal must authenticate with private_key_jwt")
    organisation = metadata.get("federation_entity", {}).get("organization_name")
    scope = rp.get("scope")
    scopes = scope.split() if isinstance(scope, str) else list(DEFAULT_SCOPES)
    spec = ClientSpec(
        name=str(rp.get("client_name") or organisation or entity_id)[:200],
        redirect_uris=list(rp.get("redirect_uris") or []),
        post_logout_redirect_uris=list(rp.get("post_logout_redirect_uris") or []),
        backchannel_logout_uri=rp.get("backchannel_logout_uri"),
        frontchannel_logout_uri=rp.get("frontchannel_logout_uri"),
        token_endpoint_auth_method=method,
        token_endpoint_auth_signing_alg=rp.get("token_endpoint_auth_signing_alg"),
        jwks_uri=rp.get("jwks_uri"),
        jwks=rp.get("jwks"),
        grant_types=tuple(g for g in rp.get("grant_types") or ["authorization_code"] if g in GRANT_TYPES),
        scopes=tuple(s for s in dict.fromkeys(scopes) if s in STANDARD_SCOPES),
        subject_type=rp.get("subject_type", "pairwise"),
        id_token_signed_response_alg=rp.get("id_token_signed_response_alg", "ES256"),
        userinfo_signed_response_alg=rp.get("userinfo_signed_response_alg"),
        application_type=rp.get("application_type", "web"),
    )
    try:
        return spec.validate()
    except OAuthError as exc:
        raise InvalidMetadata(f"the resolved metadata is not acceptable: {exc.description}") from exc


class PortalAdmission:
    """``idp.oauth.client_resolution.ClientResolver`` for leaves of the federation."""

    def __init__(
        self,
        db: Database,
        resolver: TrustChainResolver,
        marks: TrustMarkVerifier,
        settings: FederationSettings,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db, self.resolver, self.marks, self.settings, self.clock = db, resolver, marks, settings, clock

    def resolve(self, s: Session, client_id: str, registered: Client | None) -> Client | None:
        federated = s.get(FederatedClient, client_id)
        if registered is not None and federated is None:
            return registered  # registered by an operator or dynamically: not the federation's to judge
        if registered is not None and federated is not None and federated.chain_expires_at > self.clock():
            return registered
        try:
            # A new or expired admission is decided on the federation as it is now, never from a cache.
            chain = self.resolver.resolve(client_id, fresh=True)
            return self.admit(s, chain, registered, registration_type="automatic")
        except FederationError as exc:
            self.refused(client_id, exc)
            raise InvalidClient(exc.description, detail=exc.detail) from exc

    def admit(
        self, s: Session, chain: TrustChain, registered: Client | None, *, registration_type: str
    ) -> Client:
        """Create or refresh the client row from a valid chain; it lasts as long as the chain."""
        now = int(self.clock().timestamp())
        held = self.marks.require(chain, self.settings.required_trust_marks, now)
        spec = client_spec(chain.subject, chain.metadata)
        extra = {
            "require_signed_request_object": True,
            "client_registration_types": [registration_type],
            "trust_anchor_id": chain.trust_anchor,
        }
        if registered is None:
            registered, _ = create_client(
                s, spec, actor="federation", client_id=chain.subject, metadata_extra=extra
            )
        else:
            update_client(s, registered, spec, actor="federation", metadata_extra=extra)
        expires = min([chain.expires_at] + [m.expires_at for m in held if m.expires_at])
        row = s.get(FederatedClient, chain.subject) or FederatedClient(client_id=chain.subject)
        row.trust_anchor, row.registration_type = chain.trust_anchor, registration_type
        row.chain_entities = chain.entity_ids
        row.trust_mark_types = sorted({m.trust_mark_type for m in held})
        row.resolved_at = self.clock()
        row.chain_expires_at = datetime.fromtimestamp(expires, UTC)
        s.add(row)
        s.flush()
        audit.record(
            s,
            audit.AuditEvent.FEDERATION_CLIENT_ADMITTED,
            actor="federation",
            client_id=chain.subject,
            data={"trust_anchor": chain.trust_anchor, "chain": chain.entity_ids, "type": registration_type},
        )
        return registered

    def refused(self, client_id: str, exc: FederationError) -> None:
        # Nothing changed, so nothing for the audit trail (and the request's transaction is rolled back);
        # the log says which entity was refused and why. Entity IDs are organisations, not people.
        log.warning(
            "federation refused %s: %s (%s)", client_id[:255], exc.description, (exc.detail or "")[:300]
        )


def registration_response(
    key: statements.FederationKey,
    *,
    op_entity_id: str,
    chain: TrustChain,
    client_metadata: dict[str, Any],
    now: int,
) -> str:
    """Section 12.2.3: the OP's signed answer, naming the trust anchor and the superior it used."""
    claims = {
        "iss": op_entity_id,
        "sub": chain.subject,
        "aud": chain.subject,
        "iat": now,
        "exp": chain.expires_at,
        "trust_anchor": chain.trust_anchor,
        "authority_hints": [chain.superior],
        "metadata": {RP: {**client_metadata, "client_id": chain.subject}},
    }
    return statements.sign(claims, key, typ="explicit-registration-response+jwt")
