"""NIXA's federation roles put together, and the ``Extension`` that plugs them into the IdP app.

``NixaFederation`` holds the trust anchor, intermediates and OP leaf NIXA runs (``LocalEntities``), the
operator's service, the chain resolver (local entities without a network hop, everyone else over HTTP),
trust mark checks and the admission of portals. ``federation_extension`` is the composition root's
factory (``nixa.composition.EXTENSION_FACTORIES``).
"""

from __future__ import annotations

import json
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from federation.openid_federation import statements, trust_marks
from federation.openid_federation.admission import PortalAdmission, registration_response
from federation.openid_federation.config import FederationSettings
from federation.openid_federation.endpoints import build_router
from federation.openid_federation.entities import REGISTRATION_PATH, LocalEntities, LocalEntitySource
from federation.openid_federation.errors import FederationError, InvalidRequest, InvalidTrustChain, NotFound
from federation.openid_federation.models import FederationEntity
from federation.openid_federation.resolver import (
    EntitySource,
    HttpEntitySource,
    LayeredEntitySource,
    TrustChainResolver,
    check_entity_id,
)
from federation.openid_federation.service import FederationService
from federation.openid_federation.trust_chain import TrustChain, validate
from federation.openid_federation.trust_mark_verification import TrustMarkVerifier
from idp.clients import client_metadata
from idp.config import ConfigurationError
from idp.crypto import Sealer
from idp.db import utcnow
from idp.models import Client
from idp.platform import Platform
from idp.web.discovery import discovery_document
from idp.web.extensions import Extension

TRUST_CHAIN_MEDIA_TYPE = "application/trust-chain+json"


