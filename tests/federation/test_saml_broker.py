"""SAML 2.0 Web Browser SSO through NIXA's SP, against an IdP built with pysaml2: the checks of SAML Core,
Bindings and Profiles (signature, Audience, Recipient, Destination, NotOnOrAfter, InResponseTo, replay)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from federation.upstream.catalogue import ProviderCatalogue, ProviderConfig, ProviderInfo
from federation.upstream.models import FederatedLink
from federation.upstream.saml_metadata import identity_provider_entity_id
from idp.models import AuditRecord
from idp.platform import Platform
from idp.provider import OpenIDProvider
from tests.federation.flows import finish_at_portal, start_at_portal
from tests.federation.saml_idp import CLASS_HIGH, CLASS_LOW, SamlIdP, not_before, shift_not_on_or_after
from tests.support.factories import PortalInfo, make_citizen, make_portal
from tests.support.flows import redeem
from tests.support.tokens import verify_jwt

PID = "079195000777"
ATTRS = {"personal_id": [PID], "displayName": ["Trần Thị Bình"]}


@pytest.fixture(scope="module")
def saml_idp(tmp_path_factory: pytest.TempPathFactory) -> SamlIdP:
    return SamlIdP("http://idp.example.vn", tmp_path_factory.mktemp("saml-idp"))


def add_saml_provider(platform: Platform, saml_idp: SamlIdP, acr_map: dict[str, int]) -> ProviderInfo:
    xml = saml_idp.metadata_xml()
    config = ProviderConfig(
        acr_map=acr_map,
        trusted_claims=["personal_id", "full_name"],
        identity_level=2,
        metadata_xml=xml,
        metadata_source="test",
        entity_id=identity_provider_entity_id(xml),
    )
    with platform.db.session() as s:
        return ProviderCatalogue(platform.sealer).add(
            s, name="postal", display_name="Bưu điện", protocol="saml", config=config, actor="test"
        )


@pytest.fixture
def postal(platform: Platform, fed_browser: TestClient, saml_idp: SamlIdP) -> ProviderInfo:
    info = add_saml_provider(platform, saml_idp, {CLASS_HIGH: 3, CLASS_LOW: 2})
    saml_idp.trust(fed_browser.get("/federation/saml/postal/metadata").text)
    return info


def go_upstream(browser: TestClient, portal: PortalInfo, **extra: str) -> tuple[str, str]:
    interaction, verifier = start_at_portal(browser, portal, **extra)
    go = browser.get(f"/federation/login/postal/{interaction.rsplit('/', 1)[1]}", follow_redirects=False)
    assert go.status_code == 303, go.text
    return go.headers["location"], verifier


def post_to_acs(browser: TestClient, saml_response: str, relay_state: str) -> Any:
    resp = browser.post(
        "/federation/saml/postal/acs",
        data={"SAMLResponse": saml_response, "RelayState": relay_state},
        follow_redirects=False,
    )
    if resp.status_code != 303:
        return resp
    return browser.get(resp.headers["location"], follow_redirects=False)


def answer(browser: TestClient, saml_idp: SamlIdP, portal: PortalInfo, **kw: Any) -> Any:
    url, _ = go_upstream(browser, portal)
    seen = saml_idp.read_authn_request(url)
    return post_to_acs(
        browser, saml_idp.response(seen, subject="postal-user-1", attributes=ATTRS, **kw), seen.relay_state
    )


def changed(mutation: Any) -> Any:
    """A mutation that must change the XML, so a test cannot pass on an alteration that did nothing."""

    def apply(xml: str) -> str:
        out = mutation(xml)
        assert out != xml, "the mutation changed nothing"
        return out

    return apply


def refused_because(platform: Platform, resp: Any, reason: str) -> None:
    assert resp.status_code == 400, resp.text[:300]
    assert "nixa_session" not in resp.cookies
    with platform.db.session() as s:
        rows = s.scalars(select(AuditRecord).where(AuditRecord.event == "federation:login:refused")).all()
    assert any(reason in r.data["reason"] for r in rows), [r.data for r in rows]


def test_saml_profiles_4_1_a_signed_assertion_logs_in_with_fed_and_the_lower_level(
    fed_browser: TestClient,
    fed_op: OpenIDProvider,
    platform: Platform,
    saml_idp: SamlIdP,
    postal: ProviderInfo,
) -> None:
    citizen = make_citizen(fed_op, personal_id=PID, birth_date=date(1995, 3, 8), sex="F", loa=2)
    portal = make_portal(platform)
    url, verifier = go_upstream(fed_browser, portal)
    assert url.startswith("http://idp.example.vn/sso?SAMLRequest=")
    seen = saml_idp.read_authn_request(url)  # NIXA's AuthnRequest is signed and names our ACS
    assert seen.acs_url == "http://testserver/federation/saml/postal/acs"
    resp = post_to_acs(
        fed_browser, saml_idp.response(seen, subject="postal-user-1", attributes=ATTRS), seen.relay_state
    )
    assert resp.status_code == 303, resp.text[:500]
    params = finish_at_portal(fed_browser, resp.headers["location"])
    _, claims = verify_jwt(
        fed_browser, redeem(fed_browser, portal, params["code"], verifier).json()["id_token"]
    )
    assert claims["amr"] == ["fed"]
    assert claims["acr"] == "urn:nixa:loa:2", "level 3 upstream, level 2 identity: the lower"
    with platform.db.session() as s:
        link = s.scalar(select(FederatedLink))
        assert link is not None and link.identity_id == citizen.id


def test_saml_profiles_4_1_4_5_a_replayed_assertion_is_refused(
    fed_browser: TestClient,
    fed_op: OpenIDProvider,
    platform: Platform,
    saml_idp: SamlIdP,
    postal: ProviderInfo,
) -> None:
    make_citizen(fed_op, personal_id=PID, birth_date=date(1995, 3, 8), sex="F")
    portal = make_portal(platform)
    url, _ = go_upstream(fed_browser, portal)
    seen = saml_idp.read_authn_request(url)
    saml_response = saml_idp.response(seen, subject="postal-user-1", attributes=ATTRS)
    assert post_to_acs(fed_browser, saml_response, seen.relay_state).status_code == 303
    # The same assertion again, on a fresh trip with the same request ID: the replay cache refuses it.
    url2, _ = go_upstream(fed_browser, portal, prompt="login")
    seen2 = saml_idp.read_authn_request(url2)
    with platform.db.session() as s:
        from federation.upstream.models import BrokerLogin
        from idp.crypto import sha256_hex

        trip = s.get(BrokerLogin, sha256_hex(seen2.relay_state))
        assert trip is not None
        trip.saml_request_id = seen.id  # so InResponseTo matches: only the assertion ID is old
    refused_because(platform, post_to_acs(fed_browser, saml_response, seen2.relay_state), "replayed")


def test_saml_core_5_an_unsigned_assertion_is_refused(
    fed_browser: TestClient, platform: Platform, saml_idp: SamlIdP, postal: ProviderInfo
) -> None:
    refused_because(platform, answer(fed_browser, saml_idp, make_portal(platform), sign=False), "rejected")


def test_saml_core_5_an_assertion_signed_by_another_key_is_refused(
    fed_browser: TestClient, platform: Platform, saml_idp: SamlIdP, postal: ProviderInfo, tmp_path: Path
) -> None:
    impostor = SamlIdP(
        "http://idp.example.vn", tmp_path / "impostor", sp_metadata=saml_idp._sp_metadata, key_name="impostor"
    )
    assert Path(impostor.key_file).read_bytes() != Path(saml_idp.key_file).read_bytes(), "a different key"
    resp = answer(fed_browser, saml_idp, make_portal(platform), signer=impostor)
    refused_because(platform, resp, "rejected")


def test_saml_core_5_a_changed_signed_assertion_is_refused(
    fed_browser: TestClient, platform: Platform, saml_idp: SamlIdP, postal: ProviderInfo
) -> None:
    portal = make_portal(platform)
    url, _ = go_upstream(fed_browser, portal)
    seen = saml_idp.read_authn_request(url)
    xml_b64 = saml_idp.response(seen, subject="postal-user-1", attributes=ATTRS)
    import base64

    original = base64.b64decode(xml_b64).decode()
    tampered = original.replace("postal-user-1", "postal-user-2")
    assert tampered != original
    resp = post_to_acs(fed_browser, base64.b64encode(tampered.encode()).decode(), seen.relay_state)
    refused_because(platform, resp, "rejected")


def test_saml_profiles_4_1_4_2_another_audience_is_refused(
    fed_browser: TestClient, platform: Platform, saml_idp: SamlIdP, postal: ProviderInfo
) -> None:
    resp = answer(
        fed_browser,
        saml_idp,
        make_portal(platform),
        mutate=changed(
            lambda xml: re.sub(
                r":Audience>http://testserver/[^<]+<", ":Audience>https://other-sp.example.vn<", xml
            )
        ),
    )
    refused_because(platform, resp, "rejected")


def test_saml_profiles_4_1_4_2_another_recipient_is_refused(
    fed_browser: TestClient, platform: Platform, saml_idp: SamlIdP, postal: ProviderInfo
) -> None:
    resp = answer(
        fed_browser,
        saml_idp,
        make_portal(platform),
        mutate=changed(
            lambda xml: xml.replace('Recipient="http://testserver/', 'Recipient="https://other.example.vn/')
        ),
    )
    refused_because(platform, resp, "Recipient")


def test_saml_bindings_3_5_5_2_another_destination_is_refused(
    fed_browser: TestClient, platform: Platform, saml_idp: SamlIdP, postal: ProviderInfo
) -> None:
    resp = answer(
        fed_browser,
        saml_idp,
        make_portal(platform),
        mutate=changed(
            lambda xml: xml.replace('Destination="http://testserver/', 'Destination="https://other.vn/')
        ),
    )
    refused_because(platform, resp, "rejected")


def test_saml_core_2_5_1_an_expired_assertion_is_refused(
    fed_browser: TestClient, platform: Platform, saml_idp: SamlIdP, postal: ProviderInfo
) -> None:
    resp = answer(fed_browser, saml_idp, make_portal(platform), mutate=shift_not_on_or_after(-10))
    refused_because(platform, resp, "rejected")


def test_saml_core_2_5_1_a_not_yet_valid_assertion_is_refused(
    fed_browser: TestClient, platform: Platform, saml_idp: SamlIdP, postal: ProviderInfo
) -> None:
    resp = answer(fed_browser, saml_idp, make_portal(platform), mutate=changed(not_before(30)))
    refused_because(platform, resp, "rejected")


def test_saml_profiles_4_1_4_3_another_in_response_to_is_refused(
    fed_browser: TestClient, platform: Platform, saml_idp: SamlIdP, postal: ProviderInfo
) -> None:
    resp = answer(fed_browser, saml_idp, make_portal(platform), in_response_to="_not-our-request")
    refused_because(platform, resp, "rejected")


def test_a_lower_authn_context_than_the_portal_asked_for_is_refused(
    fed_browser: TestClient,
    fed_op: OpenIDProvider,
    platform: Platform,
    saml_idp: SamlIdP,
    postal: ProviderInfo,
) -> None:
    make_citizen(fed_op, personal_id=PID, birth_date=date(1995, 3, 8), sex="F", loa=3)
    portal = make_portal(platform)
    url, _ = go_upstream(fed_browser, portal, acr_values="urn:nixa:loa:3")
    seen = saml_idp.read_authn_request(url)
    resp = post_to_acs(
        fed_browser,
        saml_idp.response(seen, subject="postal-user-1", attributes=ATTRS, class_ref=CLASS_LOW),
        seen.relay_state,
    )
    refused_because(platform, resp, "below the requested")
    assert 'data-error="federation.error.level"' in resp.text


def test_sp_metadata_names_our_acs_and_signing_key(fed_browser: TestClient, postal: ProviderInfo) -> None:
    xml = fed_browser.get("/federation/saml/postal/metadata").text
    assert 'entityID="http://testserver/federation/saml/postal/metadata"' in xml
    assert "http://testserver/federation/saml/postal/acs" in xml
    assert "X509Certificate" in xml
    assert fed_browser.get("/federation/saml/nothing/metadata").status_code == 404


def log_in_with_saml(browser: TestClient, op: OpenIDProvider, platform: Platform, saml_idp: SamlIdP) -> str:
    """A SAML login to the end; returns the SessionIndex the IdP gave."""
    make_citizen(op, personal_id=PID, birth_date=date(1995, 3, 8), sex="F")
    portal = make_portal(platform)
    url, _ = go_upstream(browser, portal)
    seen = saml_idp.read_authn_request(url)
    saml_response = saml_idp.response(seen, subject="postal-user-1", attributes=ATTRS)
    assert post_to_acs(browser, saml_response, seen.relay_state).status_code == 303
    import base64

    found = re.search(r'SessionIndex="([^"]+)"', base64.b64decode(saml_response).decode())
    assert found
    return found.group(1)


def session_ended(platform: Platform) -> bool:
    from idp.models import SsoSession

    with platform.db.session() as s:
        row = s.scalar(select(SsoSession))
        assert row is not None
        return row.ended_at is not None


def test_saml_profiles_4_4_idp_initiated_logout_ends_the_nixa_session(
    fed_browser: TestClient,
    fed_op: OpenIDProvider,
    platform: Platform,
    saml_idp: SamlIdP,
    postal: ProviderInfo,
) -> None:
    session_index = log_in_with_saml(fed_browser, fed_op, platform, saml_idp)
    slo = "http://testserver/federation/saml/postal/slo"
    unsigned = fed_browser.get(
        saml_idp.logout_request_url(slo, "postal-user-1", session_index, sign=False).removeprefix(
            "http://testserver"
        ),
        follow_redirects=False,
    )
    assert unsigned.status_code == 400 and not session_ended(platform), "an unsigned LogoutRequest is refused"
    url = saml_idp.logout_request_url(slo, "postal-user-1", session_index)
    resp = fed_browser.get(url.removeprefix("http://testserver"), follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"].startswith("http://idp.example.vn/slo?SAMLResponse="), (
        "answered to the IdP"
    )
    assert session_ended(platform)


def test_saml_profiles_4_4_nixa_logout_sends_a_signed_logout_request_upstream(
    fed_browser: TestClient,
    fed_op: OpenIDProvider,
    platform: Platform,
    saml_idp: SamlIdP,
    postal: ProviderInfo,
) -> None:
    log_in_with_saml(fed_browser, fed_op, platform, saml_idp)
    page = fed_browser.get("/logout")
    from tests.support.flows import csrf_of

    done = fed_browser.post("/logout", data={"csrf_token": csrf_of(page.text), "decision": "logout"})
    assert session_ended(platform)
    upstream = done.headers["refresh"].split("url=", 1)[1]
    assert upstream.startswith("http://idp.example.vn/slo?SAMLRequest=")
    name_id, back = saml_idp.answer_logout_request(upstream, "http://testserver/federation/saml/postal/slo")
    assert name_id == "postal-user-1", "the LogoutRequest names the person's NameID"
    final = fed_browser.get(back.removeprefix("http://testserver"), follow_redirects=False)
    assert final.status_code == 200 and 'id="logged-out"' in final.text


def test_saml_core_2_3_4_an_encrypted_assertion_is_decrypted_and_accepted(
    fed_browser: TestClient,
    fed_op: OpenIDProvider,
    platform: Platform,
    saml_idp: SamlIdP,
    postal: ProviderInfo,
) -> None:
    make_citizen(fed_op, personal_id=PID, birth_date=date(1995, 3, 8), sex="F")
    url, _ = go_upstream(fed_browser, make_portal(platform))
    seen = saml_idp.read_authn_request(url)
    saml_response = saml_idp.response(seen, subject="postal-user-1", attributes=ATTRS, encrypt=True)
    import base64

    xml = base64.b64decode(saml_response).decode()
    assert "EncryptedAssertion" in xml and PID not in xml, "the assertion travels encrypted"
    resp = post_to_acs(fed_browser, saml_response, seen.relay_state)
    assert resp.status_code == 303, resp.text[:300]
    with platform.db.session() as s:
        assert s.scalar(select(FederatedLink)) is not None, (
            "linked on the personal ID inside the encrypted assertion"
        )
