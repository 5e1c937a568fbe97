"""Issue 3 / signup: registry matching decides the level; each mistake has its own message; no duplicates."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from idp.audit import AuditEvent
from idp.models import AuditRecord, Identity
from idp.models.population import PendingRegistryCheck
from idp.models.signup import RegistryVerdict
from idp.personal_id import PersonalIdProblem
from idp.population.interface import DeclaredIdentity, MatchResult, MatchStatus
from idp.provider import OpenIDProvider
from idp.web.i18n import translate
from tests.signup.conftest import PASSWORD, RegistryPerson, sign_up, signup_fields
from tests.support.db import dump_text


def _identity(op: OpenIDProvider, personal_id: str) -> Identity:
    with op.db.session() as s:  # not a read session: its rollback would expire the row
        row = op.identities.find_by_username(s, personal_id)
        assert row is not None
        return row


def _verdict(op: OpenIDProvider, identity_id: str) -> RegistryVerdict:
    with op.db.session() as s:
        row = s.get(RegistryVerdict, identity_id)
        assert row is not None
        return row


@pytest.mark.usefixtures("imported")
def test_registry_citizen_gets_level_2(
    browser: TestClient, op: OpenIDProvider, registry_people: dict[str, RegistryPerson]
) -> None:
    p = registry_people["active"]
    resp = sign_up(
        browser, personal_id=p.personal_id, full_name=p.full_name, birth_date=p.birth_date, sex=p.sex
    )
    assert resp.status_code == 201, resp.text
    assert translate("loa.2", "vi") in resp.text
    row = _identity(op, p.personal_id)
    assert row.loa == 2
    assert _verdict(op, row.id).status == "matched"


@pytest.mark.usefixtures("imported")
def test_name_differing_from_registry_gives_level_1_with_reason(
    browser: TestClient, op: OpenIDProvider, registry_people: dict[str, RegistryPerson]
) -> None:
    p = registry_people["active"]
    resp = sign_up(
        browser, personal_id=p.personal_id, full_name="Tên Khác Hẳn", birth_date=p.birth_date, sex=p.sex
    )
    assert resp.status_code == 201
    row = _identity(op, p.personal_id)
    assert row.loa == 1
    verdict = _verdict(op, row.id)
    assert (verdict.status, verdict.reason) == ("mismatch", "full_name")


def test_well_formed_number_not_in_registry_gets_level_1(browser: TestClient, op: OpenIDProvider) -> None:
    resp = sign_up(browser)
    assert resp.status_code == 201
    assert translate("loa.1", "vi") in resp.text
    row = _identity(op, "001090123456")
    assert row.loa == 1
    assert _verdict(op, row.id).status == "no_record"


class _Unavailable:
    def match(self, declared: DeclaredIdentity) -> MatchResult:
        return MatchResult(MatchStatus.UNAVAILABLE, "timeout")


def test_unavailable_registry_gives_level_1_and_queues_a_recheck(
    app: FastAPI, browser: TestClient, op: OpenIDProvider
) -> None:
    app.state.population_registry = _Unavailable()
    assert sign_up(browser).status_code == 201
    row = _identity(op, "001090123456")
    assert row.loa == 1
    with op.db.read_session() as s:
        assert s.get(PendingRegistryCheck, row.id) is not None


@pytest.mark.usefixtures("imported")
def test_deceased_person_is_refused(
    browser: TestClient, op: OpenIDProvider, registry_people: dict[str, RegistryPerson]
) -> None:
    p = registry_people["deceased"]
    resp = sign_up(
        browser, personal_id=p.personal_id, full_name=p.full_name, birth_date=p.birth_date, sex=p.sex
    )
    assert resp.status_code == 422
    assert translate("signup.deceased", "vi") in resp.text
    with op.db.read_session() as s:
        assert s.scalar(select(Identity.id)) is None


MISTAKES = [
    (PersonalIdProblem.NOT_12_DIGITS, {"personal_id": "00109012345"}),
    (PersonalIdProblem.UNKNOWN_PROVINCE, {"personal_id": "003090123456"}),
    (PersonalIdProblem.BAD_CENTURY_DIGIT, {"personal_id": "001790123456"}),
    (PersonalIdProblem.IN_FUTURE, {"personal_id": "001290123456", "birth_date": "1990-03-04"}),
    (PersonalIdProblem.BIRTH_YEAR_MISMATCH, {"birth_date": "1991-03-04"}),
    (PersonalIdProblem.SEX_MISMATCH, {"sex": "F"}),
]


@pytest.mark.parametrize(("problem", "fields"), MISTAKES, ids=[m[0].name for m in MISTAKES])
def test_each_personal_id_mistake_has_its_own_message(
    browser: TestClient, problem: PersonalIdProblem, fields: dict[str, str]
) -> None:
    resp = sign_up(browser, **fields)
    assert resp.status_code == 400
    own = translate(f"signup.error.{problem.value}", "vi")
    others = [translate(f"signup.error.{p.value}", "vi") for p in PersonalIdProblem if p is not problem]
    assert own in resp.text
    assert not any(o in resp.text for o in others)
    assert 'id="personal_id-error"' in resp.text


def test_mistakes_keep_what_was_typed_except_passwords(browser: TestClient) -> None:
    resp = sign_up(browser, phone="12", email="")
    assert resp.status_code == 400
    assert translate("signup.error.phone", "vi") in resp.text
    assert 'value="Trần Thị Bình"' in resp.text and 'value="001090123456"' in resp.text
    assert 'value="1990-03-04"' in resp.text and 'value="12"' in resp.text
    assert PASSWORD not in resp.text


def test_contact_and_password_mistakes(browser: TestClient) -> None:
    resp = sign_up(browser, email="", phone="", password_confirm="khác-hẳn-mật-khẩu")
    assert translate("signup.error.contact_required", "vi") in resp.text
    assert translate("signup.error.password_confirm", "vi") in resp.text
    browser.cookies.set("nixa_lang", "en")
    english = sign_up(browser, email="not-an-email", password="short", password_confirm="short")
    assert translate("signup.error.email", "en") in english.text
    assert translate("signup.error.password_short", "en") in english.text


def test_duplicate_is_refused_with_recover_link_and_audited(browser: TestClient, op: OpenIDProvider) -> None:
    assert sign_up(browser).status_code == 201
    again = sign_up(browser, email="other@example.vn")
    assert again.status_code == 409
    assert 'href="/recover"' in again.text
    same_email = sign_up(browser, personal_id="001090654321")
    assert same_email.status_code == 409
    with op.db.read_session() as s:
        refused = s.scalars(select(AuditRecord).where(AuditRecord.event == AuditEvent.SIGNUP_REFUSED)).all()
        assert [r.data for r in refused] == [
            {"reason": "duplicate_personal_id"},
            {"reason": "duplicate_email"},
        ]
        assert all(r.identity_id is None for r in refused)


@pytest.mark.parametrize("action", ["/signup", "/signup/email", "/signup/phone", "/recover", "/reset"])
def test_every_post_needs_the_csrf_token(browser: TestClient, action: str) -> None:
    browser.get("/signup")  # the browser cookie exists; only the token is missing or wrong
    for token in (None, "forged"):
        data = signup_fields() | ({"csrf_token": token} if token else {})
        resp = browser.post(action, data=data)
        assert resp.status_code == 403
        assert translate("error.csrf", "vi") in resp.text


def test_database_dump_shows_no_personal_data(browser: TestClient, op: OpenIDProvider) -> None:
    assert sign_up(browser, phone="0912345678").status_code == 201
    dump = dump_text(op.db)
    for clear in (
        "001090123456",
        "Trần Thị Bình",
        "binh.tran@example.vn",
        "0912345678",
        "912345678",
        "1990-03-04",
    ):
        assert clear not in dump, clear
