"""Self-registration in a real browser: the Vietnamese /signup page, the registry match, the email link.

The live IdP sends its email through a real SMTP server (aiosmtpd) running in this process; the shared
synthetic population registry is imported into the live IdP's own database first.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aiosmtpd.controller import Controller

from idp.registry import import_csv
from idp.web.i18n import translate
from tests.e2e.browser import chromium_page
from tests.e2e.live_server import LiveIdP, require_e2e_tools, serve_idp
from tests.e2e.node_rp import free_port
from tests.e2e.portal_flows import html_lang, self_login

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.support.db import TestDatabase

pytestmark = pytest.mark.e2e

REGISTRY_CSV = Path("/work/shared/data/population_registry.csv")
IMPORTED_ROWS = 500
PASSWORD = "Mật-khẩu-mới-đủ-dài-2025"


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def confirmation_link(self, issuer: str, to: str) -> str:
        assert self.messages, "the IdP sent no email"
        message = self.messages[-1]
        assert message["To"] == to
        body = message.get_payload(decode=True)
        assert isinstance(body, bytes)
        match = re.search(rf"{re.escape(issuer)}/signup/email\?token=[\w\-]+", body.decode())
        assert match, f"no confirmation link to {issuer} in the email:\n{body.decode()}"
        return match.group(0)


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def live_idp(tmp_path: Path, test_database: TestDatabase, inbox: Inbox) -> Iterator[LiveIdP]:
    """The conftest's live IdP, with its mail going to the in-test SMTP server."""
    require_e2e_tools()
    with serve_idp(
        tmp_path, test_database.fresh(tmp_path), smtp_host="127.0.0.1", smtp_port=inbox.port
    ) as idp:
        yield idp


def import_registry(idp: LiveIdP, tmp_path: Path) -> list[dict[str, str]]:
    """Import the first ``IMPORTED_ROWS`` records of the shared registry CSV into the live IdP's database.

    The file's own header and rows, through ``idp.registry.import_csv`` as ``nixa registry import`` does;
    not all 10,000 rows, which take about 20 s per test on PostgreSQL. Returns the imported rows.
    """
    if not REGISTRY_CSV.exists():
        pytest.skip(f"{REGISTRY_CSV} is missing")
    lines = REGISTRY_CSV.read_text(encoding="utf-8-sig").splitlines()[: IMPORTED_ROWS + 1]
    part = tmp_path / "population_registry_head.csv"
    part.write_text("\n".join(lines) + "\n", encoding="utf-8")
    platform = idp.platform
    with platform.db.session() as s:
        report = import_csv(s, part, sealer=platform.sealer, index=platform.blind_index, actor="e2e")
    assert report.imported > IMPORTED_ROWS // 2, f"few rows imported: {report.rejected[:5]}"
    with part.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def registry_ids() -> set[str]:
    """Every personal ID number in the whole shared registry file."""
    with REGISTRY_CSV.open(encoding="utf-8-sig", newline="") as f:
        return {row["personal_id"] for row in csv.DictReader(f)}


def fill_signup(
    page: Page, *, personal_id: str, full_name: str, birth_date: str, sex: str, email: str
) -> None:
    page.locator("#personal_id").fill(personal_id)
    page.locator("#full_name").fill(full_name)
    page.locator("#birth_date").fill(birth_date)
    page.locator("#sex").select_option(sex)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form[action='/signup'] button[type=submit]").click()


def open_signup(page: Page, idp: LiveIdP) -> None:
    page.goto(f"{idp.base_url}/signup")
    page.locator("form[action='/signup']").wait_for(state="visible")
    assert html_lang(page) == "vi", "the signup page must be Vietnamese by default"


