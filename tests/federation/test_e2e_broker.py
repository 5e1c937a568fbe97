"""The whole brokered login in Chromium: portal (npm openid-client) -> NIXA's login page -> "Đăng nhập bằng
..." -> the upstream provider's own pages -> NIXA consent -> the portal, which receives amr ``fed``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.browser import chromium_page
from tests.e2e.idp_pages import CONSENT_APPROVE, approve_consent, read_rp_result
from tests.e2e.node_rp import run_node_rp
from tests.e2e.portal_flows import html_lang, open_idp_login, register_rp
from tests.federation.conftest import PERSONAL_ID
from tests.federation.live import serve_broker
from tests.support.factories import make_citizen

if TYPE_CHECKING:
    from tests.support.db import TestDatabase

pytestmark = pytest.mark.e2e


def test_chromium_logs_in_through_the_upstream_oidc_provider(
    tmp_path: Path, test_database: TestDatabase, request: pytest.FixtureRequest
) -> None:
    with serve_broker(tmp_path, test_database.fresh(tmp_path)) as live:
        make_citizen(live.provider, personal_id=PERSONAL_ID, full_name="Nguyễn Văn An")
        rp = register_rp(live)  # type: ignore[arg-type]
        with (
            run_node_rp(live.base_url, rp.client_id, rp.secret, rp.port, scope="openid profile") as rp_url,
            chromium_page(request.node.name) as page,
        ):
            open_idp_login(page, rp_url, live)  # type: ignore[arg-type]
            choice = page.locator('a[data-login-choice="upstream:bank"]')
            assert choice.inner_text().strip() == "Đăng nhập bằng Ngân hàng Thử nghiệm"
            assert html_lang(page) == "vi"
            with page.expect_navigation():
                choice.click()
            assert page.url.startswith(f"{live.upstream.issuer}/interaction/"), page.url
            page.fill("#login", "an")
            with page.expect_navigation():
                page.click("#upstream-submit")
            page.locator(CONSENT_APPROVE).wait_for(state="visible")
            assert page.url.startswith(f"{live.base_url}/interaction/"), "back at NIXA for consent"
            approve_consent(page)
            result = read_rp_result(page)
    claims = result["id_token_claims"]
    assert claims["amr"] == ["fed"]
    assert claims["acr"] == "urn:nixa:loa:2"
    assert result["userinfo"]["name"] == "Nguyễn Văn An"


def test_chromium_logs_in_through_the_upstream_saml_provider(
    tmp_path: Path, test_database: TestDatabase, request: pytest.FixtureRequest
) -> None:
    import httpx

    from tests.e2e.live_server import loopback_socket, serve_asgi
    from tests.federation.saml_idp import CLASS_HIGH, SamlIdP, idp_app
    from tests.federation.test_saml_broker import add_saml_provider

    sock, idp_base = loopback_socket()
    saml_idp = SamlIdP(idp_base, tmp_path / "idp")
    attributes = {"personal_id": ["079195000777"], "displayName": ["Trần Thị Bình"]}
    with serve_broker(tmp_path, test_database.fresh(tmp_path)) as live:
        add_saml_provider(live.platform, saml_idp, {CLASS_HIGH: 3})
        saml_idp.trust(httpx.get(f"{live.base_url}/federation/saml/postal/metadata").text)
        rp = register_rp(live)  # type: ignore[arg-type]
        with (
            serve_asgi(idp_app(saml_idp, attributes), sock, idp_base),
            run_node_rp(live.base_url, rp.client_id, rp.secret, rp.port, scope="openid profile") as rp_url,
            chromium_page(request.node.name) as page,
        ):
            open_idp_login(page, rp_url, live)  # type: ignore[arg-type]
            with page.expect_navigation():
                page.locator('a[data-login-choice="upstream:postal"]').click()
            assert page.url.startswith(f"{idp_base}/sso?SAMLRequest="), page.url
            page.fill("#user", "postal-user-e2e")
            with page.expect_navigation():
                page.click("#idp-submit")
            with page.expect_navigation():
                page.click("#idp-continue")
            page.locator(CONSENT_APPROVE).wait_for(state="visible")
            approve_consent(page)
            result = read_rp_result(page)
    claims = result["id_token_claims"]
    assert claims["amr"] == ["fed"]
    # A new identity from a provider trusted for the personal ID: its identity level (2) caps the acr.
    assert claims["acr"] == "urn:nixa:loa:2"
    assert result["userinfo"]["name"] == "Trần Thị Bình"
