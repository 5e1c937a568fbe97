"""Credentials in the citizen file (issue 7): a citizen's identity QR, SD-JWT VC and wallet device, issued
and registered by the real wallet services and the reference wallet, shown with their status and revoked by
a security officer with a reason: the status list entries turn invalid and the device can no longer
approve a log-in. Other roles see what they may and change nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from admin.permissions import Role
from idp.models import AuditRecord
from idp.platform import Platform
from idp.provider import OpenIDProvider
from tests.admin.actions import post
from tests.admin.conftest import sign_in_directly
from tests.conftest import ISSUER
from tests.support.factories import Citizen
from tests.wallet.credentials import holder_wallet, receive
from tests.wallet.qr_login.steps import registered_wallet
from wallet.credential_extension import CredentialServices, credential_extension
from wallet.extension import wallet_extension
from wallet.identity_qr.models import IdentityQrCredential
from wallet.identity_qr.service import IdentityQrService
from wallet.models import IssuedCredential
from wallet.qr_login.devices import DeviceService
from wallet.qr_login.errors import Refused
from wallet.qr_login.models import WalletDevice
from wallet.settings import WalletSettings
from wallet.status_list.service import STATUS_INVALID, STATUS_VALID, StatusListService, StatusReference
from wallet.vci.settings import CredentialSettings

ACTION = re.compile(
    r'<form method="post" action="(/citizens/[^"]+/(?:credentials|identity-qr|devices)/[^"]+)"'
)


@pytest.fixture
def wallet_settings() -> WalletSettings:
    return WalletSettings(status_list_size=4096)


@pytest.fixture
def credential_settings() -> CredentialSettings:
    return CredentialSettings(credential_clients=["nixa-wallet-app"])


@pytest.fixture
def app(
    platform: Platform, wallet_settings: WalletSettings, credential_settings: CredentialSettings
) -> FastAPI:
    from idp.web.app import create_app

    return create_app(
        platform=platform,
        extensions=[
            wallet_extension(platform, wallet_settings),
            credential_extension(platform, credential_settings, wallet_settings),
        ],
    )


@pytest.fixture
def holder_of_everything(
    app: FastAPI,
    op: OpenIDProvider,
    platform: Platform,
    wallet_settings: WalletSettings,
    credential_settings: CredentialSettings,
    tmp_path: Path,
) -> Citizen:
    """A level 3 citizen with a registered wallet device, an SD-JWT VC in it and an identity QR."""
    with TestClient(app, base_url=ISSUER) as browser, TestClient(app, base_url=ISSUER) as phone:
        citizen, _ = registered_wallet(op, browser, phone, tmp_path / "device")
        services = CredentialServices(platform, credential_settings, wallet_settings)
        receive(services, holder_wallet(tmp_path, phone), citizen.id)
    qrs = IdentityQrService(platform, StatusListService(platform, wallet_settings), wallet_settings)
    with platform.db.session() as s:
        qrs.issue(s, citizen.id, actor="test")
    return citizen


def _status(platform: Platform, uri: str, idx: int) -> int:
    with platform.db.session() as s:
        return StatusListService(platform).status_of(s, StatusReference(uri, idx))


def test_the_officer_revokes_each_with_a_reason(
    console, console_browser, operator_factory, platform, holder_of_everything
) -> None:
    citizen = holder_of_everything
    officer = sign_in_directly(console, console_browser, operator_factory(Role.SECURITY_OFFICER))
    page = console_browser.get(f"/citizens/{citizen.id}").text
    assert "Mã QR định danh" in page and "Chứng thư SD-JWT VC" in page and "Điện thoại của Bình" in page
    assert page.count('data-state="active"') == 3
    actions = ACTION.findall(page)
    assert len(actions) == 3
    with platform.db.session() as s:
        vc = s.scalars(select(IssuedCredential).where(IssuedCredential.identity_id == citizen.id)).one()
        qr = s.scalars(
            select(IdentityQrCredential).where(IdentityQrCredential.identity_id == citizen.id)
        ).one()
        vc_ref, qr_ref = (vc.status_list_uri, vc.status_index), (qr.status_uri, qr.status_idx)
    assert _status(platform, *vc_ref) == STATUS_VALID and _status(platform, *qr_ref) == STATUS_VALID
    for path in actions:
        fields = {"code": "lost_device"} if "/credentials/" in path else {}
        resp = post(console_browser, path, reason="citizen reported the phone lost at the counter", **fields)
        assert resp.status_code == 303, resp.text[:300]
    # draft-ietf-oauth-status-list Section 7.1: the entries read invalid for every verifier from now on.
    assert _status(platform, *vc_ref) == STATUS_INVALID and _status(platform, *qr_ref) == STATUS_INVALID
    page = console_browser.get(f"/citizens/{citizen.id}").text
    assert page.count('data-state="revoked"') == 3 and not ACTION.findall(page)
    with platform.db.session() as s:
        device = s.scalars(select(WalletDevice).where(WalletDevice.identity_id == citizen.id)).one()
        assert device.revoked_by == officer.actor
        assert s.get(IssuedCredential, vc.id).revocation_reason == "lost_device"
        with pytest.raises(Refused):  # the wallet can no longer approve a log-in
            DeviceService(ISSUER, 60, 600).usable_device(s, device.id)
        reasons = s.scalars(select(AuditRecord).where(AuditRecord.event == "operator:action")).all()
        assert {(r.actor, r.identity_id, r.data["action"]) for r in reasons} == {
            (officer.actor, citizen.id, "credential:revoke"),
            (officer.actor, citizen.id, "identity-qr:revoke"),
            (officer.actor, citizen.id, "device:revoke"),
        }
        assert {r.data["reason"] for r in reasons} == {"citizen reported the phone lost at the counter"}
    overview = console_browser.get("/credentials").text
    assert overview.count('<td class="revoked">1</td>') == 3


def test_a_revocation_needs_a_reason_and_a_known_code(
    console, console_browser, operator_factory, platform, holder_of_everything
) -> None:
    citizen = holder_of_everything
    sign_in_directly(console, console_browser, operator_factory(Role.SECURITY_OFFICER))
    path = next(
        p for p in ACTION.findall(console_browser.get(f"/citizens/{citizen.id}").text) if "/credentials/" in p
    )
    resp = post(console_browser, path, reason=None, code="lost_device")
    assert resp.status_code == 400 and 'data-error="admin.error.reason_required"' in resp.text
    resp = post(console_browser, path, reason="x", code="whatever")
    assert resp.status_code == 400 and 'data-error="admin.credentials.bad_code"' in resp.text
    with platform.db.session() as s:
        assert s.scalars(select(IssuedCredential)).one().revoked_at is None


def test_another_citizens_item_is_not_found(
    console, console_browser, operator_factory, op, platform, holder_of_everything
) -> None:
    from tests.support.factories import make_citizen

    other = make_citizen(op)
    sign_in_directly(console, console_browser, operator_factory(Role.SECURITY_OFFICER))
    for path in ACTION.findall(console_browser.get(f"/citizens/{holder_of_everything.id}").text):
        resp = post(
            console_browser, path.replace(holder_of_everything.id, other.id), reason="x", code="operator"
        )
        assert resp.status_code == 400 and 'data-error="admin.error.not_found"' in resp.text
    with platform.db.session() as s:
        assert s.scalars(select(WalletDevice)).one().revoked_at is None


@pytest.mark.parametrize("role", [Role.VERIFIER, Role.AUDITOR])
def test_verifiers_and_auditors_see_the_credentials_without_actions(
    role, console, console_browser, operator_factory, holder_of_everything
) -> None:
    sign_in_directly(console, console_browser, operator_factory(role))
    page = console_browser.get(f"/citizens/{holder_of_everything.id}").text
    assert page.count('data-state="active"') == 3 and not ACTION.findall(page)


def test_a_lost_phone_revokes_everything_at_once(
    console, console_browser, operator_factory, platform, holder_of_everything
) -> None:
    citizen = holder_of_everything
    officer = sign_in_directly(console, console_browser, operator_factory(Role.SECURITY_OFFICER))
    resp = post(
        console_browser, f"/citizens/{citizen.id}/wallet/revoke-all", reason="phone stolen, police report 88"
    )
    assert resp.headers["location"].endswith("notice=wallet-revoke-all")
    page = console_browser.get(f"/citizens/{citizen.id}").text
    assert page.count('data-state="revoked"') == 3 and 'data-state="active"' not in page
    with platform.db.session() as s:
        vc = s.scalars(select(IssuedCredential)).one()
        assert (vc.revoked_by, vc.revocation_reason) == (officer.actor, "lost_device")
        ref = (vc.status_list_uri, vc.status_index)
    assert _status(platform, *ref) == STATUS_INVALID
