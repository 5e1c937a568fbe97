"""Upstream identity providers in the console (issue 5): a portal manager adds an OIDC provider by its
discovery URL (a real oidc-provider on loopback) and a SAML provider by pasted metadata; citizens then log in
through it, it is disabled, its secret rotated and it is removed, each with a reason. The citizen's file
shows the linked account, which a security officer can remove. The auditor reads and changes nothing."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from admin.permissions import Role
from federation.broker.service import Broker
from federation.upstream.catalogue import ProviderCatalogue
from federation.upstream.models import FederatedLink, UpstreamProvider
from idp.models import AuditRecord, Identity
from idp.platform import Platform
from nixa.composition import build_idp_app
from tests.admin.actions import post
from tests.admin.conftest import sign_in_directly
from tests.conftest import ISSUER
from tests.e2e.live_server import require_e2e_tools
from tests.federation.conftest import ACCOUNTS, CLIENT_ID, CLIENT_SECRET, PERSONAL_ID, nixa_client
from tests.federation.flows import brokered_login, finish_at_portal
from tests.federation.node_op import NodeOP, run_node_op
from tests.federation.saml_idp import SamlIdP
from tests.support.factories import make_portal

OIDC_FORM = {
    "name": "bank",
    "display_name": "Ngân hàng Thử nghiệm",
    "protocol": "oidc",
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
    "auth_method": "client_secret_basic",
    "scopes": "openid profile personal_id",
    "acr_map": "urn:upstream:loa:high=urn:nixa:loa:3\r\nurn:upstream:loa:substantial=urn:nixa:loa:2",
    "claim_map": "",
    "trusted": ["personal_id", "full_name", "birth_date"],
    "identity_level": "2",
}


@pytest.fixture(scope="module")
def upstream() -> Iterator[NodeOP]:
    require_e2e_tools()
    with run_node_op(clients=[nixa_client(ISSUER, ("bank",))], accounts=ACCOUNTS) as op:
        yield op


@pytest.fixture
def fed_browser(platform: Platform) -> Iterator[TestClient]:
    fed_app: FastAPI = build_idp_app(platform)
    with TestClient(fed_app, base_url=ISSUER) as c:
        yield c


def _add_bank(browser: TestClient, upstream: NodeOP, **changes: object):  # type: ignore[no-untyped-def]
    form = {**OIDC_FORM, "discovery_url": upstream.discovery_url, **changes}
    return post(browser, "/upstream", reason="contract with the bank, ticket 7", **form)


def test_an_oidc_provider_added_by_discovery_logs_citizens_in(
    console, console_browser, operator_factory, platform, upstream, fed_browser
) -> None:
    manager = sign_in_directly(console, console_browser, operator_factory(Role.PORTAL_MANAGER))
    resp = _add_bank(console_browser, upstream)
    assert resp.status_code == 303 and resp.headers["location"] == "/upstream/bank?notice=upstream-add"
    page = html.unescape(console_browser.get("/upstream/bank").text)
    assert f'<code id="callback-url">{ISSUER}/federation/oidc/bank/callback</code>' in page
    assert f'<code id="discovery-url">{upstream.discovery_url}</code>' in page
    assert "<code>urn:upstream:loa:high</code></td><td>urn:nixa:loa:3" in page
    assert CLIENT_SECRET not in page
    with platform.db.session() as s:
        added = s.scalars(select(AuditRecord).where(AuditRecord.event == "operator:action")).one()
        assert (added.actor, added.data) == (
            manager.actor,
            {"action": "upstream:add", "target": "bank", "reason": "contract with the bank, ticket 7"},
        )
        assert s.scalars(select(UpstreamProvider)).one().client_secret_enc != CLIENT_SECRET.encode()
    # The provider works as registered: a citizen logs in through it and is linked on the personal ID.
    portal = make_portal(platform)
    done = brokered_login(fed_browser, portal, "an")
    assert "code" in finish_at_portal(fed_browser, done.location)
    with platform.db.session() as s:
        assert s.scalars(select(FederatedLink)).one()


def test_a_discovery_document_that_cannot_be_used_is_refused(
    console, console_browser, operator_factory, platform, upstream
) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.PORTAL_MANAGER))
    # Discovery 1.0 Section 4.3: the document read must name the issuer it was read from.
    other = upstream.discovery_url.replace("127.0.0.1", "localhost")
    resp = _add_bank(console_browser, upstream, discovery_url=other)
    assert resp.status_code == 400 and 'id="form-error"' in resp.text and "another issuer" in resp.text
    assert CLIENT_SECRET not in resp.text, "the secret is not echoed back into the form"
    resp = _add_bank(
        console_browser, upstream, discovery_url="http://127.0.0.1:9/.well-known/openid-configuration"
    )
    assert resp.status_code == 400 and "cannot be used" in resp.text
    with platform.db.session() as s:
        assert s.scalars(select(UpstreamProvider)).all() == []


def test_a_saml_provider_from_pasted_metadata_and_no_server_files(
    console, console_browser, operator_factory, platform, tmp_path: Path
) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.PORTAL_MANAGER))
    idp = SamlIdP("http://idp.example.vn", tmp_path)
    form = {"name": "post", "display_name": "Bưu điện", "protocol": "saml", "identity_level": "1"}
    # A path on the console's server is never read, whatever the form says.
    resp = post(console_browser, "/upstream", reason="x", metadata_url="/etc/passwd", **form)
    assert resp.status_code == 400 and "https URL" in resp.text
    resp = post(console_browser, "/upstream", reason="postal ID", metadata_xml=idp.metadata_xml(), **form)
    assert resp.status_code == 303, resp.text[:400]
    page = html.unescape(console_browser.get("/upstream/post").text)
    assert f'<code id="entity-id">{idp.entity_id}</code>' in page
    assert f'<code id="callback-url">{ISSUER}/federation/saml/post/acs</code>' in page
    assert f"{ISSUER}/federation/saml/post/metadata" in page


def test_disable_rotate_and_remove(
    console, console_browser, operator_factory, op, platform, upstream, fed_browser
) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.PORTAL_MANAGER))
    assert _add_bank(console_browser, upstream).status_code == 303
    broker = Broker(platform)
    assert [p.name for p in broker.providers()] == ["bank"]
    post(console_browser, "/upstream/bank/disable", reason="the bank's SSO is under maintenance")
    assert broker.providers() == [], "a disabled provider is not offered on the login page"
    post(console_browser, "/upstream/bank/enable", reason="maintenance over")
    assert [p.name for p in broker.providers()] == ["bank"]
    resp = post(console_browser, "/upstream/bank/secret", reason="yearly rotation", client_secret="short")
    assert resp.status_code == 400
    post(console_browser, "/upstream/bank/secret", reason="yearly rotation", client_secret="n" * 32)
    with platform.db.session() as s:
        catalogue = ProviderCatalogue(platform.sealer)
        assert catalogue.client_secret(s, catalogue.get(s, "bank").id) == "n" * 32
    resp = post(console_browser, "/upstream/bank/remove", reason="contract ended", confirm_name="bnak")
    assert resp.status_code == 400 and 'data-error="admin.upstream.confirm_name"' in resp.text
    resp = post(console_browser, "/upstream/bank/remove", reason="contract ended", confirm_name="bank")
    assert resp.headers["location"] == "/upstream?notice=upstream-remove"
    assert console_browser.get("/upstream/bank").status_code == 404
    with platform.db.session() as s:
        actions = [
            r.data["action"]
            for r in s.scalars(select(AuditRecord).where(AuditRecord.event == "operator:action"))
        ]
        assert actions == [
            "upstream:add",
            "upstream:disable",
            "upstream:enable",
            "upstream:secret",
            "upstream:remove",
        ]
        assert s.scalars(select(AuditRecord).where(AuditRecord.event == "federation:provider:removed")).one()


def test_the_linked_account_in_the_citizen_file(
    console, console_browser, operator_factory, platform, upstream, fed_browser
) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.PORTAL_MANAGER))
    assert _add_bank(console_browser, upstream).status_code == 303
    finish_at_portal(fed_browser, brokered_login(fed_browser, make_portal(platform), "an").location)
    with platform.db.session() as s:
        link = s.scalars(select(FederatedLink)).one()
        identity_id = link.identity_id
        assert s.get(Identity, identity_id) is not None
    console_browser.cookies.clear()
    officer = sign_in_directly(console, console_browser, operator_factory(Role.SECURITY_OFFICER))
    page = console_browser.get(f"/citizens/{identity_id}").text
    assert "Ngân hàng Thử nghiệm (bank)" in page and PERSONAL_ID not in page.split("Tài khoản liên kết")[1]
    resp = post(
        console_browser, f"/citizens/{identity_id}/upstream-links/{link.id}/remove", reason="citizen asked"
    )
    assert resp.headers["location"].endswith("notice=upstream-link-remove")
    with platform.db.session() as s:
        assert s.scalars(select(FederatedLink)).all() == []
        removed = s.scalars(select(AuditRecord).where(AuditRecord.event == "operator:action")).all()[-1]
        assert (removed.actor, removed.identity_id, removed.data["reason"]) == (
            officer.actor,
            identity_id,
            "citizen asked",
        )


def test_the_auditor_reads_only(console, console_browser, operator_factory, platform, upstream) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.PORTAL_MANAGER))
    assert _add_bank(console_browser, upstream).status_code == 303
    console_browser.cookies.clear()
    sign_in_directly(console, console_browser, operator_factory(Role.AUDITOR))
    listing = console_browser.get("/upstream").text
    assert 'data-provider="bank"' in listing and 'id="new-provider"' not in listing
    detail = console_browser.get("/upstream/bank").text
    assert 'id="callback-url"' in detail and 'id="toggle-provider"' not in detail
    assert post(console_browser, "/upstream/bank/disable", reason="x").status_code == 403
