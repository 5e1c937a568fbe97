"""The composition root: the IdP of this build carries every package's extension."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from idp.platform import Platform
from idp.provider import OpenIDProvider
from nixa.composition import EXTENSION_FACTORIES, build_idp_app
from tests.conftest import ISSUER
from tests.support.factories import make_citizen
from tests.wallet.conftest import signed_in


@pytest.fixture
def full_app(platform: Platform) -> FastAPI:
    return build_idp_app(platform)


@pytest.fixture
def full_browser(full_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(full_app, base_url=ISSUER) as c:
        yield c


def test_every_package_contributes_an_extension(platform: Platform) -> None:
    names = {factory(platform).name for factory in EXTENSION_FACTORIES}
    assert len(names) == len(EXTENSION_FACTORIES) == 4


def test_the_account_page_links_every_self_service_page(full_app: FastAPI, full_browser: TestClient) -> None:
    op: OpenIDProvider = full_app.state.provider
    citizen = make_citizen(op)
    signed_in(full_browser, op, citizen.id)
    page = full_browser.get("/account")
    assert page.status_code == 200
    for key, href in [
        ("identity_qr", "/account/identity-qr"),
        ("wallet_devices", "/account/wallet-devices"),
        ("credentials", "/account/credentials"),
        ("linked_providers", "/account/linked"),
    ]:
        assert f'href="{href}" data-account-link="{key}"' in page.text
        assert full_browser.get(href).status_code == 200, href


def test_discovery_carries_every_extension(full_browser: TestClient) -> None:
    doc = full_browser.get("/.well-known/openid-configuration").json()
    assert "urn:ietf:params:oauth:grant-type:pre-authorized_code" in doc["grant_types_supported"]
    assert {"authorization_code", "refresh_token", "client_credentials"} <= set(doc["grant_types_supported"])
    assert doc["request_parameter_supported"] is True
    assert doc["issuer"] == ISSUER
