"""Fixtures of the console's tests: the IdP app, the console app talking to it, and operators.

The console reaches the IdP (discovery, token endpoint, JWKS) through ``idp_backend``, a TestClient of the
IdP app: the same HTTP requests as over the network, without a port. Browser tests in tests/e2e run both
on real ports.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from admin.console_sessions import Operator
from admin.settings import AdminSettings
from admin.web.app import create_admin_app
from admin.web.console import Console
from idp.platform import Platform
from idp.provider import OpenIDProvider
from tests.conftest import ISSUER
from tests.support.operators import OperatorInfo, make_operator

CONSOLE = "https://console.nixa.test"


@pytest.fixture
def admin_settings() -> AdminSettings:
    return AdminSettings(base_url=CONSOLE)


@pytest.fixture
def idp_backend(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=ISSUER) as c:
        yield c


@pytest.fixture
def console_app(platform: Platform, admin_settings: AdminSettings, idp_backend: TestClient) -> FastAPI:
    return create_admin_app(platform, admin_settings, http=idp_backend)


@pytest.fixture
def console(console_app: FastAPI) -> Console:
    c: Console = console_app.state.console
    return c


@pytest.fixture
def console_browser(console_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(console_app, base_url=CONSOLE) as c:
        yield c


@pytest.fixture
def operator_factory(op: OpenIDProvider):  # type: ignore[no-untyped-def]
    def make(*roles: str, **kw: object) -> OperatorInfo:
        return make_operator(op, *roles, **kw)  # type: ignore[arg-type]

    return make


def sign_in_directly(console: Console, browser: TestClient, operator: OperatorInfo) -> Operator:
    """A console session as a completed sign-in leaves it (the sign-in itself: test_sign_in.py)."""
    cookie = console.sessions.start(operator.id, acr="urn:nixa:loa:3", idp_sid=None)
    browser.cookies.set(console.session_cookie, cookie)
    found = console.sessions.current(cookie).operator
    assert found is not None
    return found
