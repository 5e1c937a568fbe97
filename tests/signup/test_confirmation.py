"""Issue 3 / confirmation: the email link and the SMS code are single use, expire and limit guesses."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from idp.config import Settings
from idp.db import utcnow
from idp.models import Identity
from idp.models.signup import ChannelConfirmation
from idp.provider import OpenIDProvider
from idp.signup.confirmations import MAX_ATTEMPTS
from tests.signup.conftest import Inbox, post_form, sign_up
from tests.support.db import update_rows


def _flags(op: OpenIDProvider) -> tuple[bool, bool]:
    with op.db.session() as s:
        row = op.identities.find_by_username(s, "001090123456")
        assert isinstance(row, Identity)
        return row.email_verified, row.phone_verified


def _confirm_email(browser: TestClient, token: str) -> int:
    return int(
        post_form(browser, f"/signup/email?token={token}", "/signup/email", {"token": token}).status_code
    )


def test_email_link_confirms_once(browser: TestClient, op: OpenIDProvider, inbox: Inbox) -> None:
    assert sign_up(browser).status_code == 201
    token = inbox.link("/signup/email")
    assert inbox.messages[-1]["To"] == "binh.tran@example.vn"
    assert _flags(op) == (False, False)
    page = browser.get(f"/signup/email?token={token}")
    assert page.status_code == 200 and _flags(op)[0] is False  # opening the link alone confirms nothing
    assert _confirm_email(browser, token) == 200
    assert _flags(op)[0] is True
    assert browser.get(f"/signup/email?token={token}").status_code == 410
    assert (
        browser.post("/signup/email", data={"token": token, "csrf_token": _csrf(page.text)}).status_code
        == 410
    )


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_expired_email_link_is_refused(browser: TestClient, op: OpenIDProvider, inbox: Inbox) -> None:
    sign_up(browser)
    token = inbox.link("/signup/email")
    page = browser.get(f"/signup/email?token={token}")  # opened in time, submitted too late
    update_rows(op.db, ChannelConfirmation, ChannelConfirmation.channel == "email", expires_at=utcnow())
    resp = browser.post("/signup/email", data={"token": token, "csrf_token": _csrf(page.text)})
    assert resp.status_code == 410
    assert _flags(op)[0] is False


def _sms(settings: Settings) -> list[dict[str, str]]:
    path = Path(settings.data_dir) / "sms-outbox.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _code(settings: Settings) -> str:
    match = re.search(r"\b(\d{6})\b", _sms(settings)[-1]["text"])
    assert match
    return match.group(1)


def test_sms_code_confirms_the_phone(browser: TestClient, op: OpenIDProvider, settings: Settings) -> None:
    done = sign_up(browser, email="", phone="091 234 5678")
    assert done.status_code == 201
    assert _sms(settings)[-1]["to"] == "+84912345678"
    ref = re.search(r'name="ref" value="([^"]+)"', done.text)
    assert ref
    code = _code(settings)
    wrong = "000000" if code != "000000" else "111111"
    data = {"ref": ref.group(1), "csrf_token": _csrf(done.text)}
    assert browser.post("/signup/phone", data=data | {"code": wrong}).status_code == 400
    assert browser.post("/signup/phone", data=data | {"code": code}).status_code == 200
    assert _flags(op) == (False, True)
    assert browser.post("/signup/phone", data=data | {"code": code}).status_code == 400  # single use


def test_sms_code_allows_limited_guesses_and_expires(
    browser: TestClient, op: OpenIDProvider, settings: Settings
) -> None:
    done = sign_up(browser, email="", phone="0912345678")
    ref = re.search(r'name="ref" value="([^"]+)"', done.text)
    assert ref
    code = _code(settings)
    wrong = "000000" if code != "000000" else "111111"
    data = {"ref": ref.group(1), "csrf_token": _csrf(done.text)}
    for _ in range(MAX_ATTEMPTS):
        browser.post("/signup/phone", data=data | {"code": wrong})
    assert browser.post("/signup/phone", data=data | {"code": code}).status_code == 400
    assert _flags(op) == (False, False)
    update_rows(op.db, ChannelConfirmation, ChannelConfirmation.id == ref.group(1), attempts=0)
    update_rows(
        op.db, ChannelConfirmation, ChannelConfirmation.id == ref.group(1), expires_at=utcnow() - timedelta(1)
    )
    assert browser.post("/signup/phone", data=data | {"code": code}).status_code == 400
    assert _flags(op) == (False, False)
