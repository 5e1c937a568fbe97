"""Citizens: found by personal ID number (exact) or name; locked, unlocked, logged out, a factor reset."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from admin.permissions import Role
from idp.models import AuditRecord, Identity, LogoutDelivery, SsoSession
from idp.models.factors import Factor
from tests.admin.actions import post
from tests.admin.conftest import sign_in_directly
from tests.conftest import ISSUER
from tests.support.factories import make_citizen, make_portal
from tests.support.flows import authorize, begin, interaction_location, submit_login
from tests.support.operators import make_operator


def test_find_by_personal_id_exactly(console, console_browser, operator_factory, op) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.SECURITY_OFFICER))
    citizen = make_citizen(op, full_name="Vũ Thị Lan", sex="F")
    found = console_browser.get("/citizens", params={"q": citizen.personal_id}).text
    assert f'data-identity="{citizen.id}"' in found and "Vũ Thị Lan" in found
    # One digit changed (the last, to the next digit: never the same number).
    near_id = citizen.personal_id[:-1] + str((int(citizen.personal_id[-1]) + 1) % 10)
    near = console_browser.get("/citizens", params={"q": near_id}).text
    assert 'id="no-results"' in near


def test_find_by_name_without_accents(console, console_browser, operator_factory, op) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.VERIFIER))
    lan = make_citizen(op, full_name="Vũ Thị Lan", sex="F")
    make_citizen(op, full_name="Vũ Văn Minh")
    page = console_browser.get("/citizens", params={"q": "vu lan"}).text
    assert f'data-identity="{lan.id}"' in page and page.count("data-identity=") == 1
    both = console_browser.get("/citizens", params={"q": "Vũ"}).text
    assert both.count("data-identity=") == 2


def test_names_are_indexed_only_as_keyed_hashes(console, console_browser, operator_factory, op) -> None:
    from tests.support.db import dump_text

    sign_in_directly(console, console_browser, operator_factory(Role.VERIFIER))
    make_citizen(op, full_name="Hoàng Quốc Việt")
    console_browser.get("/citizens", params={"q": "viet"})
    dump = dump_text(op.db).lower()
    assert "hoang" not in dump and "viet" not in dump and "việt" not in dump


def test_lock_ends_sessions_and_refuses_login(
    console, console_browser, operator_factory, op, app, platform
) -> None:
    officer = sign_in_directly(console, console_browser, operator_factory(Role.SECURITY_OFFICER))
    portal = make_portal(platform, backchannel_logout_uri="https://portal.example.vn/bcl")
    citizen = make_citizen(op)
    with TestClient(app, base_url=ISSUER) as citizen_browser:
        authorize(citizen_browser, portal, citizen)
        page = console_browser.get(f"/citizens/{citizen.id}").text
        assert page.count('class="session"') == 1
        missing = post(console_browser, f"/citizens/{citizen.id}/lock", reason=None)
        assert missing.status_code == 400
        done = post(console_browser, f"/citizens/{citizen.id}/lock", reason="reported stolen phone")
        assert done.headers["location"].endswith("notice=lock")
        with op.db.session() as s:
            assert s.get(Identity, citizen.id).locked
            assert s.scalars(select(SsoSession.ended_at).where(SsoSession.identity_id == citizen.id)).one()
            assert s.scalars(select(LogoutDelivery.client_id)).all() == [portal.client_id]
            locked = s.scalars(select(AuditRecord).where(AuditRecord.event == "identity:locked")).one()
            assert locked.actor == officer.actor and locked.data["reason"] == "reported stolen phone"
        # The ended session no longer signs the citizen in silently: the login page comes back...
        location = interaction_location(begin(citizen_browser, portal))
        assert 'name="password"' in citizen_browser.get(location).text
        # ...and the right password does not open a locked account.
        refused = submit_login(citizen_browser, location, citizen.personal_id, citizen.password)
        assert refused.status_code == 401 and 'id="login-error"' in refused.text


def test_unlock_clears_lockouts(console, console_browser, operator_factory, op, app, platform) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.SECURITY_OFFICER))
    portal = make_portal(platform)
    citizen = make_citizen(op)
    with TestClient(app, base_url=ISSUER) as attacker:
        location = interaction_location(begin(attacker, portal))
        for _ in range(platform.settings.account_max_failures):
            submit_login(attacker, location, citizen.personal_id, "wrong password")
    page = console_browser.get(f"/citizens/{citizen.id}").text
    assert "→" in page.split('id="lockouts"')[1].split("</td>")[0]
    post(console_browser, f"/citizens/{citizen.id}/lock", reason="investigating")
    post(console_browser, f"/citizens/{citizen.id}/unlock", reason="the citizen came to the counter")
    page = console_browser.get(f"/citizens/{citizen.id}").text
    assert 'data-locked="false"' in page and "→" not in page.split('id="lockouts"')[1].split("</td>")[0]
    with TestClient(app, base_url=ISSUER) as citizen_browser:
        assert authorize(citizen_browser, portal, citizen).code


def test_reset_factor_removes_it_and_ends_sessions(console, console_browser, operator_factory, op) -> None:
    officer = sign_in_directly(console, console_browser, operator_factory(Role.SECURITY_OFFICER))
    target = make_operator(op, full_name="Ngô Thị Mai")  # a citizen with a TOTP factor, no roles
    with op.db.session() as s:
        factor_id = s.scalars(select(Factor.id).where(Factor.identity_id == target.id)).one()
    page = console_browser.get(f"/citizens/{target.id}").text
    assert f'data-factor="{factor_id}"' in page
    done = post(
        console_browser,
        f"/citizens/{target.id}/factors/{factor_id}/reset",
        reason="lost phone, identity checked",
    )
    assert done.status_code == 303
    with op.db.session() as s:
        assert s.get(Factor, factor_id) is None
        reset = s.scalars(select(AuditRecord).where(AuditRecord.event == "identity:factor_reset")).one()
        assert reset.actor == officer.actor and reset.data["factor_id"] == factor_id


def test_end_sessions(console, console_browser, operator_factory, op, app, platform) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.SECURITY_OFFICER))
    portal = make_portal(platform)
    citizen = make_citizen(op)
    for _ in range(2):
        with TestClient(app, base_url=ISSUER) as device:
            authorize(device, portal, citizen)
    assert console_browser.get(f"/citizens/{citizen.id}").text.count('class="session"') == 2
    post(console_browser, f"/citizens/{citizen.id}/end-sessions", reason="citizen asked by phone")
    assert 'id="no-sessions"' in console_browser.get(f"/citizens/{citizen.id}").text
    with op.db.session() as s:
        ended = s.scalars(select(AuditRecord).where(AuditRecord.event == "identity:sessions_ended")).one()
        assert ended.data["sessions_ended"] == 2


def test_history_and_linked_portals(console, console_browser, operator_factory, op, app, platform) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.VERIFIER))
    portal = make_portal(platform, name="Cổng Thuế")
    citizen = make_citizen(op)
    with TestClient(app, base_url=ISSUER) as device:
        authorize(device, portal, citizen)
    page = console_browser.get(f"/citizens/{citizen.id}").text
    assert "Cổng Thuế" in page and 'data-event="login:succeeded"' in page
    assert 'id="lock"' not in page  # a verifier sees the file but cannot act on the account


class UpstreamAccounts:
    """What a federation package would add: the accounts linked at upstream identity providers."""

    title_key = "testadmin.upstream"

    def rows(self, s, identity_id):  # type: ignore[no-untyped-def]
        return [("Bộ Công an SSO", f"linked:{identity_id[:4]}")]


def test_other_packages_add_panels_to_the_citizen_file(
    platform, admin_settings, idp_backend, operator_factory, op
) -> None:
    from admin.web.app import create_admin_app
    from tests.admin.conftest import CONSOLE

    app = create_admin_app(platform, admin_settings, http=idp_backend, citizen_panels=[UpstreamAccounts()])
    citizen = make_citizen(op)
    with TestClient(app, base_url=CONSOLE) as browser:
        sign_in_directly(app.state.console, browser, operator_factory(Role.VERIFIER))
        page = browser.get(f"/citizens/{citizen.id}").text
    assert "testadmin.upstream" in page and f"linked:{citizen.id[:4]}" in page


def test_an_operator_cannot_act_on_their_own_account(console, console_browser, operator_factory, op) -> None:
    officer = operator_factory(Role.SECURITY_OFFICER)
    sign_in_directly(console, console_browser, officer)
    resp = post(console_browser, f"/citizens/{officer.id}/unlock", reason="locked myself out")
    assert resp.status_code == 400 and 'data-error="admin.error.own_account"' in resp.text
