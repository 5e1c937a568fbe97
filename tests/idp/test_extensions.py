"""The extension points other packages plug into: login methods, routes, messages, discovery."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.testclient import TestClient
from starlette.concurrency import run_in_threadpool

from idp.errors import InvalidPageRequest
from idp.platform import Platform
from idp.provider import InteractionView, OpenIDProvider
from idp.web.app import create_app
from idp.web.deps import PagesDep, Provider, client_ip
from idp.web.extensions import Extension, LoginChoice
from idp.web.i18n import register_messages, translate
from idp.web.pages import BROWSER_COOKIE
from idp.web.routes_interaction import finish_login
from tests.conftest import ISSUER
from tests.support.factories import Citizen, PortalInfo, make_citizen, pkce_pair
from tests.support.flows import authorize_params, begin, csrf_of, query_of, redeem
from tests.support.tokens import verify_jwt

# The test method logs in whoever is named in the URL: it stands for an upstream provider or the wallet,
# which authenticate the person by their own means before calling complete_external_login.
router = APIRouter()


@router.get("/fake-method/{interaction_id}/{identity_id}")
async def fake_method_page(
    interaction_id: str, identity_id: str, request: Request, op: Provider, pages: PagesDep
) -> Response:
    try:
        outcome = await run_in_threadpool(
            lambda: op.complete_external_login(
                interaction_id,
                request.cookies.get(BROWSER_COOKIE),
                identity_id=identity_id,
                auth_level=2,
                amr=["fed"],
                ip=client_ip(request),
                user_agent=None,
                audit_data={"upstream": "test"},
            )
        )
    except InvalidPageRequest as exc:
        return pages.error(request, exc.message_key)
    return finish_login(request, pages, op, outcome)


class FakeMethod:
    def __init__(self) -> None:
        self.offered_to: list[str] = []

    def login_choices(self, view: InteractionView, locale: str) -> list[LoginChoice]:
        self.offered_to.append(view.client.client_id)
        return [LoginChoice("test", translate("testext.button", locale), "/fake-method/x")]


@pytest.fixture
def method() -> FakeMethod:
    return FakeMethod()


@pytest.fixture
def ext_app(platform: Platform, method: FakeMethod) -> FastAPI:
    return create_app(
        platform=platform,
        extensions=[
            Extension(
                name="test",
                routers=[router],
                login_methods=[method],
                messages={"testext.button": {"vi": "Đăng nhập bằng Thử", "en": "Log in with Test"}},
                discovery=lambda: {"test_extension_supported": True},
            )
        ],
    )


@pytest.fixture
def ext_browser(ext_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(ext_app, base_url=ISSUER) as c:
        yield c


@pytest.fixture
def ext_op(ext_app: FastAPI) -> OpenIDProvider:
    provider: OpenIDProvider = ext_app.state.provider
    return provider


def test_login_page_offers_the_extension_choice(
    ext_browser: TestClient, portal: PortalInfo, method: FakeMethod
) -> None:
    location = begin(ext_browser, portal).headers["location"]
    page = ext_browser.get(location)
    assert 'data-login-choice="test"' in page.text
    assert "Đăng nhập bằng Thử" in page.text
    assert method.offered_to == [portal.client_id]
    ext_browser.cookies.set("nixa_lang", "en")
    english = ext_browser.get(location)
    assert "Log in with Test" in english.text


def test_external_login_starts_a_session_and_issues_a_code(
    ext_browser: TestClient, ext_op: OpenIDProvider, portal: PortalInfo
) -> None:
    citizen: Citizen = make_citizen(ext_op)
    location = begin(ext_browser, portal, prompt="consent").headers["location"]
    interaction_id = location.rsplit("/", 1)[1]
    resp = ext_browser.get(f"/fake-method/{interaction_id}/{citizen.id}", follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"].startswith("/interaction/"), "consent comes next"
    assert "nixa_session" in resp.cookies


def test_external_login_for_an_unknown_identity_is_refused(
    ext_browser: TestClient, portal: PortalInfo
) -> None:
    location = begin(ext_browser, portal).headers["location"]
    interaction_id = location.rsplit("/", 1)[1]
    resp = ext_browser.get(f"/fake-method/{interaction_id}/no-such-identity", follow_redirects=False)
    assert resp.status_code == 401
    assert "nixa_session" not in resp.cookies


def test_external_login_needs_the_browser_that_started_the_interaction(
    ext_app: FastAPI, ext_browser: TestClient, ext_op: OpenIDProvider, portal: PortalInfo
) -> None:
    citizen = make_citizen(ext_op)
    location = begin(ext_browser, portal).headers["location"]
    interaction_id = location.rsplit("/", 1)[1]
    with TestClient(ext_app, base_url=ISSUER) as other:
        resp = other.get(f"/fake-method/{interaction_id}/{citizen.id}", follow_redirects=False)
    assert resp.status_code == 400
    assert "nixa_session" not in resp.cookies


def test_discovery_carries_extension_metadata(ext_browser: TestClient) -> None:
    doc = ext_browser.get("/.well-known/openid-configuration").json()
    assert doc["test_extension_supported"] is True
    assert doc["issuer"] == ISSUER


def test_amr_of_the_external_method_reaches_the_id_token(
    ext_browser: TestClient, ext_op: OpenIDProvider, portal: PortalInfo
) -> None:
    citizen = make_citizen(ext_op)
    verifier, challenge = pkce_pair()
    resp = ext_browser.get("/authorize", params=authorize_params(portal, challenge), follow_redirects=False)
    interaction_id = resp.headers["location"].rsplit("/", 1)[1]
    resp = ext_browser.get(f"/fake-method/{interaction_id}/{citizen.id}", follow_redirects=False)
    location = resp.headers["location"]
    if location.startswith("/interaction/"):
        page = ext_browser.get(location)
        resp = ext_browser.post(
            f"{location}/consent",
            data={"csrf_token": csrf_of(page.text), "decision": "approve"},
            follow_redirects=False,
        )
    code = query_of(resp.headers["location"])["code"]
    tokens = redeem(ext_browser, portal, code, verifier).json()
    _, claims = verify_jwt(ext_browser, tokens["id_token"])
    assert claims["amr"] == ["fed"]
    assert claims["sub"]


def test_a_message_key_cannot_be_redefined() -> None:
    register_messages({"testext.same": {"vi": "A", "en": "A"}})
    register_messages({"testext.same": {"vi": "A", "en": "A"}})  # the same text again is harmless
    with pytest.raises(ValueError, match="already defined"):
        register_messages({"login.title": {"vi": "Khác", "en": "Other"}})
    with pytest.raises(ValueError, match="no Vietnamese"):
        register_messages({"testext.en_only": {"en": "x"}})
