"""Issue 3 / recovery: reset through a confirmed channel ends other sessions; /recover reveals nothing."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from idp.audit import AuditEvent
from idp.config import Settings
from idp.models import AuditRecord, Identity, PasswordCredential, SsoSession
from idp.provider import OpenIDProvider
from tests.conftest import ISSUER
from tests.signup.conftest import PASSWORD, Inbox, post_form, sign_up
from tests.signup.test_confirmation import _code, _confirm_email
from tests.support.factories import Citizen, make_portal
from tests.support.flows import authorize, csrf_of

NEW_PASSWORD = "Một-mật-khẩu-mới-hoàn-toàn-2026"


def _identity(op: OpenIDProvider) -> Identity:
    with op.db.session() as s:
        row = op.identities.find_by_username(s, "001090123456")
        assert row is not None
        return row


def _password_is(op: OpenIDProvider, identity_id: str, password: str) -> bool:
    with op.db.session() as s:
        credential = s.get(PasswordCredential, identity_id)
        return credential is not None and op.identities.passwords.verify(credential.password_hash, password)


def _open_sessions(op: OpenIDProvider, identity_id: str) -> int:
    with op.db.session() as s:
        rows = s.scalars(select(SsoSession).where(SsoSession.identity_id == identity_id)).all()
        return sum(1 for r in rows if r.ended_at is None)


def test_reset_by_email_ends_other_sessions_and_old_password_fails(
    app: FastAPI, browser: TestClient, op: OpenIDProvider, inbox: Inbox
) -> None:
    sign_up(browser)
    assert _confirm_email(browser, inbox.link("/signup/email")) == 200
    identity = _identity(op)
    portal = make_portal(op.platform)
    with TestClient(app, base_url=ISSUER) as elsewhere:  # another browser, logged in with the old password
        citizen = Citizen(identity.id, "001090123456", PASSWORD, None)
        assert "code" in authorize(elsewhere, portal, citizen).params
    assert _open_sessions(op, identity.id) == 1

    resp = post_form(browser, "/recover", "/recover", {"identifier": "binh.tran@example.vn"})
    assert resp.status_code == 200
    token = inbox.link("/reset")
    reset = post_form(
        browser,
        f"/reset?token={token}",
        "/reset",
        {"token": token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert reset.status_code == 200 and 'id="reset-done"' in reset.text
    assert _open_sessions(op, identity.id) == 0
    assert not _password_is(op, identity.id, PASSWORD)
    assert _password_is(op, identity.id, NEW_PASSWORD)
    assert browser.get(f"/reset?token={token}").status_code == 410  # the link was single use
    with op.db.session() as s:
        events = s.scalars(select(AuditRecord.event).where(AuditRecord.identity_id == identity.id)).all()
    assert AuditEvent.PASSWORD_RESET in events and AuditEvent.PASSWORD_RESET_REQUESTED in events


def test_reset_by_sms_code(browser: TestClient, op: OpenIDProvider, settings: Settings) -> None:
    done = sign_up(browser, email="", phone="0912345678")
    ref = re.search(r'name="ref" value="([^"]+)"', done.text)
    assert ref
    code = _code(settings)
    browser.post("/signup/phone", data={"ref": ref.group(1), "code": code, "csrf_token": csrf_of(done.text)})
    identity = _identity(op)
    assert identity.phone_verified

    post_form(browser, "/recover", "/recover", {"identifier": "001090123456"})
    reset_code = _code(settings)
    fields = {"identifier": "001090123456", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    wrong = "000000" if reset_code != "000000" else "111111"
    assert post_form(browser, "/reset", "/reset", fields | {"code": wrong}).status_code == 400
    assert post_form(browser, "/reset", "/reset", fields | {"code": reset_code}).status_code == 200
    assert _password_is(op, identity.id, NEW_PASSWORD)


def test_recover_answers_the_same_for_unknown_accounts(
    browser: TestClient, op: OpenIDProvider, inbox: Inbox
) -> None:
    sign_up(browser)
    _confirm_email(browser, inbox.link("/signup/email"))
    sent_before = len(inbox.messages)
    answers = [
        post_form(browser, "/recover", "/recover", {"identifier": who})
        for who in ("binh.tran@example.vn", "nobody@example.vn", "001090999999", "rác")
    ]
    assert len(inbox.messages) == sent_before + 1  # only the real account got an email
    assert {a.status_code for a in answers} == {200}
    bodies = {re.sub(r'value="[^"]*"', "", a.text) for a in answers}  # CSP nonces aside
    bodies = {re.sub(r"nonce-[\w\-]+", "", b) for b in bodies}
    assert len(bodies) == 1


def test_unconfirmed_channel_gets_no_reset(browser: TestClient, inbox: Inbox) -> None:
    sign_up(browser)  # the email is never confirmed
    sent = len(inbox.messages)
    post_form(browser, "/recover", "/recover", {"identifier": "binh.tran@example.vn"})
    assert len(inbox.messages) == sent
