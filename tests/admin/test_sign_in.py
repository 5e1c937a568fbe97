"""Operators sign in through NIXA (OIDC Core 1.0 code flow with PKCE) and must reach urn:nixa:loa:3."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from sqlalchemy import select

from admin.models import ConsoleSession, PendingSignIn
from admin.oidc import SignInRefused
from admin.permissions import Role
from admin.web.console import Console
from idp.db import utcnow
from idp.models import AuditRecord, Client
from idp.provider import OpenIDProvider
from tests.admin.conftest import CONSOLE, sign_in_directly
from tests.admin.steps import path_of, sign_in, through_nixa
from tests.support.db import update_rows


@pytest.fixture
def idp_browser(app) -> TestClient:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def events(op: OpenIDProvider, event: str) -> list[AuditRecord]:
    with op.db.session() as s:
        rows = list(s.scalars(select(AuditRecord).where(AuditRecord.event == event)))
        s.expunge_all()
        return rows


def test_oidc_core_3_1_2_1_request_asks_for_level_3_with_pkce(console_browser, console: Console) -> None:
    start = console_browser.get("/login/start", follow_redirects=False)
    url = urlsplit(start.headers["location"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == "http://testserver/authorize"
    assert query["acr_values"] == "urn:nixa:loa:3"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["redirect_uri"] == f"{CONSOLE}/callback" and query["client_id"] == console.admin.client_id
    assert query["prompt"] == "login" and query["nonce"] and query["state"]


def test_operator_signs_in_with_password_and_totp(console_browser, idp_browser, operator_factory, op) -> None:
    verifier = operator_factory(Role.VERIFIER)
    done = sign_in(console_browser, idp_browser, verifier, next_path="/verification")
    assert done.status_code == 303 and done.headers["location"] == "/verification"
    cookie = done.headers["set-cookie"]
    # RFC 6265bis: the __Host- prefix with Secure, Path=/ and no Domain; HttpOnly; SameSite=Lax.
    assert cookie.startswith("__Host-nixa_admin=") and "Domain" not in cookie
    assert {"secure", "httponly", "path=/", "samesite=lax"} <= {p.strip().lower() for p in cookie.split(";")}
    page = console_browser.get("/verification")
    assert page.status_code == 200 and 'data-roles="verifier"' in page.text
    signed_in = events(op, "operator:signed_in")
    assert [r.actor for r in signed_in] == [verifier.actor]
    assert signed_in[0].data["acr"] == "urn:nixa:loa:3"


def test_the_console_client_requires_level_3_at_nixa_too(console: Console, op) -> None:
    with op.db.session() as s:
        client = s.get(Client, console.admin.client_id)
        assert client is not None and client.min_acr == "urn:nixa:loa:3"
        assert client.secret_hash and client.subject_type == "public"


def test_without_a_second_factor_nixa_refuses_and_the_console_explains(
    console_browser, idp_browser, operator_factory, op
) -> None:
    operator = operator_factory(Role.AUDITOR)
    with op.db.session() as s:
        from idp.models.factors import Factor

        s.query(Factor).filter(Factor.identity_id == operator.id).delete()
    start = console_browser.get("/login/start", follow_redirects=False)
    back = through_nixa(idp_browser, start.headers["location"], operator)
    done = console_browser.get(path_of(back.headers["location"]), follow_redirects=False)
    assert done.status_code == 403
    assert 'data-error="admin.signin.level"' in done.text
    assert not [name for name in done.cookies if name.endswith("nixa_admin")]


def test_oidc_core_3_1_3_7_id_token_below_level_3_is_refused(console: Console, op, monkeypatch) -> None:
    """Asking for level 3 is not enough: an ID token saying loa:2 must not open the console."""
    operator_id = "a-level-2-identity"
    start = console.sign_in.start("browser-secret-value-123", "/")
    state = parse_qs(urlsplit(start).query)["state"][0]
    with op.db.session() as s:
        nonce = s.scalars(select(PendingSignIn.nonce)).one()
    now = int(time.time())
    claims = {
        "iss": op.issuer,
        "aud": console.admin.client_id,
        "sub": operator_id,
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "acr": "urn:nixa:loa:2",
    }
    key = op.platform.keys.signing_key("ES256")
    token = jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)
    monkeypatch.setattr(console.sign_in, "_redeem", lambda meta, code, verifier: {"id_token": token})
    with pytest.raises(SignInRefused) as refused:
        console.sign_in.finish({"state": state, "code": "c", "iss": op.issuer}, "browser-secret-value-123")
    assert refused.value.key == "admin.signin.level"


def test_oidc_core_3_1_3_7_wrong_nonce_is_refused(console: Console, op, monkeypatch) -> None:
    start = console.sign_in.start("browser-secret-value-123", "/")
    state = parse_qs(urlsplit(start).query)["state"][0]
    now = int(time.time())
    claims = {"iss": op.issuer, "aud": console.admin.client_id, "sub": "x", "iat": now, "exp": now + 300}
    claims |= {"nonce": "another-nonce", "acr": "urn:nixa:loa:3"}
    key = op.platform.keys.signing_key("ES256")
    token = jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)
    monkeypatch.setattr(console.sign_in, "_redeem", lambda meta, code, verifier: {"id_token": token})
    with pytest.raises(SignInRefused) as refused:
        console.sign_in.finish({"state": state, "code": "c", "iss": op.issuer}, "browser-secret-value-123")
    assert refused.value.key == "admin.signin.failed" and "nonce" in refused.value.detail


def test_rfc9207_wrong_iss_in_the_response_is_refused(console: Console) -> None:
    start = console.sign_in.start("browser-secret-value-123", "/")
    state = parse_qs(urlsplit(start).query)["state"][0]
    with pytest.raises(SignInRefused) as refused:
        console.sign_in.finish(
            {"state": state, "code": "c", "iss": "https://evil.example"}, "browser-secret-value-123"
        )
    assert "iss" in refused.value.detail


def test_state_is_single_use_and_bound_to_the_browser(
    console_browser, idp_browser, operator_factory, console_app
) -> None:
    operator = operator_factory(Role.AUDITOR)
    start = console_browser.get("/login/start", follow_redirects=False)
    back = through_nixa(idp_browser, start.headers["location"], operator)
    callback = path_of(back.headers["location"])
    with TestClient(console_app, base_url=CONSOLE) as other_browser:
        stolen = other_browser.get(callback, follow_redirects=False)
    assert stolen.status_code == 400 and 'data-error="admin.signin.expired"' in stolen.text
    assert console_browser.get(callback, follow_redirects=False).status_code == 303
    # Consumed by that use (a conditional UPDATE): the same response cannot be replayed.
    again = console_browser.get(callback, follow_redirects=False)
    assert again.status_code == 400 and 'data-error="admin.signin.expired"' in again.text


def test_identity_without_a_role_is_refused_with_a_clear_page(
    console_browser, idp_browser, operator_factory, op
) -> None:
    nobody = operator_factory()
    done = sign_in(console_browser, idp_browser, nobody)
    assert done.status_code == 403 and 'data-error="admin.signin.not_operator"' in done.text
    assert [r.identity_id for r in events(op, "operator:sign_in_refused")] == [nobody.id]


def test_idle_timeout_ends_the_session(console_browser, console: Console, operator_factory, op) -> None:
    operator = sign_in_directly(console, console_browser, operator_factory(Role.AUDITOR))
    assert console_browser.get("/audit").status_code == 200
    idle = timedelta(seconds=console.admin.idle_timeout + 1)
    update_rows(
        op.db, ConsoleSession, ConsoleSession.id_hash == operator.session_hash, last_seen_at=utcnow() - idle
    )
    resp = console_browser.get("/audit", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/login?next=%2Faudit&idle=1"
    # Ended for good: activity afterwards does not bring it back.
    update_rows(op.db, ConsoleSession, ConsoleSession.id_hash == operator.session_hash, last_seen_at=utcnow())
    assert console_browser.get("/audit", follow_redirects=False).status_code == 303


def test_a_revoked_role_takes_effect_at_once(console_browser, console: Console, operator_factory, op) -> None:
    from admin import operators

    info = operator_factory(Role.AUDITOR, Role.VERIFIER)
    sign_in_directly(console, console_browser, info)
    assert console_browser.get("/audit").status_code == 200
    with op.db.session() as s:
        operators.revoke(s, info.id, Role.AUDITOR, actor="test", reason="moved to another team")
    assert console_browser.get("/audit").status_code == 403
    assert console_browser.get("/verification").status_code == 200


def test_sign_out_ends_the_console_session_and_the_nixa_session(
    console_browser, console: Console, operator_factory
) -> None:
    operator = sign_in_directly(console, console_browser, operator_factory(Role.AUDITOR))
    page = console_browser.get("/")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    resp = console_browser.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    target = urlsplit(resp.headers["location"])
    assert resp.status_code == 303 and target.path == "/logout"
    query = parse_qs(target.query)
    assert query["client_id"] == [console.admin.client_id]
    assert query["post_logout_redirect_uri"] == [f"{CONSOLE}/signed-out"]
    assert console.sessions.current(None).operator is None
    assert console_browser.get("/", follow_redirects=False).status_code == 303
    assert operator.session_hash


def test_backchannel_logout_1_0_2_6_ends_the_console_session(
    console_browser, console: Console, operator_factory, op
) -> None:
    info = operator_factory(Role.AUDITOR)
    cookie = console.sessions.start(info.id, acr="urn:nixa:loa:3", idp_sid="nixa-sid-1")
    console_browser.cookies.set(console.session_cookie, cookie)
    assert console_browser.get("/audit").status_code == 200
    with op.db.session() as s:
        client = s.get(Client, console.admin.client_id)
        token = op.signer.logout_token(client=client, sub=info.id, sid="nixa-sid-1")
    assert console_browser.post("/backchannel-logout", data={"logout_token": "junk"}).status_code == 400
    assert console_browser.post("/backchannel-logout", data={"logout_token": token}).status_code == 200
    assert console_browser.get("/audit", follow_redirects=False).status_code == 303


def test_expired_pending_sign_ins_are_swept(console: Console, op) -> None:
    console.sign_in.start("browser-secret-value-123", "/")
    update_rows(
        op.db, PendingSignIn, PendingSignIn.used_at.is_(None), expires_at=utcnow() - timedelta(seconds=1)
    )
    console.sign_in.start("browser-secret-value-456", "/")
    with op.db.session() as s:
        assert len(s.scalars(select(PendingSignIn)).all()) == 1


def test_next_path_stays_on_the_console() -> None:
    from admin.oidc import safe_next

    assert safe_next("/citizens?q=1") == "/citizens?q=1"
    for hostile in ("https://evil.example/", "//evil.example/", "/\\evil.example", "", None):
        assert safe_next(hostile) == "/"


def test_nixa_unreachable_is_a_readable_page(platform, admin_settings) -> None:
    import httpx

    from admin.web.app import create_admin_app

    # A real client: the issuer's host (testserver) exists only inside TestClient, so nothing answers.
    app = create_admin_app(platform, admin_settings, http=httpx.Client(timeout=2.0, trust_env=False))
    with TestClient(app, base_url=CONSOLE) as browser:
        resp = browser.get("/login/start", follow_redirects=False)
    assert resp.status_code == 503 and 'data-error="admin.signin.unavailable"' in resp.text
