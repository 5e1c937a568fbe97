"""Citizen panels from the wallet and the broker (issues 7 and 5): a citizen's identity QR codes, SD-JWT VC
credentials and wallet devices with their status, and their accounts linked at upstream identity
providers; each active item carries the revocation (or unlinking) a security officer may do from the file.

Rows name items by a short id and dates only: the codes' contents (personal data) never reach the page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.citizens import CitizenPanel, PanelRow
from admin.permissions import Permission
from federation.upstream.models import FederatedLink, UpstreamProvider
from idp.db import utcnow
from wallet.identity_qr.models import IdentityQrCredential
from wallet.models import IssuedCredential
from wallet.qr_login.models import WalletDevice

SHOWN = 20  # most recent items per panel
# draft-ietf-oauth-status-list: the entry becomes invalid whatever the reason; the code is kept with it.
VC_REASONS = (
    ("lost_device", "admin.credentials.reason.lost_device"),
    ("compromised", "admin.credentials.reason.compromised"),
    ("identity_changed", "admin.credentials.reason.identity_changed"),
    ("operator", "admin.credentials.reason.operator"),
)


def _day(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d") if when else "–"


def _validity(issued: datetime, expires: datetime, reason: str | None) -> dict[str, str]:
    return {"issued": _day(issued), "expires": _day(expires), "reason": f" ({reason})" if reason else ""}


def _state(revoked_at: datetime | None, expires_at: datetime | None) -> str:
    if revoked_at is not None:
        return "revoked"
    return "expired" if expires_at is not None and expires_at <= utcnow() else "active"


def _credential_row(
    label: str,
    row: IdentityQrCredential | IssuedCredential,
    revoke_path: str,
    choices: tuple[tuple[str, str], ...] = (),
) -> PanelRow:
    """A revocable credential (identity QR or SD-JWT VC): its state, validity and, while active, revoke."""
    state = _state(row.revoked_at, row.expires_at)
    return PanelRow(
        label,
        "",
        state,
        revoke_path if state == "active" else "",
        "admin.credentials.revoke",
        Permission.CREDENTIAL_MANAGE,
        choices,
        value_key="admin.credentials.validity",
        params=_validity(row.issued_at, row.expires_at, row.revocation_reason),
    )


class IdentityQrPanel:
    title_key = "admin.credentials.identity_qr"
    permission = Permission.CREDENTIAL_VIEW

    def rows(self, s: Session, identity_id: str) -> Sequence[PanelRow]:
        found = s.scalars(
            select(IdentityQrCredential)
            .where(IdentityQrCredential.identity_id == identity_id)
            .order_by(IdentityQrCredential.issued_at.desc())
            .limit(SHOWN)
        )
        return [
            _credential_row(f"QR {row.id[:8]}", row, f"/citizens/{identity_id}/identity-qr/{row.id}/revoke")
            for row in found
        ]


class SdJwtCredentialPanel:
    title_key = "admin.credentials.sd_jwt"
    permission = Permission.CREDENTIAL_VIEW

    def rows(self, s: Session, identity_id: str) -> Sequence[PanelRow]:
        found = s.scalars(
            select(IssuedCredential)
            .where(IssuedCredential.identity_id == identity_id)
            .order_by(IssuedCredential.issued_at.desc())
            .limit(SHOWN)
        )
        return [
            _credential_row(
                f"{row.vct} ({row.id[:8]})",
                row,
                f"/citizens/{identity_id}/credentials/{row.id}/revoke",
                VC_REASONS,
            )
            for row in found
        ]


class WalletDevicePanel:
    title_key = "admin.credentials.devices"
    permission = Permission.CREDENTIAL_VIEW

    def rows(self, s: Session, identity_id: str) -> Sequence[PanelRow]:
        found = s.scalars(
            select(WalletDevice)
            .where(WalletDevice.identity_id == identity_id)
            .order_by(WalletDevice.created_at.desc())
            .limit(SHOWN)
        )
        out = []
        for row in found:
            state = _state(row.revoked_at, None)
            out.append(
                PanelRow(
                    row.name,
                    "",
                    state,
                    f"/citizens/{identity_id}/devices/{row.id}/revoke" if state == "active" else "",
                    "admin.credentials.revoke_device",
                    Permission.CREDENTIAL_MANAGE,
                    value_key="admin.credentials.device",
                    params={
                        "protection": row.key_protection,
                        "since": _day(row.created_at),
                        "used": _day(row.last_used_at),
                    },
                )
            )
        return out


class UpstreamLinkPanel:
    title_key = "admin.credentials.upstream_links"
    permission = Permission.CITIZEN_VIEW

    def rows(self, s: Session, identity_id: str) -> Sequence[PanelRow]:
        found = s.execute(
            select(FederatedLink, UpstreamProvider.display_name, UpstreamProvider.name)
            .join(UpstreamProvider, UpstreamProvider.id == FederatedLink.provider_id)
            .where(FederatedLink.identity_id == identity_id)
            .order_by(FederatedLink.id)
        )
        return [
            PanelRow(
                f"{display} ({name})",
                "",
                "linked",
                f"/citizens/{identity_id}/upstream-links/{link.id}/remove",
                "admin.credentials.unlink",
                Permission.CITIZEN_MANAGE,
                value_key="admin.credentials.link",
                params={"since": _day(link.created_at), "used": _day(link.last_login_at)},
            )
            for link, display, name in found
        ]


def default_panels() -> list[CitizenPanel]:
    return [UpstreamLinkPanel(), IdentityQrPanel(), SdJwtCredentialPanel(), WalletDevicePanel()]
