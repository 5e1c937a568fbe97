"""Operator decisions: two different operators raise an identity to loa 3; one refusal closes it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from idp.models import AuditRecord, Identity
from idp.proofing.decisions import VerificationService
from idp.proofing.errors import DecisionRefused
from idp.provider import OpenIDProvider
from tests.proofing.conftest import logged_in, upload
from tests.support.db import update_rows
from tests.support.factories import Citizen, PortalInfo


def submitted(
    browser: TestClient, portal: PortalInfo, citizen: Citizen, operators: VerificationService
) -> str:
    logged_in(browser, portal, citizen)
    assert upload(browser).status_code == 303
    [pending] = operators.list_pending()
    return pending.id


def loa_of(op: OpenIDProvider, identity_id: str) -> int:
    with op.db.session() as s:
        identity = s.get(Identity, identity_id)
        assert identity is not None
        return identity.loa


def test_one_operator_alone_cannot_raise_to_loa3(
    browser: TestClient,
    portal: PortalInfo,
    citizen: Citizen,
    op: OpenIDProvider,
    operators: VerificationService,
) -> None:
    request_id = submitted(browser, portal, citizen, operators)
    assert operators.approve(request_id, "op-a") == "pending"
    assert loa_of(op, citizen.id) == 2
    assert 'data-status="pending"' in browser.get("/account/proofing").text


def test_same_operator_approving_twice_is_refused(
    browser: TestClient,
    portal: PortalInfo,
    citizen: Citizen,
    op: OpenIDProvider,
    operators: VerificationService,
) -> None:
    request_id = submitted(browser, portal, citizen, operators)
    operators.approve(request_id, "op-a")
    with pytest.raises(DecisionRefused) as refused:
        operators.approve(request_id, "op-a")
    assert refused.value.key == "proofing.error.same_operator"
    assert loa_of(op, citizen.id) == 2


def test_two_different_operators_raise_to_loa3_and_are_audited(
    browser: TestClient,
    portal: PortalInfo,
    citizen: Citizen,
    op: OpenIDProvider,
    operators: VerificationService,
) -> None:
    request_id = submitted(browser, portal, citizen, operators)
    operators.approve(request_id, "op-a", reason="ảnh rõ")
    assert operators.approve(request_id, "op-b") == "approved"
    assert loa_of(op, citizen.id) == 3
    assert operators.list_pending() == []
    assert 'data-status="approved"' in browser.get("/account/proofing").text
    with op.db.session() as s:
        rows = s.scalars(select(AuditRecord).where(AuditRecord.event.like("proofing:%"))).all()
        decisions = [(r.event, r.actor, r.data.get("reason")) for r in rows if r.actor in ("op-a", "op-b")]
    assert decisions == [
        ("proofing:approval_recorded", "op-a", "ảnh rõ"),
        ("proofing:approved", "op-b", None),
    ]


def test_loa1_identity_cannot_be_raised(
    browser: TestClient,
    portal: PortalInfo,
    citizen: Citizen,
    op: OpenIDProvider,
    operators: VerificationService,
) -> None:
    request_id = submitted(browser, portal, citizen, operators)
    update_rows(op.db, Identity, Identity.id == citizen.id, loa=1)
    operators.approve(request_id, "op-a")
    with pytest.raises(DecisionRefused) as refused:
        operators.approve(request_id, "op-b")
    assert refused.value.key == "proofing.error.not_eligible"
    assert loa_of(op, citizen.id) == 1


def test_reject_needs_a_reason_and_the_citizen_sees_it(
    browser: TestClient,
    portal: PortalInfo,
    citizen: Citizen,
    op: OpenIDProvider,
    operators: VerificationService,
) -> None:
    request_id = submitted(browser, portal, citizen, operators)
    for empty in ("", "   "):
        with pytest.raises(DecisionRefused):
            operators.reject(request_id, "op-a", empty)
    assert operators.reject(request_id, "op-a", "Ảnh mặt trước bị mờ") == "rejected"
    page = browser.get("/account/proofing").text
    assert 'data-status="rejected"' in page and "Ảnh mặt trước bị mờ" in page
    assert 'type="file"' in page  # a refused citizen may try again
    with pytest.raises(DecisionRefused):
        operators.approve(request_id, "op-b")
    assert loa_of(op, citizen.id) == 2


def test_detail_shows_declared_data_and_evidence(
    browser: TestClient, portal: PortalInfo, citizen: Citizen, operators: VerificationService
) -> None:
    request_id = submitted(browser, portal, citizen, operators)
    detail = operators.detail(request_id, "op-a")
    assert detail.declared.personal_id == citizen.personal_id
    assert detail.registry is None  # no registry imported in this test
    assert detail.status == "pending" and len(detail.images) == 3
