"""The verification queue: filters, declared data beside the registry, evidence, four-eyes approval."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from admin.permissions import Role
from idp.db import utcnow
from idp.models import AuditRecord, Identity
from idp.models.proofing import VerificationRequest
from tests.admin.actions import post
from tests.admin.conftest import sign_in_directly
from tests.support.db import update_rows
from tests.support.factories import make_citizen
from tests.support.operators import make_pending_verification


def test_queue_filters_by_status_age_and_level(console, console_browser, operator_factory, op) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.VERIFIER))
    fresh = make_pending_verification(
        op, make_citizen(op, full_name="Phạm Thị Hoa", sex="F", birth_date=date(1991, 2, 3))
    )
    old = make_pending_verification(op, make_citizen(op, full_name="Đỗ Văn Nam"))
    update_rows(
        op.db, VerificationRequest, VerificationRequest.id == old, created_at=utcnow() - timedelta(days=5)
    )
    page = console_browser.get("/verification").text
    assert f'data-request="{fresh}"' in page and f'data-request="{old}"' in page
    aged = console_browser.get("/verification", params={"min_age_days": 3}).text
    assert f'data-request="{old}"' in aged and f'data-request="{fresh}"' not in aged
    level_3 = console_browser.get("/verification", params={"level": 3}).text
    assert 'id="queue-empty"' in level_3
    approved = console_browser.get("/verification", params={"status": "approved"}).text
    assert 'id="queue-empty"' in approved


def test_detail_shows_declared_data_registry_and_evidence(
    console, console_browser, operator_factory, op
) -> None:
    verifier = sign_in_directly(console, console_browser, operator_factory(Role.VERIFIER))
    citizen = make_citizen(op, full_name="Phạm Thị Hoa", sex="F", birth_date=date(1991, 2, 3))
    request_id = make_pending_verification(op, citizen)
    page = console_browser.get(f"/verification/{request_id}").text
    assert "Phạm Thị Hoa" in page and citizen.personal_id in page
    assert page.count('src="data:image/jpeg;base64,') == 3
    assert 'id="registry-none"' in page  # this citizen has no imported registry row
    with op.db.session() as s:
        viewed = s.scalars(select(AuditRecord).where(AuditRecord.event == "proofing:evidence_viewed")).one()
        assert viewed.actor == verifier.actor and viewed.identity_id == citizen.id


def test_level_3_needs_two_different_operators(
    console, console_browser, console_app, operator_factory, op
) -> None:
    from fastapi.testclient import TestClient

    from tests.admin.conftest import CONSOLE

    citizen = make_citizen(op)
    request_id = make_pending_verification(op, citizen)
    first = sign_in_directly(
        console, console_browser, operator_factory(Role.VERIFIER, full_name="Lê Thị Một")
    )
    resp = post(console_browser, f"/verification/{request_id}/approve", reason="portrait matches the card")
    assert resp.headers["location"].endswith("notice=first_approval")
    again = post(console_browser, f"/verification/{request_id}/approve", reason="again")
    assert again.status_code == 409 and 'data-error="admin.verification.error.same_operator"' in again.text
    with op.db.session() as s:
        assert s.get(Identity, citizen.id).loa == 2
    with TestClient(console_app, base_url=CONSOLE) as second_browser:
        second = sign_in_directly(
            console, second_browser, operator_factory(Role.VERIFIER, full_name="Lê Văn Hai")
        )
        done = post(second_browser, f"/verification/{request_id}/approve", reason="document checked")
        assert done.headers["location"].endswith("notice=approved")
    with op.db.session() as s:
        assert s.get(Identity, citizen.id).loa == 3
        records = s.scalars(
            select(AuditRecord).where(
                AuditRecord.event.in_(["proofing:approval_recorded", "proofing:approved"])
            )
        ).all()
        assert [(r.actor, r.data["reason"]) for r in records] == [
            (first.actor, "portrait matches the card"),
            (second.actor, "document checked"),
        ]


def test_reject_needs_a_reason(console, console_browser, operator_factory, op) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.VERIFIER))
    request_id = make_pending_verification(op, make_citizen(op))
    missing = post(console_browser, f"/verification/{request_id}/reject", reason=None)
    assert missing.status_code == 400 and 'data-error="admin.error.reason_required"' in missing.text
    done = post(console_browser, f"/verification/{request_id}/reject", reason="photo unreadable")
    assert done.headers["location"].endswith("notice=rejected")
    with op.db.session() as s:
        assert s.get(VerificationRequest, request_id).reason == "photo unreadable"


def test_auditor_sees_the_request_but_no_decision_forms(
    console, console_browser, operator_factory, op
) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.AUDITOR))
    request_id = make_pending_verification(op, make_citizen(op))
    page = console_browser.get(f"/verification/{request_id}")
    assert page.status_code == 200 and "/approve" not in page.text
    assert post(console_browser, f"/verification/{request_id}/approve").status_code == 403


def test_nobody_decides_on_their_own_identity(console, console_browser, operator_factory, op) -> None:
    verifier = operator_factory(Role.VERIFIER, loa=2)
    sign_in_directly(console, console_browser, verifier)
    request_id = make_pending_verification(op, verifier.citizen)
    resp = post(console_browser, f"/verification/{request_id}/approve", reason="looks like me")
    assert resp.status_code == 409 and 'data-error="admin.error.own_account"' in resp.text
    with op.db.session() as s:
        assert s.get(VerificationRequest, request_id).first_operator is None


def test_declared_data_beside_the_registry_record(
    console, console_browser, operator_factory, op, tmp_path
) -> None:
    from idp.registry import import_csv

    citizen = make_citizen(op, full_name="Phạm Thị Hoa", sex="F", birth_date=date(1991, 2, 3))
    csv = tmp_path / "registry.csv"
    csv.write_text(
        "personal_id,full_name,date_of_birth,sex,birth_province_code,birth_province,nationality,status\n"
        f"{citizen.personal_id},Phạm Thị Hoà,1991-02-03,F,001,Hà Nội,VNM,active\n",
        encoding="utf-8",
    )
    p = op.platform
    with op.db.session() as s:
        assert import_csv(s, csv, sealer=p.sealer, index=p.blind_index, actor="test").imported == 1
    sign_in_directly(console, console_browser, operator_factory(Role.VERIFIER))
    page = console_browser.get(f"/verification/{make_pending_verification(op, citizen)}").text
    registry = page.split('id="registry"')[1].split("</table>")[0]
    assert "Phạm Thị Hoà" in registry and "1991-02-03" in registry
    # The name differs by one accent: the declared row is marked for the operator's attention.
    assert (
        '<tr class="mismatch"><th scope="row">Họ và tên</th><td id="declared-name">Phạm Thị Hoa</td>' in page
    )


def test_queue_pages(console, console_browser, operator_factory, op, monkeypatch) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.VERIFIER))
    monkeypatch.setattr(console.admin, "page_size", 2)
    ids = [make_pending_verification(op, make_citizen(op)) for _ in range(3)]
    first = console_browser.get("/verification").text
    assert [i for i in ids if f'data-request="{i}"' in first] == ids[:2] and 'id="next-page"' in first
    second = console_browser.get("/verification", params={"page": 1}).text
    assert [i for i in ids if f'data-request="{i}"' in second] == ids[2:] and 'id="next-page"' not in second
    assert 'aria-current="page"' in second.split('data-section="verification"')[1][:30]
