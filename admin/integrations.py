"""The other packages' services the console's sections call (issues 5, 6 and 7), built once per console
app on first use: the upstream provider catalogue, the federation service, and the wallet's revocation
services. ``OperatorReason`` puts the operator's why into the hash-chained audit trail next to the
service's own record, since those services record what changed but take no reason."""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

from fastapi import Request
from sqlalchemy.orm import Session

from idp import audit
from idp.platform import Platform

if TYPE_CHECKING:
    from federation.openid_federation.service import FederationService
    from federation.upstream.catalogue import ProviderCatalogue
    from wallet.identity_qr.service import IdentityQrService
    from wallet.qr_login.devices import DeviceService
    from wallet.vci.revocation import CredentialRevocation


class AdminAuditEvent(StrEnum):
    # One per console action on another package's data: who, what, on which item, and why.
    OPERATOR_ACTION = "operator:action"


def record_reason(
    s: Session,
    *,
    actor: str,
    action: str,
    target: str,
    reason: str,
    identity_id: str | None = None,
    ip: str | None = None,
) -> None:
    audit.record(
        s,
        AdminAuditEvent.OPERATOR_ACTION,
        actor=actor,
        identity_id=identity_id,
        ip=ip,
        data={"action": action, "target": target, "reason": reason},
    )


class ConsoleIntegrations:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    @cached_property
    def catalogue(self) -> ProviderCatalogue:
        from federation.upstream.catalogue import ProviderCatalogue

        return ProviderCatalogue(self.platform.sealer)

    @cached_property
    def federation(self) -> FederationService:
        from federation.openid_federation.config import FederationSettings
        from federation.openid_federation.extension import NixaFederation

        # The IdP's chain cache lives in its own process and expires by itself (chain_cache_seconds);
        # removals also end the admitted portals' chains in the database.
        return NixaFederation(self.platform, FederationSettings()).service

    @cached_property
    def _wallet_settings(self) -> Any:
        from wallet.settings import WalletSettings

        return WalletSettings()

    @cached_property
    def _status_lists(self) -> Any:
        from wallet.status_list.service import StatusListService

        return StatusListService(self.platform, self._wallet_settings)

    @cached_property
    def identity_qrs(self) -> IdentityQrService:
        from wallet.identity_qr.service import IdentityQrService

        return IdentityQrService(self.platform, self._status_lists, self._wallet_settings)

    @cached_property
    def credentials(self) -> CredentialRevocation:
        from wallet.vci.revocation import CredentialRevocation

        return CredentialRevocation(self._status_lists)

    @cached_property
    def devices(self) -> DeviceService:
        from wallet.qr_login.devices import DeviceService

        st = self._wallet_settings
        return DeviceService(
            self.platform.issuer, st.device_registration_ttl, self.platform.settings.recent_login_seconds
        )


def integrations(request: Request) -> ConsoleIntegrations:
    """One per console app, kept on its state."""
    state = request.app.state
    found = getattr(state, "integrations", None)
    if found is None:
        found = state.integrations = ConsoleIntegrations(request.app.state.console.platform)
    assert isinstance(found, ConsoleIntegrations)
    return found
