"""OpenID4VP 1.0: NIXA asks with DCQL by request_uri, the reference wallet answers by direct_post."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ISSUER
from tests.support.factories import Citizen, PortalInfo
from tests.support.tokens import b64url
from tests.wallet.credentials import ask, receive, result
from wallet.credential_extension import CredentialServices
from wallet.holder.issuance import CredentialReceiver
from wallet.holder.presentation import PendingPresentation, PresentationError, Presenter
from wallet.sd_jwt.disclosures import make_disclosure
from wallet.sd_jwt.verification import unverified_jwt
from wallet.vci.metadata import IDENTITY_VCT
from wallet.vp.dcql import identity_query
from wallet.vp.verifier_key import x509_hash


@pytest.fixture
def holder(phone: CredentialReceiver, services: CredentialServices, verified: Citizen) -> Presenter:
    receive(services, phone, verified.id)
    return Presenter(phone.store, phone.http)


def test_openid4vp_partial_disclosure_is_verified_end_to_end(
    api: TestClient, portal: PortalInfo, holder: Presenter, verified: Citizen
) -> None:
    asked = ask(api, portal, ["given_name", "age_over_18"])
    assert asked["wallet_uri"].startswith("openid4vp://?client_id=x509_hash%3A")
    assert result(api, asked)["status"] == "pending"
    pending = holder.fetch(asked["wallet_uri"])
    assert pending.requested_claims == ["given_name", "age_over_18"]
    assert portal.client_id in pending.verifier_name
    sent = holder.respond(pending)
    assert sent.status_code == 200, sent.text
    outcome = result(api, asked)
    assert outcome == {"status": "valid", "claims": {"identity": {"given_name": "An", "age_over_18": True}}}


def test_openid4vp_5_10_request_object_is_signed_for_the_x509_hash_client_id(
    api: TestClient, portal: PortalInfo
) -> None:
    asked = ask(api, portal, ["birthdate"])
    resp = api.get(asked["request_uri"])
    assert resp.headers["content-type"].startswith("application/oauth-authz-req+jwt")
    header, claims = unverified_jwt(resp.text)
    import base64

    assert claims["client_id"] == "x509_hash:" + x509_hash(base64.b64decode(header["x5c"][0]))
    assert claims["response_mode"] == "direct_post" and claims["response_uri"] == f"{ISSUER}/vp/response"
    assert claims["aud"] == "https://self-issued.me/v2"
    assert claims["dcql_query"]["credentials"][0]["claims"] == [{"path": ["birthdate"]}]
    assert len(claims["nonce"]) >= 22 and claims["state"]


def _tampered_pending(pending: PendingPresentation, **change: str) -> PendingPresentation:
    return PendingPresentation(**{**pending.__dict__, **change})


@pytest.mark.parametrize(
    ("change", "verdict"),
    [({"nonce": "other"}, "wrong_nonce"), ({"client_id": "x509_hash:AAAA"}, "wrong_audience")],
)
def test_openid4vp_b_3_6_key_binding_for_another_nonce_or_verifier_is_refused(
    change: dict[str, str], verdict: str, api: TestClient, portal: PortalInfo, holder: Presenter
) -> None:
    asked = ask(api, portal, ["given_name"])
    pending = holder.fetch(asked["wallet_uri"])
    sent = holder.respond(_tampered_pending(pending, **change))
    assert sent.status_code == 400 and sent.json()["error"] == "invalid_request"
    assert result(api, asked) == {"status": verdict, "claims": None}


def test_openid4vp_presentation_replayed_to_another_request_is_refused(
    api: TestClient, portal: PortalInfo, holder: Presenter
) -> None:
    first = holder.fetch(ask(api, portal, ["given_name"])["wallet_uri"])
    second_asked = ask(api, portal, ["given_name"])
    second = holder.fetch(second_asked["wallet_uri"])
    # A presentation made for the first request, sent with the second request's state.
    sent = holder.respond(_tampered_pending(first, state=second.state))
    assert sent.status_code == 400
    assert result(api, second_asked)["status"] == "wrong_nonce"


def test_openid4vp_a_request_is_answered_only_once(
    api: TestClient, portal: PortalInfo, holder: Presenter
) -> None:
    asked = ask(api, portal, ["given_name"])
    pending = holder.fetch(asked["wallet_uri"])
    assert holder.respond(pending).status_code == 200
    again = holder.respond(pending)
    assert again.status_code == 400 and again.json()["error"] == "invalid_request"
    assert api.get(asked["request_uri"]).status_code == 404, "an answered request is no longer served"


def test_openid4vp_revoked_credential_is_refused(
    api: TestClient, portal: PortalInfo, holder: Presenter, services: CredentialServices, verified: Citizen
) -> None:
    with services.platform.db.session() as s:
        (credential,) = services.revocation.list_for(s, verified.id)
        services.revocation.revoke(s, credential.id, actor="operator:test", reason="lost_device")
    asked = ask(api, portal, ["given_name"])
    assert holder.respond(holder.fetch(asked["wallet_uri"])).status_code == 400
    assert result(api, asked)["status"] == "revoked"


def test_rfc9901_7_1_tampered_disclosure_in_a_presentation_is_refused(
    api: TestClient, portal: PortalInfo, holder: Presenter
) -> None:
    asked = ask(api, portal, ["given_name"])
    pending = holder.fetch(asked["wallet_uri"])
    stored = pending.matches[0].credential
    forged = make_disclosure("given_name", "Bình").encoded
    parts = stored.credential.split("~")
    index = next(i for i, p in enumerate(parts[1:-1], 1) if "given_name" in _decoded(p))
    parts[index] = forged
    stored.credential = "~".join(parts)
    assert holder.respond(pending).status_code == 400
    assert result(api, asked)["status"] == "unreferenced_disclosure"


def _decoded(disclosure: str) -> str:
    import base64

    return base64.urlsafe_b64decode(disclosure + "=" * (-len(disclosure) % 4)).decode()


def test_openid4vp_missing_requested_claim_is_refused(
    api: TestClient, portal: PortalInfo, holder: Presenter
) -> None:
    asked = ask(api, portal, ["given_name", "birthdate"])
    pending = holder.fetch(asked["wallet_uri"])
    pending.matches[0].claims = ["given_name"]
    assert holder.respond(pending).status_code == 400
    assert result(api, asked)["status"] == "missing_claims"


def test_openid4vp_8_5_declined_by_the_holder(api: TestClient, portal: PortalInfo, holder: Presenter) -> None:
    asked = ask(api, portal, ["given_name"])
    holder.respond(holder.fetch(asked["wallet_uri"]), approve=False)
    assert result(api, asked)["status"] == "declined"


def test_openid4vp_5_9_3_wallet_refuses_a_request_whose_certificate_is_not_the_client_id(
    api: TestClient, portal: PortalInfo, holder: Presenter
) -> None:
    asked = ask(api, portal, ["given_name"])
    forged_uri = asked["wallet_uri"].replace("x509_hash%3A", "x509_hash%3A" + b64url(b"x" * 32)[:8], 1)
    with pytest.raises(PresentationError) as exc:
        holder.fetch(forged_uri)
    assert exc.value.reason in {"certificate_mismatch", "client_id_mismatch"}


def test_portal_api_needs_client_authentication_and_the_result_token(
    api: TestClient, portal: PortalInfo
) -> None:
    query = json.dumps(identity_query(IDENTITY_VCT, ["given_name"]))
    anonymous = api.post("/vp/presentations", data={"dcql_query": query})
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "invalid_client"
    asked = ask(api, portal, ["given_name"])
    wrong = api.get(f"/vp/presentations/{asked['id']}", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    bad_query = api.post(
        "/vp/presentations",
        data={"dcql_query": json.dumps({"credentials": [{"id": "x", "format": "mso_mdoc"}]})},
        auth=(portal.client_id, portal.client_secret or ""),
    )
    assert bad_query.status_code == 400 and bad_query.json()["error"] == "invalid_request"


def test_openid4vp_6_3_claim_values_are_matched(
    api: TestClient, portal: PortalInfo, holder: Presenter
) -> None:
    def query(value: Any) -> str:
        q = identity_query(IDENTITY_VCT, ["age_over_18"])
        q["credentials"][0]["claims"][0]["values"] = [value]
        return json.dumps(q)

    auth = (portal.client_id, portal.client_secret or "")
    adult = api.post("/vp/presentations", data={"dcql_query": query(True)}, auth=auth).json()
    assert holder.respond(holder.fetch(adult["wallet_uri"])).status_code == 200
    assert result(api, adult)["claims"] == {"identity": {"age_over_18": True}}
    minor = api.post("/vp/presentations", data={"dcql_query": query(False)}, auth=auth).json()
    with pytest.raises(PresentationError) as exc:
        holder.fetch(minor["wallet_uri"])
    assert exc.value.reason == "no_matching_credential", (
        "the wallet has nothing that matches: it sends nothing"
    )
