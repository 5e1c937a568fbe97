"""Trust marks, OpenID Federation 1.0 Section 7, and their status (8.4): NIXA requires a portal trust mark
issued by an issuer its trust anchor recognises, valid and not revoked."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from federation.openid_federation.config import FederationSettings
from federation.openid_federation.errors import FederationError
from federation.openid_federation.statements import parse, verify
from idp.errors import InvalidClient
from tests.conftest import ISSUER
from tests.federation.openid_federation.conftest import Federation
from tests.federation.openid_federation.peers import sign

MARK = f"{ISSUER}/federation/ta/trust-marks/portal"
ACCREDITED = "https://trustmarks.gov.vn/accredited"
ACCREDITOR = "accreditor"


@pytest.fixture
def fed_settings(peer_server) -> FederationSettings:
    # An independent accreditation body on the peer server is recognised by the anchor for one type.
    return FederationSettings(
        required_trust_marks=[MARK], trust_mark_issuers={ACCREDITED: [peer_server.entity_id(ACCREDITOR)]}
    )


def admit(federation: Federation, platform):
    with platform.db.session() as s:
        return federation.fed.admission.resolve(s, federation.portal.entity_id, None)


def give_mark(federation: Federation) -> str:
    view = federation.fed.service.issue_trust_mark(
        subject=federation.portal.entity_id, trust_mark_type=MARK, actor="test"
    )
    federation.portal.trust_marks = [
        {"trust_mark_type": MARK, "trust_mark": federation.fed.service.trust_mark_token(view.id)}
    ]
    return view.id


def test_7_3_a_portal_with_a_valid_trust_mark_is_admitted(federation: Federation, platform):
    give_mark(federation)
    client = admit(federation, platform)
    assert client is not None and client.client_id == federation.portal.entity_id


def test_7_3_a_portal_without_the_required_trust_mark_is_refused(federation: Federation, platform):
    with pytest.raises(InvalidClient, match="lacks a trust mark"):
        admit(federation, platform)


def test_8_4_a_revoked_trust_mark_is_refused(federation: Federation, platform):
    mark_id = give_mark(federation)
    assert federation.fed.service.revoke_trust_mark(mark_id, actor="test")
    with pytest.raises(InvalidClient, match="revoked"):
        admit(federation, platform)


def test_7_3_a_trust_mark_from_an_issuer_the_anchor_does_not_name_is_refused(
    federation: Federation, platform
):
    now = int(time.time())
    forged = sign(
        {
            "iss": federation.province.entity_id,
            "sub": federation.portal.entity_id,
            "trust_mark_type": MARK,
            "iat": now,
            "exp": now + 600,
        },
        federation.province.key,
        typ="trust-mark+jwt",
    )
    federation.portal.trust_marks = [{"trust_mark_type": MARK, "trust_mark": forged}]
    with pytest.raises(InvalidClient, match="not recognised"):
        admit(federation, platform)


def test_7_3_a_trust_mark_for_another_subject_is_refused(federation: Federation, platform):
    view = federation.fed.service.issue_trust_mark(
        subject=federation.province.entity_id, trust_mark_type=MARK, actor="t"
    )
    token = federation.fed.service.trust_mark_token(view.id)
    federation.portal.trust_marks = [{"trust_mark_type": MARK, "trust_mark": token}]
    with pytest.raises(FederationError, match="another entity"):
        federation.fed.marks.require(
            federation.fed.resolver.resolve(federation.portal.entity_id), [MARK], int(time.time())
        )


def test_8_4_the_status_endpoint_answers_active_revoked_and_invalid(
    fed_client: TestClient, federation: Federation
):
    mark_id = give_mark(federation)
    token = federation.fed.service.trust_mark_token(mark_id)
    endpoint = "/federation/ta/trust_mark_status"

    def status(mark: str) -> str:
        resp = fed_client.post(endpoint, data={"trust_mark": mark})
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("application/trust-mark-status-response+jwt")
        answer = parse(resp.text, typ="trust-mark-status-response+jwt", require_sub=False)
        verify(answer, federation.fed.trust_anchors()[federation.ta_id], now=int(time.time()))
        assert answer.claims["trust_mark"] == mark
        return str(answer.claims["status"])

    assert status(token) == "active"
    federation.fed.service.revoke_trust_mark(mark_id, actor="test")
    assert status(token) == "revoked"
    assert status(token[:-4] + "AAAA") == "invalid"
    assert fed_client.post(endpoint, data={}).json()["error"] == "invalid_request"


def test_3_1_3_the_anchor_names_itself_issuer_of_its_trust_mark_types(
    fed_client: TestClient, federation: Federation
):
    claims = parse(fed_client.get("/federation/ta/.well-known/openid-federation").text).claims
    assert claims["trust_mark_issuers"][MARK] == [federation.ta_id]


def accredit(federation: Federation):
    """The accreditation body, a subordinate of the ministry, gives the portal its mark as well."""
    body = federation.peers.add(ACCREDITOR, authority_hints=[federation.ministry_id])
    federation.fed.service.enrol(
        superior="bo-tai-chinh",
        entity_id=body.entity_id,
        jwks=body.jwks,
        actor="test",
        entity_types=["federation_entity"],
    )
    token = body.issue_trust_mark(federation.portal.entity_id, ACCREDITED)
    federation.portal.trust_marks.append({"trust_mark_type": ACCREDITED, "trust_mark": token})
    return body, token


def test_8_4_a_trust_mark_of_another_issuer_is_checked_at_its_status_endpoint(federation: Federation):
    give_mark(federation)
    body, token = accredit(federation)
    chain = federation.fed.resolver.resolve(federation.portal.entity_id)
    now = int(time.time())
    held = federation.fed.marks.require(chain, [MARK, ACCREDITED], now)
    assert [m.issuer for m in held] == [federation.ta_id, body.entity_id]
    assert f"/{ACCREDITOR}/trust_mark_status" in federation.peers.requests
    body.revoked.add(token)
    with pytest.raises(FederationError, match="revoked"):
        federation.fed.marks.require(chain, [ACCREDITED], now)
    assert [m.trust_mark_type for m in federation.fed.marks.verified(chain, now)] == [MARK]
