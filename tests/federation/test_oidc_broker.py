"""Brokered login through a real upstream OpenID Provider (npm oidc-provider): offering, linking, levels."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from federation.upstream.catalogue import ProviderInfo
from federation.upstream.models import FederatedLink
from idp.models import AuditRecord, Identity
from idp.platform import Platform
from idp.provider import OpenIDProvider
from tests.federation.conftest import PERSONAL_ID, add_oidc_provider
from tests.federation.flows import brokered_login, finish_at_portal, start_at_portal
from tests.federation.node_op import NodeOP
from tests.support.factories import PortalInfo, make_citizen, make_portal
from tests.support.flows import csrf_of, redeem
from tests.support.tokens import verify_jwt


def events(platform: Platform, prefix: str) -> list[AuditRecord]:
    with platform.db.session() as s:
        rows = s.scalars(
            select(AuditRecord).where(AuditRecord.event.startswith(prefix)).order_by(AuditRecord.seq)
        )
        return list(rows)


def id_token_claims(
    browser: TestClient, portal: PortalInfo, location: str, verifier: str
) -> dict[str, object]:
    params = finish_at_portal(browser, location)
    tokens = redeem(browser, portal, params["code"], verifier).json()
    _, claims = verify_jwt(browser, tokens["id_token"])
    return claims


def test_login_page_offers_only_providers_that_reach_the_level(
    fed_browser: TestClient, platform: Platform, upstream: NodeOP, bank: ProviderInfo
) -> None:
    add_oidc_provider(
        platform, upstream, "weak", acr_map={"urn:upstream:loa:low": 1, "urn:upstream:loa:substantial": 2}
    )
    portal = make_portal(platform)
    location, _ = start_at_portal(fed_browser, portal)
    page = fed_browser.get(location).text
    assert 'data-login-choice="upstream:bank"' in page
    assert "Đăng nhập bằng Ngân hàng Thử nghiệm" in page
    assert 'data-login-choice="upstream:weak"' in page
    location, _ = start_at_portal(fed_browser, portal, acr_values="urn:nixa:loa:3")
    page = fed_browser.get(location).text
    assert 'data-login-choice="upstream:bank"' in page
    assert 'data-login-choice="upstream:weak"' not in page, "a provider below the asked level is not offered"


def test_idp_hint_skips_the_choice(fed_browser: TestClient, platform: Platform, bank: ProviderInfo) -> None:
    portal = make_portal(platform)
    location, _ = start_at_portal(fed_browser, portal, idp_hint="bank")
    resp = fed_browser.get(location, follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"].startswith("/federation/login/bank/")
    unknown, _ = start_at_portal(fed_browser, portal, idp_hint="no-such-provider")
    assert fed_browser.get(unknown, follow_redirects=False).status_code == 200, (
        "an unknown hint shows the page"
    )


def test_first_login_links_on_a_trusted_personal_id_and_acr_is_the_lower_level(
    fed_browser: TestClient, fed_op: OpenIDProvider, platform: Platform, bank: ProviderInfo
) -> None:
    citizen = make_citizen(fed_op, personal_id=PERSONAL_ID, loa=2)
    portal = make_portal(platform)
    result = brokered_login(fed_browser, portal, "an", acr="urn:upstream:loa:high")
    assert not result.location.startswith("/federation/link/"), "a trusted personal ID links without asking"
    claims = id_token_claims(fed_browser, portal, result.location, result.verifier)
    assert claims["amr"] == ["fed"]
    # Upstream vouched for level 3, the identity is level 2: the lower wins.
    assert claims["acr"] == "urn:nixa:loa:2"
    with platform.db.session() as s:
        link = s.scalar(select(FederatedLink).where(FederatedLink.provider_id == bank.id))
        assert link is not None and link.identity_id == citizen.id
    assert [e.data["how"] for e in events(platform, "federation:link:created")] == ["personal_id"]


def test_first_login_without_personal_id_creates_an_identity_when_chosen(
    fed_browser: TestClient, platform: Platform, bank: ProviderInfo
) -> None:
    portal = make_portal(platform)
    result = brokered_login(fed_browser, portal, "khach", acr="urn:upstream:loa:substantial")
    assert result.location.startswith("/federation/link/")
    page = fed_browser.get(result.location)
    assert "Tạo danh tính NIXA mới" in page.text
    resp = fed_browser.post(
        result.location, data={"csrf_token": csrf_of(page.text), "choice": "create"}, follow_redirects=False
    )
    claims = id_token_claims(fed_browser, portal, resp.headers["location"], result.verifier)
    # A new identity without a trusted personal ID number is level 1, whatever the upstream level.
    assert claims["acr"] == "urn:nixa:loa:1"
    with platform.db.session() as s:
        created = s.scalar(select(Identity).join(FederatedLink, FederatedLink.identity_id == Identity.id))
        assert created is not None and created.loa == 1 and created.personal_id_index is None
        assert created.email_index is None, "an untrusted email is never stored, so never used to link"
    again = fed_browser.post(
        result.location, data={"csrf_token": csrf_of(page.text), "choice": "create"}, follow_redirects=False
    )
    assert again.status_code == 400, "the link ticket is single use"


def test_first_login_links_an_existing_account_proved_by_its_password(
    fed_browser: TestClient, fed_op: OpenIDProvider, platform: Platform, bank: ProviderInfo
) -> None:
    citizen = make_citizen(fed_op, loa=2)
    portal = make_portal(platform)
    result = brokered_login(fed_browser, portal, "khach")
    page = fed_browser.get(result.location)
    wrong = fed_browser.post(
        result.location,
        data={
            "csrf_token": csrf_of(page.text),
            "choice": "existing",
            "username": citizen.personal_id,
            "password": "x",
        },
    )
    assert wrong.status_code == 401
    resp = fed_browser.post(
        result.location,
        data={
            "csrf_token": csrf_of(page.text),
            "choice": "existing",
            "username": citizen.personal_id,
            "password": citizen.password,
        },
        follow_redirects=False,
    )
    claims = id_token_claims(fed_browser, portal, resp.headers["location"], result.verifier)
    assert claims["amr"] == ["fed"]
    with platform.db.session() as s:
        link = s.scalar(select(FederatedLink))
        assert link is not None and link.identity_id == citizen.id
    # The next login through the same upstream account needs no choice.
    second = brokered_login(fed_browser, portal, "khach", prompt="login")
    assert not second.location.startswith("/federation/link/")


def test_personal_id_from_a_provider_not_trusted_for_it_is_ignored(
    fed_browser: TestClient, fed_op: OpenIDProvider, platform: Platform, upstream: NodeOP
) -> None:
    make_citizen(fed_op, personal_id=PERSONAL_ID, loa=3)
    add_oidc_provider(platform, upstream, "untrusted", trusted=False)
    portal = make_portal(platform)
    result = brokered_login(fed_browser, portal, "an", provider="untrusted")
    assert result.location.startswith("/federation/link/"), "no account is taken over on an untrusted claim"
    with platform.db.session() as s:
        assert s.scalar(select(FederatedLink)) is None
    ignored = [
        e
        for e in events(platform, "federation:login:refused")
        if e.data.get("reason") == "untrusted_claims_ignored"
    ]
    assert ignored and ignored[0].data["claims"] == ["personal_id"]


def test_a_lower_upstream_level_than_the_portal_asked_for_is_refused(
    fed_browser: TestClient, fed_op: OpenIDProvider, platform: Platform, bank: ProviderInfo
) -> None:
    make_citizen(fed_op, personal_id=PERSONAL_ID, loa=3)
    portal = make_portal(platform)
    result = brokered_login(
        fed_browser, portal, "an", acr="urn:upstream:loa:substantial", acr_values="urn:nixa:loa:3"
    )
    assert result.response.status_code == 400
    assert 'data-error="federation.error.level"' in result.response.text
    assert "nixa_session" not in result.response.cookies
    assert any(
        "below the requested" in e.data["reason"] for e in events(platform, "federation:login:refused")
    )


def test_rfc6749_10_12_a_replayed_callback_is_refused(
    fed_browser: TestClient, fed_op: OpenIDProvider, platform: Platform, bank: ProviderInfo
) -> None:
    make_citizen(fed_op, personal_id=PERSONAL_ID)
    portal = make_portal(platform)
    interaction, _ = start_at_portal(fed_browser, portal)
    go = fed_browser.get(f"/federation/login/bank/{interaction.rsplit('/', 1)[1]}", follow_redirects=False)
    from tests.federation.flows import login_upstream, to_nixa

    callback = to_nixa(login_upstream(go.headers["location"], "an"))
    assert fed_browser.get(callback, follow_redirects=False).status_code == 303
    replay = fed_browser.get(callback, follow_redirects=False)
    assert replay.status_code == 400
    assert 'data-error="federation.error.expired"' in replay.text


def test_the_callback_needs_the_browser_that_started(
    fed_app: object, fed_browser: TestClient, fed_op: OpenIDProvider, platform: Platform, bank: ProviderInfo
) -> None:
    portal = make_portal(platform)
    interaction, _ = start_at_portal(fed_browser, portal)
    go = fed_browser.get(f"/federation/login/bank/{interaction.rsplit('/', 1)[1]}", follow_redirects=False)
    from tests.conftest import ISSUER
    from tests.federation.flows import login_upstream, to_nixa

    callback = to_nixa(login_upstream(go.headers["location"], "an"))
    with TestClient(fed_app, base_url=ISSUER) as other:  # type: ignore[arg-type]
        assert other.get(callback, follow_redirects=False).status_code == 400


def test_trusted_attributes_are_refreshed_and_the_change_audited(
    fed_browser: TestClient, fed_op: OpenIDProvider, platform: Platform, bank: ProviderInfo
) -> None:
    citizen = make_citizen(fed_op, personal_id=PERSONAL_ID, full_name="Nguyễn Văn Cũ")
    portal = make_portal(platform)
    brokered_login(fed_browser, portal, "an")
    with platform.db.session() as s:
        person = fed_op.identities.person(s.get(Identity, citizen.id))  # type: ignore[arg-type]
    assert person.full_name == "Nguyễn Văn An"
    updates = events(platform, "federation:profile:updated")
    assert updates and updates[-1].data["changed"] == ["full_name"]
    assert "Nguyễn" not in str(updates[-1].data), "the audit names fields, never values"


def test_citizen_sees_and_removes_linked_providers(
    fed_browser: TestClient, fed_op: OpenIDProvider, platform: Platform, bank: ProviderInfo
) -> None:
    assert fed_browser.get("/account/linked").status_code == 401
    make_citizen(fed_op, personal_id=PERSONAL_ID)
    portal = make_portal(platform)
    brokered_login(fed_browser, portal, "an")
    assert 'href="/account/linked"' in fed_browser.get("/account").text, "the account page links to it"
    page = fed_browser.get("/account/linked")
    assert 'data-provider="bank"' in page.text
    with platform.db.session() as s:
        link_id = s.scalar(select(FederatedLink.id))
    resp = fed_browser.post(
        f"/account/linked/{link_id}/remove", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert resp.status_code == 303
    assert 'data-provider="bank"' not in fed_browser.get("/account/linked").text
    with platform.db.session() as s:
        assert s.scalar(select(FederatedLink)) is None
    assert events(platform, "federation:link:removed")


def test_a_disabled_provider_is_neither_offered_nor_usable(
    fed_browser: TestClient, platform: Platform, bank: ProviderInfo
) -> None:
    from federation.upstream.catalogue import ProviderCatalogue

    with platform.db.session() as s:
        ProviderCatalogue(platform.sealer).update(s, "bank", enabled=False, actor="test")
    location, _ = start_at_portal(fed_browser, make_portal(platform))
    assert 'data-login-choice="upstream:bank"' not in fed_browser.get(location).text
    go = fed_browser.get(f"/federation/login/bank/{location.rsplit('/', 1)[1]}", follow_redirects=False)
    assert go.status_code == 400 and 'data-error="federation.error.unknown_provider"' in go.text


def test_the_kept_provider_list_follows_a_change_made_here_at_once_and_one_made_elsewhere_within_its_ttl(
    fed_browser: TestClient, platform: Platform, bank: ProviderInfo, monkeypatch
) -> None:
    from federation.broker import service
    from federation.upstream.catalogue import ProviderCatalogue
    from federation.upstream.models import UpstreamProvider

    portal = make_portal(platform)
    offered = 'data-login-choice="upstream:bank"'
    location, _ = start_at_portal(fed_browser, portal)
    assert offered in fed_browser.get(location).text
    # Changed through the catalogue in this process (any instance): the next page knows.
    with platform.db.session() as s:
        ProviderCatalogue(platform.sealer).update(s, "bank", enabled=False, actor="test")
    location, _ = start_at_portal(fed_browser, portal)
    assert offered not in fed_browser.get(location).text
    with platform.db.session() as s:
        ProviderCatalogue(platform.sealer).update(s, "bank", enabled=True, actor="test")
    location, _ = start_at_portal(fed_browser, portal)
    assert offered in fed_browser.get(location).text
    # Changed by another process (here: straight in the database, past the catalogue): the button may
    # stay for the list's TTL, but the trip is refused, and after the TTL the button is gone.
    with platform.db.session() as s:
        s.execute(update(UpstreamProvider).where(UpstreamProvider.name == "bank").values(enabled=False))
    location, _ = start_at_portal(fed_browser, portal)
    assert offered in fed_browser.get(location).text
    go = fed_browser.get(f"/federation/login/bank/{location.rsplit('/', 1)[1]}", follow_redirects=False)
    assert go.status_code == 400 and 'data-error="federation.error.unknown_provider"' in go.text
    monkeypatch.setattr(service, "PROVIDER_LIST_TTL", 0.0)  # the TTL has passed
    location, _ = start_at_portal(fed_browser, portal)
    assert offered not in fed_browser.get(location).text


def test_rfc7523_private_key_jwt_authenticates_nixa_at_the_upstream_token_endpoint(
    fed_browser: TestClient, fed_op: OpenIDProvider, platform: Platform, upstream: NodeOP
) -> None:
    from federation.upstream.catalogue import ProviderCatalogue, ProviderConfig
    from tests.federation.conftest import UPSTREAM_ACR, client_key

    config = ProviderConfig(
        acr_map=UPSTREAM_ACR,
        trusted_claims=["personal_id"],
        identity_level=2,
        discovery_url=upstream.discovery_url,
        client_id="nixa-broker-jwt",
        auth_method="private_key_jwt",
        scopes=["openid", "profile", "personal_id"],
    )
    with platform.db.session() as s:
        ProviderCatalogue(platform.sealer).add(
            s, name="ministry", display_name="Bộ", protocol="oidc", config=config, private_key=client_key()
        )
    make_citizen(fed_op, personal_id=PERSONAL_ID)
    portal = make_portal(platform)
    result = brokered_login(fed_browser, portal, "an", provider="ministry")
    assert result.response.status_code == 303, result.response.text[:300]
    assert id_token_claims(fed_browser, portal, result.location, result.verifier)["amr"] == ["fed"]