def unregistered_id(birth: date, sex: str) -> str:
    """A well-formed personal ID number (Hà Nội, matching sex and birth year) that the registry lacks."""
    taken = registry_ids()
    digit = 2 * ((birth.year - 1900) // 100) + (1 if sex == "F" else 0)
    for serial in range(987654, 0, -1):
        candidate = f"001{digit}{birth.year % 100:02d}{serial:06d}"
        if candidate not in taken:
            return candidate
    raise AssertionError("no free personal ID number")


def test_signup_matched_in_registry_confirm_email_and_see_level_2(
    live_idp: LiveIdP, inbox: Inbox, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    rows = import_registry(live_idp, tmp_path)
    # The last active citizen imported: found among hundreds of records, not simply the first one.
    person = [row for row in rows if row["status"] == "active"][-1]
    email = "cong.dan.e2e@example.vn"
    level_2 = translate("loa.2", "vi")
    with chromium_page(request.node.name) as page:
        open_signup(page, live_idp)
        fill_signup(
            page,
            personal_id=person["personal_id"],
            full_name=person["full_name"],
            birth_date=person["date_of_birth"],
            sex=person["sex"],
            email=email,
        )
        level = page.locator("#signup-level")
        level.wait_for(state="visible")
        assert level_2 in level.inner_text(), level.inner_text()
        assert page.locator("#email-sent").is_visible()

        # The link from the email the IdP really sent: opening it shows a form, the button confirms.
        page.goto(inbox.confirmation_link(live_idp.issuer, email))
        with page.expect_navigation():
            page.locator("form[action='/signup/email'] button[type=submit]").click()
        page.locator("#confirmed").wait_for(state="visible")

        # The citizen logs in to NIXA itself and sees the level the registry match gave.
        self_login(page, live_idp, person["personal_id"], PASSWORD, next_path="/account/profile")
        assert page.url == f"{live_idp.base_url}/account/profile", page.url
        assert page.locator("#loa").inner_text().strip() == level_2
        assert page.locator("#full-name").inner_text().strip() == person["full_name"]
        assert translate("profile.verified", "vi") in page.locator("#email").inner_text()


def test_signup_unmatched_gets_level_1_and_malformed_id_is_explained(
    live_idp: LiveIdP, inbox: Inbox, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    import_registry(live_idp, tmp_path)
    birth, sex, name = date(1991, 7, 2), "F", "Lê Thị Hoa Xuân"
    with chromium_page(request.node.name) as page:
        # A malformed number: the message is next to the field and what was typed is still there.
        open_signup(page, live_idp)
        fill_signup(
            page,
            personal_id="999191000123",  # 999 is no province code
            full_name=name,
            birth_date=birth.isoformat(),
            sex=sex,
            email="hoa.le@example.vn",
        )
        error = page.locator("#personal_id-error")
        error.wait_for(state="visible")
        assert error.inner_text().strip() == translate("signup.error.personal_id.unknown_province", "vi")
        assert page.locator("#personal_id").get_attribute("aria-invalid") == "true"
        assert page.locator("#personal_id").get_attribute("aria-describedby") == "personal_id-error"
        # The error paragraph directly follows the field's help text, i.e. it sits with the field.
        assert page.locator("#personal_id-help + #personal_id-error").count() == 1
        assert page.locator("#full_name").input_value() == name
        assert page.locator("#personal_id").input_value() == "999191000123"
        assert page.locator("#password").input_value() == "", "the password must not be echoed back"
        assert inbox.messages == [], "no email for a refused form"

        # A well-formed number the registry does not know: the account is created at level 1.
        fill_signup(
            page,
            personal_id=unregistered_id(birth, sex),
            full_name=name,
            birth_date=birth.isoformat(),
            sex=sex,
            email="hoa.le@example.vn",
        )
        level = page.locator("#signup-level")
        level.wait_for(state="visible")
        assert translate("loa.1", "vi") in level.inner_text(), level.inner_text()
        assert page.locator("main").inner_text().count(translate("signup.not_matched", "vi")) == 1
        assert len(inbox.messages) == 1