class NixaFederation:
    def __init__(
        self, platform: Platform, settings: FederationSettings, remote: EntitySource | None = None
    ) -> None:
        self._check_settings(settings)
        self.platform = platform
        self.settings = settings
        sealer = Sealer(platform.settings.secrets.kek, purpose=b"federation-keys")
        # In production NIXA fetches statements only from public hosts (request forgery), unless told
        # that the federation runs on a private network.
        dev = not platform.settings.production
        private = dev or settings.allow_private_networks
        self.entities = LocalEntities(platform.db, sealer, platform.issuer, settings, self.op_metadata)
        self.resolver = TrustChainResolver(
            LayeredEntitySource(
                LocalEntitySource(self.entities),
                remote or HttpEntitySource(settings.http_timeout, allow_loopback=dev, allow_private=private),
                self.entities.is_local,
            ),
            self.trust_anchors,
            max_depth=settings.max_path_depth,
            cache_seconds=settings.chain_cache_seconds,
        )
        self.service = FederationService(self.entities, on_change=self.resolver.forget)
        self.marks = TrustMarkVerifier(
            self.resolver,
            self.entities,
            self.service.trust_mark_status,
            timeout=settings.http_timeout,
            allow_loopback=dev,
            allow_private=private,
        )
        self.admission = PortalAdmission(platform.db, self.resolver, self.marks, settings)
        self.service.ensure_entities()

    @staticmethod
    def _check_settings(settings: FederationSettings) -> None:
        """Refuse at start a configured anchor whose entity ID or keys are unusable, rather than
        silently trusting nobody (or somebody else)."""
        for entity_id, jwks in settings.trust_anchors.items():
            try:
                check_entity_id(entity_id)
                keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
            except (FederationError, JoseError, ValueError, TypeError, KeyError) as exc:
                raise ConfigurationError(
                    f"NIXA_FEDERATION_TRUST_ANCHORS: {entity_id[:80]} is unusable"
                ) from exc
            if not keys.keys or any(not k.kid for k in keys.keys):
                raise ConfigurationError(
                    f"NIXA_FEDERATION_TRUST_ANCHORS: {entity_id[:80]} needs keys with kids"
                )

    def trust_anchors(self) -> dict[str, dict[str, Any]]:
        anchors = dict(self.settings.trust_anchors)
        if self.settings.trust_own_anchor and (own := self.entities.anchor_jwks()):
            anchors[self.entities.trust_anchor_id] = own
        return anchors

    def op_metadata(self) -> dict[str, Any]:
        """The OP's ``openid_provider`` metadata (Section 5.1.3): its discovery document, plus the
        federation registration it offers."""
        issuer = self.platform.issuer
        return {
            **discovery_document(issuer),
            "client_registration_types_supported": ["automatic", "explicit"],
            "federation_registration_endpoint": issuer + REGISTRATION_PATH,
            "request_authentication_methods_supported": {"authorization_endpoint": ["request_object"]},
            "require_signed_request_object": False,
        }

    # -- endpoints' work ---------------------------------------------------------------------------
    def _signing_key(self, entity_id: str) -> statements.FederationKey:
        with self.platform.db.read_session() as s:
            row = s.get(FederationEntity, entity_id)
            if row is None:
                raise NotFound("no such entity here")
            return self.entities.key(s, row.entity_id)

    def resolve_response(self, responder: str, subject: str, anchor: str, entity_types: list[str]) -> str:
        """Section 8.3.2: the subject's resolved metadata, verified trust marks and chain, signed."""
        key = self._signing_key(responder)
        chain = self.resolver.resolve(subject, anchor)
        now = int(utcnow().timestamp())
        metadata = chain.metadata
        if entity_types:
            metadata = {t: v for t, v in metadata.items() if t in entity_types}
        claims = {
            "iss": responder,
            "sub": subject,
            "iat": now,
            "exp": chain.expires_at,
            "metadata": metadata,
            "trust_marks": [
                {"trust_mark_type": m.trust_mark_type, "trust_mark": m.token}
                for m in self.marks.verified(chain, now)
            ],
            "trust_chain": chain.tokens(),
        }
        return statements.sign(claims, key, typ="resolve-response+jwt")

    def trust_mark_status_response(self, issuer: str, token: str) -> str:
        key = self._signing_key(issuer)
        status = self.service.trust_mark_status(token)
        now = int(utcnow().timestamp())
        return trust_marks.status_response(key, issuer=issuer, trust_mark=token, status=status, iat=now)

    def _chain_from_request(self, body: str, content_type: str) -> TrustChain:
        now = int(utcnow().timestamp())
        if content_type == statements.ENTITY_STATEMENT_MEDIA_TYPE:
            leaf = statements.self_signed(body, now=now)
            self._check_audience(leaf)
            return self.resolver.resolve_configuration(leaf)
        if content_type == TRUST_CHAIN_MEDIA_TYPE:
            try:
                tokens = json.loads(body)
            except ValueError:
                raise InvalidRequest("the trust chain must be a JSON array of statements") from None
            if (
                not isinstance(tokens, list)
                or not 2 < len(tokens) <= 12
                or not all(isinstance(t, str) for t in tokens)
            ):
                raise InvalidRequest("the trust chain must be a JSON array of statements")
            chain_statements = [statements.parse(t) for t in tokens]
            anchors = self.trust_anchors()
            if (anchor := chain_statements[-1].iss) not in anchors:
                raise InvalidTrustChain("the trust chain ends at an anchor this provider does not trust")
            self._check_audience(chain_statements[0])
            return validate(chain_statements, anchors[anchor], now=now)
        raise InvalidRequest("send an entity configuration or a trust chain (Section 12.2.1)")

    def _check_audience(self, leaf: statements.EntityStatement) -> None:
        # Section 12.2.1: the entity configuration sent for explicit registration MUST name the OP in aud.
        if leaf.claims.get("aud") != self.platform.issuer:
            raise InvalidRequest("the entity configuration must have this provider's entity ID as aud")
        if not leaf.authority_hints:
            raise InvalidRequest("the entity configuration must have authority_hints")

    def register_explicitly(self, body: str, content_type: str) -> str:
        """Section 12.2: admit the portal from what it sent, answer with the registered metadata."""
        chain = self._chain_from_request(body.strip(), content_type)
        with self.platform.db.session() as s:
            registered = s.get(Client, chain.subject)
            try:
                client = self.admission.admit(s, chain, registered, registration_type="explicit")
            except InvalidTrustChain as exc:
                self.admission.refused(chain.subject, exc)
                raise
            metadata = client_metadata(client)
        return registration_response(
            self._signing_key(self.platform.issuer),
            op_entity_id=self.platform.issuer,
            chain=chain,
            client_metadata=metadata,
            now=int(utcnow().timestamp()),
        )


def extension_for(fed: NixaFederation) -> Extension:
    return Extension(
        name="openid_federation",
        routers=[build_router(fed)],
        client_resolvers=[fed.admission],
        discovery=lambda: {"client_registration_types_supported": ["automatic", "explicit"]},
    )


def federation_extension(platform: Platform) -> Extension:
    """The composition root's factory: settings from the environment (``NIXA_FEDERATION_*``)."""
    return extension_for(NixaFederation(platform, FederationSettings()))
