"""Credentials (issue 7): the overview of what the wallet issued, and the revocations a security officer
makes from a citizen's file (a lost phone, a compromised key): an SD-JWT VC, an identity QR code or a wallet
device, each with a reason; also removing an account linked at an upstream provider (issue 5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from admin.console_sessions import Operator
from admin.credential_panels import VC_REASONS
from admin.integrations import ConsoleIntegrations, integrations, record_reason
from admin.permissions import Permission
from admin.web.deps import BadForm, ConsoleDep, checked_form, require
from federation.broker.linking import IdentityLinker
from idp.db import utcnow
from idp.models import AuditRecord, Identity
from idp.web.deps import client_ip
from wallet.audit_events import WalletAuditEvent
from wallet.identity_qr.models import IdentityQrCredential
from wallet.models import IssuedCredential
from wallet.qr_login.models import WalletDevice
from wallet.vci.events import CredentialAuditEvent
from wallet.vci.revocation import UnknownCredential

router = APIRouter()
Viewer = Annotated[Operator, Depends(require(Permission.CREDENTIAL_VIEW))]
Manager = Annotated[Operator, Depends(require(Permission.CREDENTIAL_MANAGE))]
CitizenManager = Annotated[Operator, Depends(require(Permission.CITIZEN_MANAGE))]
Services = Annotated[ConsoleIntegrations, Depends(integrations)]
REVOCATIONS = (
    CredentialAuditEvent.CREDENTIAL_REVOKED,
    WalletAuditEvent.IDENTITY_QR_REVOKED,
    WalletAuditEvent.DEVICE_REVOKED,
)
RECENT = 50


def _counts(s: Session, model: Any) -> dict[str, int]:
    now = utcnow()
    total = s.scalar(select(func.count()).select_from(model)) or 0
    revoked = s.scalar(select(func.count()).select_from(model).where(model.revoked_at.is_not(None))) or 0
    expires = getattr(model, "expires_at", None)
    expired = 0
    if expires is not None:
        expired = (
            s.scalar(
                select(func.count()).select_from(model).where(model.revoked_at.is_(None), expires <= now)
            )
            or 0
        )
    return {"active": total - revoked - expired, "revoked": revoked, "expired": expired}


@router.get("/credentials")
def overview(request: Request, c: ConsoleDep, operator: Viewer) -> Response:
    with c.platform.db.read_session() as s:
        counts = {
            "sd_jwt": _counts(s, IssuedCredential),
            "identity_qr": _counts(s, IdentityQrCredential),
            "devices": _counts(s, WalletDevice),
        }
        recent = list(
            s.scalars(
                select(AuditRecord)
                .where(AuditRecord.event.in_([str(e) for e in REVOCATIONS]))
                .order_by(AuditRecord.seq.desc())
                .limit(RECENT)
            )
        )
        s.expunge_all()
    return c.render(request, "admin/credentials.html", operator, counts=counts, recent=recent)


def _revoke(
    c: ConsoleDep,
    operator: Operator,
    identity_id: str,
    action: str,
    item_id: str,
    reason: str,
    ip: str | None,
    change: Callable[[Session], bool],
) -> None:
    with c.platform.db.session() as s:
        if s.get(Identity, identity_id) is None or not change(s):
            raise BadForm("admin.error.not_found")
        record_reason(
            s,
            actor=operator.actor,
            action=action,
            target=item_id,
            reason=reason,
            identity_id=identity_id,
            ip=ip,
        )


async def _act(
    request: Request,
    c: ConsoleDep,
    operator: Operator,
    identity_id: str,
    action: str,
    item_id: str,
    change: Callable[[Session, dict[str, str]], bool],
) -> Response:
    fields = await checked_form(request, operator)
    if identity_id == operator.identity_id:
        # Separation of duties, as for every change to an operator's own account.
        raise BadForm("admin.error.own_account")
    ip = client_ip(request)
    await run_in_threadpool(
        _revoke, c, operator, identity_id, action, item_id, fields["reason"], ip, lambda s: change(s, fields)
    )
    return RedirectResponse(f"/citizens/{identity_id}?notice={action.replace(':', '-')}", status_code=303)


@router.post("/citizens/{identity_id}/credentials/{credential_id}/revoke")
async def revoke_credential(
    request: Request, c: ConsoleDep, operator: Manager, x: Services, identity_id: str, credential_id: str
) -> Response:
    def change(s: Session, fields: dict[str, str]) -> bool:
        code = fields.get("code", "operator")
        if code not in dict(VC_REASONS):
            raise BadForm("admin.credentials.bad_code")
        try:
            # identity_id given: only this citizen's credential is found (an id from another file is not).
            x.credentials.revoke(s, credential_id, actor=operator.actor, reason=code, identity_id=identity_id)
        except UnknownCredential:
            return False
        return True

    return await _act(request, c, operator, identity_id, "credential:revoke", credential_id, change)


@router.post("/citizens/{identity_id}/identity-qr/{qr_id}/revoke")
async def revoke_identity_qr(
    request: Request, c: ConsoleDep, operator: Manager, x: Services, identity_id: str, qr_id: str
) -> Response:
    def change(s: Session, fields: dict[str, str]) -> bool:
        row = s.get(IdentityQrCredential, qr_id)
        if row is None or row.identity_id != identity_id:
            return False
        return x.identity_qrs.revoke(s, qr_id, actor=operator.actor, reason=fields["reason"])

    return await _act(request, c, operator, identity_id, "identity-qr:revoke", qr_id, change)


@router.post("/citizens/{identity_id}/devices/{device_id}/revoke")
async def revoke_device(
    request: Request, c: ConsoleDep, operator: Manager, x: Services, identity_id: str, device_id: str
) -> Response:
    def change(s: Session, fields: dict[str, str]) -> bool:
        return x.devices.revoke(s, identity_id, device_id, actor=operator.actor)

    return await _act(request, c, operator, identity_id, "device:revoke", device_id, change)


def _revoke_everything(x: ConsoleIntegrations, s: Session, identity_id: str, actor: str, reason: str) -> bool:
    """A lost or stolen phone: every active SD-JWT VC, identity QR and wallet device of the citizen."""
    vcs = [c.id for c in x.credentials.list_for(s, identity_id) if c.state == "valid"]
    for credential_id in vcs:
        x.credentials.revoke(s, credential_id, actor=actor, reason="lost_device", identity_id=identity_id)
    x.identity_qrs.revoke_all(s, identity_id, actor=actor, reason=reason)
    x.devices.revoke_all(s, identity_id, actor=actor)
    return True  # nothing left active is no error: the file shows the states


@router.post("/citizens/{identity_id}/wallet/revoke-all")
async def revoke_everything(
    request: Request, c: ConsoleDep, operator: Manager, x: Services, identity_id: str
) -> Response:
    def change(s: Session, fields: dict[str, str]) -> bool:
        return _revoke_everything(x, s, identity_id, operator.actor, fields["reason"])

    return await _act(request, c, operator, identity_id, "wallet:revoke-all", identity_id, change)


@router.post("/citizens/{identity_id}/upstream-links/{link_id}/remove")
async def remove_link(
    request: Request, c: ConsoleDep, operator: CitizenManager, identity_id: str, link_id: int
) -> Response:
    p = c.platform
    linker = IdentityLinker(c.provider.identities, p.sealer, p.blind_index)

    def change(s: Session, fields: dict[str, str]) -> bool:
        return linker.unlink(s, identity_id, link_id, ip=client_ip(request)) is not None

    return await _act(request, c, operator, identity_id, "upstream-link:remove", str(link_id), change)
