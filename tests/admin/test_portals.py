"""Portals: created and edited through the console's form (the IdP's metadata rules apply), their secret
shown once and rotated, disabled, and their integration details shown."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from admin.permissions import Role
from idp.crypto import sha256_hex
from idp.models import AuditRecord, Client
from tests.admin.actions import post
from tests.admin.conftest import sign_in_directly
from tests.conftest import ISSUER
from tests.support.factories import PortalInfo, make_citizen, make_portal
from tests.support.flows import authorize, begin, redeem

SECRET = re.compile(r'<code id="client-secret">([^<]+)</code>')
CLIENT_ID = re.compile(r'<code id="client-id">([^<]+)</code>')
FORM = {
    "name": "Cổng dịch vụ công Hà Nội",
    "redirect_uris": "https://dichvucong.hanoi.gov.vn/callback\r\nhttps://dichvucong.hanoi.gov.vn/cb2",
    "post_logout_redirect_uris": "https://dichvucong.hanoi.gov.vn/",
    "backchannel_logout_uri": "https://dichvucong.hanoi.gov.vn/bcl",
    "token_endpoint_auth_method": "client_secret_basic",
    "grant_types": ["authorization_code", "refresh_token"],
    "scopes": ["openid", "profile"],
    "subject_type": "pairwise",
    "sector_identifier": "",
    "id_token_signed_response_alg": "ES256",
    "min_acr": "",
}


def create(browser: TestClient, **changes: object) -> tuple[str, str | None]:
    resp = post(browser, "/portals", reason="onboarding ticket 42", **{**FORM, **changes})
    assert resp.status_code == 200, resp.text[:500]
    secret = SECRET.search(resp.text)
    client_id = CLIENT_ID.search(resp.text)
    assert client_id
    return client_id.group(1), secret.group(1) if secret else None


def test_created_portal_logs_a_citizen_in(console, console_browser, operator_factory, op, app) -> None:
    manager = sign_in_directly(console, console_browser, operator_factory(Role.PORTAL_MANAGER))
    client_id, secret = create(console_browser)
    assert secret
    portal = PortalInfo(client_id, secret, "https://dichvucong.hanoi.gov.vn/callback")
    with TestClient(app, base_url=ISSUER) as citizen_browser, TestClient(app, base_url=ISSUER) as api:
        result = authorize(citizen_browser, portal, make_citizen(op))
        assert redeem(api, portal, result.code, result.verifier).status_code == 200
    with op.db.session() as s:
        client = s.get(Client, client_id)
        assert client.secret_hash == sha256_hex(secret) and client.backchannel_logout_uri
        created = s.scalars(select(AuditRecord).where(AuditRecord.event == "client:created")).all()
        assert [(r.actor, r.data["reason"]) for r in created if r.client_id == client_id] == [
            (manager.actor, "onboarding ticket 42")
        ]
    # Shown once: the portal's page afterwards does not carry it.
    assert SECRET.search(console_browser.get(f"/portals/{client_id}").text) is None


def test_invalid_metadata_is_explained_and_nothing_is_created(
    console, console_browser, operator_factory, op
) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.PORTAL_MANAGER))
    resp = post(
        console_browser, "/portals", reason="x", **{**FORM, "redirect_uris": "http://portal.example.vn/cb"}
    )
    assert resp.status_code == 400 and 'id="form-error"' in resp.text and "https" in resp.text
    with op.db.session() as s:
        assert s.scalar(select(Client).where(Client.name == FORM["name"])) is None


def test_edit_sets_the_minimum_level(console, console_browser, operator_factory, op, app) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.PORTAL_MANAGER))
    client_id, secret = create(console_browser)
    form = console_browser.get(f"/portals/{client_id}/edit").text
    assert "https://dichvucong.hanoi.gov.vn/cb2" in form
    resp = post(
        console_browser,
        f"/portals/{client_id}",
        reason="ministry asked for level 2",
        **{**FORM, "min_acr": "urn:nixa:loa:2"},
    )
    assert resp.headers["location"].endswith("notice=saved")
    portal = PortalInfo(client_id, secret, "https://dichvucong.hanoi.gov.vn/callback")
    with op.db.session() as s:
        assert s.get(Client, client_id).min_acr == "urn:nixa:loa:2"
        updated = s.scalars(select(AuditRecord).where(AuditRecord.event == "client:updated")).all()
        assert {r.data["reason"] for r in updated} == {"ministry asked for level 2"}
    with TestClient(app, base_url=ISSUER) as citizen_browser:
        level_1 = make_citizen(op, loa=1)
        result = authorize(citizen_browser, portal, level_1)
        assert result.params["error"] == "unmet_authentication_requirements"


def test_rotating_the_secret_shows_it_once_and_the_old_one_stops_working(
    console, console_browser, operator_factory, op, app
) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.PORTAL_MANAGER))
    client_id, old = create(console_browser)
    resp = post(console_browser, f"/portals/{client_id}/secret", reason="secret leaked in a log")
    new = SECRET.search(resp.text)
    assert resp.status_code == 200 and new and new.group(1) != old
    with TestClient(app, base_url=ISSUER) as citizen_browser, TestClient(app, base_url=ISSUER) as api:
        citizen = make_citizen(op)
        stale = PortalInfo(client_id, old, "https://dichvucong.hanoi.gov.vn/callback")
        result = authorize(citizen_browser, stale, citizen)
        assert redeem(api, stale, result.code, result.verifier).status_code == 401
        fresh = PortalInfo(client_id, new.group(1), stale.redirect_uri)
        result = authorize(citizen_browser, fresh, citizen)
        assert redeem(api, fresh, result.code, result.verifier).status_code == 200


def test_a_disabled_portal_is_refused_at_authorize(
    console, console_browser, operator_factory, platform, app
) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.PORTAL_MANAGER))
    portal = make_portal(platform)
    post(console_browser, f"/portals/{portal.client_id}/disable", reason="contract ended")
    assert 'data-disabled="true"' in console_browser.get(f"/portals/{portal.client_id}").text
    with TestClient(app, base_url=ISSUER) as citizen_browser:
        assert begin(citizen_browser, portal).status_code == 400
    post(console_browser, f"/portals/{portal.client_id}/enable", reason="renewed")
    with TestClient(app, base_url=ISSUER) as citizen_browser:
        assert begin(citizen_browser, portal).status_code == 303


def test_integration_details(console, console_browser, operator_factory, platform) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.AUDITOR))
    portal = make_portal(platform)
    page = html.unescape(console_browser.get(f"/portals/{portal.client_id}").text)
    assert f'<code id="discovery-url">{ISSUER}/.well-known/openid-configuration</code>' in page
    assert f'"client_id": "{portal.client_id}"' in page and '"code_challenge_method": "S256"' in page
    assert 'id="edit-portal"' not in page


def test_the_console_registration_cannot_be_changed_here(console, console_browser, operator_factory) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.PORTAL_MANAGER))
    resp = post(console_browser, f"/portals/{console.admin.client_id}/disable", reason="oops")
    assert resp.status_code == 400 and 'data-error="admin.portals.console_protected"' in resp.text
