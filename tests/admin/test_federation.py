"""The federation in the console (issue 6, OpenID Federation 1.0): the three-level federation of the
federation tests (NIXA's anchor and ministry, a province and its portal on a loopback peer server), the
portal admitted by automatic registration (Section 12.1) with its expiry, and a portal manager's changes:
enrol and remove a subordinate (Section 8.1 fetch, 8.2 list), create an intermediate, issue and revoke a
trust mark (Section 7, 8.4 status), each with a reason. The auditor only reads."""

from __future__ import annotations

import html
import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from admin.permissions import Role
from idp.models import AuditRecord
from tests.admin.actions import post
from tests.admin.conftest import sign_in_directly
from tests.federation.openid_federation import conftest as federation_fixtures
from tests.federation.openid_federation.conftest import Federation
from tests.federation.openid_federation.peers import jwks_of, new_key
from tests.federation.openid_federation.test_automatic_registration import authorize_signed

LEAF = "https://dvc.quangninh.gov.vn"
# The federation tests' loopback federation, shared as is.
peer_server = federation_fixtures.peer_server
peers = federation_fixtures.peers
fed_settings = federation_fixtures.fed_settings
fed = federation_fixtures.fed
fed_app = federation_fixtures.fed_app
fed_client = federation_fixtures.fed_client
federation = federation_fixtures.federation


def _reasons(platform) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with platform.db.session() as s:
        rows = s.scalars(select(AuditRecord).where(AuditRecord.event == "operator:action"))
        return [(r.data["action"], r.data["target"], r.data["reason"]) for r in rows]


def test_the_overview_shows_anchor_intermediates_admitted_portals_and_marks(
    console, console_browser, operator_factory, fed_client: TestClient, federation: Federation, citizen
) -> None:
    authorize_signed(fed_client, federation, citizen)  # Section 12.1: admitted with no manual step
    federation.fed.service.issue_trust_mark(
        subject=federation.portal.entity_id,
        trust_mark_type=federation.ta_id + "/trust-marks/portal",
        actor="t",
    )
    sign_in_directly(console, console_browser, operator_factory(Role.AUDITOR))
    page = html.unescape(console_browser.get("/federation").text)
    assert f'<tr data-entity="{federation.ta_id}">' in page
    assert f'<tr data-entity="{federation.ministry_id}">' in page
    assert f'<tr data-entity="{federation.province.entity_id}">' in page and "Đơn vị khác" in page
    admitted = page.split('id="admitted"')[1].split("</table>")[0]
    assert f'data-client="{federation.portal.entity_id}" data-expired="false"' in admitted
    assert f"<code>{federation.province.entity_id}</code>" in admitted, "the chain it was admitted through"
    assert 'data-status="active"' in page
    assert 'id="enrol-form"' not in page and "/revoke" not in page, "the auditor changes nothing"
    assert post(console_browser, "/federation/subordinates", reason="x", entity_id=LEAF).status_code == 403
    console_browser.cookies.set("nixa_lang", "en")
    english = console_browser.get("/federation").text
    assert "Trust anchors" in english and "Portals admitted through the federation" in english


def test_enrol_then_remove_a_subordinate(
    console, console_browser, operator_factory, platform, fed, peers
) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.PORTAL_MANAGER))
    ta = fed.entities.trust_anchor_id
    form = {
        "superior": ta,
        "entity_id": LEAF,
        "name": "Cổng Quảng Ninh",
        "entity_types": ["openid_relying_party"],
    }
    resp = post(
        console_browser,
        "/federation/subordinates",
        reason="ticket 12",
        jwks=json.dumps(jwks_of(new_key())),
        **form,
    )
    assert resp.headers["location"] == "/federation?notice=federation-enrol"
    # Section 8.2: the anchor's list endpoint names it from now on.
    assert LEAF in fed.service.list_subordinates(ta)
    assert f'<tr data-entity="{LEAF}">' in console_browser.get("/federation").text
    resp = post(
        console_browser, "/federation/subordinates/remove", reason="portal closed", link=f"{ta} {LEAF}"
    )
    assert resp.headers["location"] == "/federation?notice=federation-remove"
    assert LEAF not in fed.service.list_subordinates(ta)
    assert _reasons(platform) == [
        ("federation:enrol", LEAF, "ticket 12"),
        ("federation:remove", LEAF, "portal closed"),
    ]


def test_what_the_service_refuses_is_explained(
    console, console_browser, operator_factory, platform, fed, peers
) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.PORTAL_MANAGER))
    ta = fed.entities.trust_anchor_id
    private = new_key().as_dict(private=True)
    resp = post(
        console_browser,
        "/federation/subordinates",
        reason="x",
        superior=ta,
        entity_id=LEAF,
        jwks=json.dumps({"keys": [private]}),
    )
    assert resp.status_code == 400 and 'id="form-error"' in resp.text and "public keys" in resp.text
    assert LEAF not in fed.service.list_subordinates(ta) and _reasons(platform) == []
    # Without the anchor's statement about NIXA's own OP no portal could reach it.
    resp = post(
        console_browser, "/federation/subordinates/remove", reason="x", link=f"{ta} {fed.entities.issuer}"
    )
    assert resp.status_code == 400 and 'data-error="admin.federation.own_entity"' in resp.text
    assert fed.entities.issuer in fed.service.list_subordinates(ta)


def test_create_an_intermediate(console, console_browser, operator_factory, fed, peers) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.PORTAL_MANAGER))
    resp = post(
        console_browser,
        "/federation/intermediates",
        reason="province joins",
        slug="quang-ninh",
        name="Tỉnh Quảng Ninh",
        superior=fed.entities.trust_anchor_id,
    )
    assert resp.status_code == 303
    assert fed.entities.intermediate_id("quang-ninh") in fed.service.list_subordinates(
        fed.entities.trust_anchor_id, intermediate=True
    )


def test_issue_and_revoke_a_trust_mark(
    console, console_browser, operator_factory, platform, fed, peers
) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.PORTAL_MANAGER))
    mark_type = fed.entities.trust_anchor_id + "/trust-marks/portal"
    resp = post(
        console_browser,
        "/federation/trust-marks",
        reason="audit passed",
        subject=LEAF,
        trust_mark_type=mark_type,
    )
    assert resp.headers["location"] == "/federation?notice=federation-mark-issue"
    mark = fed.service.overview().trust_marks[0]
    token = fed.service.trust_mark_token(mark.id)
    assert fed.service.trust_mark_status(token) == "active"
    resp = post(console_browser, f"/federation/trust-marks/{mark.id}/revoke", reason="audit failed")
    assert resp.headers["location"] == "/federation?notice=federation-mark-revoke"
    # Section 8.4: the status endpoint answers revoked from now on.
    assert fed.service.trust_mark_status(token) == "revoked"
    assert 'data-status="revoked"' in console_browser.get("/federation").text
    assert (
        post(console_browser, f"/federation/trust-marks/{mark.id}/revoke", reason="again").status_code == 400
    )
    assert [a for a, _, _ in _reasons(platform)] == ["federation:mark-issue", "federation:mark-revoke"]
