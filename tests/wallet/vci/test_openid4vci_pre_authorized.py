"""OpenID4VCI 1.0: metadata, the pre-authorized code flow, the Nonce Endpoint and the Credential Endpoint."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from joserfc.jwk import ECKey

from idp.provider import OpenIDProvider
from tests.conftest import ISSUER
from tests.support.factories import Citizen, make_citizen
from tests.wallet.credentials import make_offer, receive
from wallet.credential_extension import CredentialServices
from wallet.holder.issuance import CredentialReceiver, IssuanceError
from wallet.sd_jwt import verify_sd_jwt
from wallet.vci.metadata import IDENTITY_CONFIGURATION, PRE_AUTHORIZED_GRANT
from wallet.vci.offers import NotEligible
from wallet.vp.issuer_keys import IssuerKeys


def _token(api: TestClient, code: str, tx_code: str | None) -> Any:
    data = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}
    if tx_code is not None:
        data["tx_code"] = tx_code
    return api.post("/token", data=data)


def _code(offer: Any) -> str:
    return str(offer.offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"])


def _credential_request(api: TestClient, token: str, proof: Any, **extra: Any) -> Any:
    body = {"credential_configuration_id": IDENTITY_CONFIGURATION, "proofs": {"jwt": [proof]}, **extra}
    return api.post("/credential", json=body, headers={"Authorization": f"Bearer {token}"})


def _access_token(api: TestClient, services: CredentialServices, identity_id: str) -> str:
    offer = make_offer(services, identity_id)
    return str(_token(api, _code(offer), offer.tx_code).json()["access_token"])


def test_openid4vci_12_2_credential_issuer_metadata(api: TestClient) -> None:
    meta = api.get("/.well-known/openid-credential-issuer").json()
    assert meta["credential_issuer"] == ISSUER
    assert meta["nonce_endpoint"] == f"{ISSUER}/nonce"
    config = meta["credential_configurations_supported"][IDENTITY_CONFIGURATION]
    assert config["format"] == "dc+sd-jwt" and config["vct"] == "urn:nixa:vct:identity"
    assert config["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"]
    as_meta = api.get("/.well-known/oauth-authorization-server").json()
    assert PRE_AUTHORIZED_GRANT in as_meta["grant_types_supported"]
    assert as_meta["pre-authorized_grant_anonymous_access_supported"] is True
    assert api.get("/.well-known/jwt-vc-issuer").json()["jwks_uri"] == f"{ISSUER}/jwks"


def test_openid4vci_7_nonce_endpoint_is_uncacheable_and_fresh(api: TestClient) -> None:
    first, second = api.post("/nonce"), api.post("/nonce")
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    assert first.json()["c_nonce"] != second.json()["c_nonce"]


def test_openid4vci_6_1_offer_to_credential_with_every_claim_disclosable(
    services: CredentialServices, phone: CredentialReceiver, verified: Citizen, api: TestClient
) -> None:
    stored = receive(services, phone, verified.id)
    parts = stored.credential.split("~")
    assert len(parts) > 5 and parts[-1] == "", "issuer JWT, one disclosure per claim, no KB-JWT"
    result = verify_sd_jwt(stored.credential, IssuerKeys(api, [ISSUER]), typ="dc+sd-jwt")
    claims = result.claims
    assert claims["personal_id"] == verified.personal_id
    assert claims["name"] == "Nguyễn Văn An" and claims["birthdate"] == "1990-05-17"
    assert claims["address"] == {"formatted": "12 Tràng Tiền, Hoàn Kiếm, Hà Nội"}
    assert claims["age_over_18"] is True
    assert set(result.disclosed) >= {"personal_id", "name", "birthdate", "address", "gender"}
    # SD-JWT VC Section 3.2.2.2: these stay visible, never selectively disclosed.
    assert set(result.disclosed).isdisjoint({"iss", "vct", "cnf", "status", "exp"})
    assert claims["cnf"]["jwk"]["x"] == phone.store.holder_key().as_dict(private=False)["x"]
    assert claims["status"]["status_list"]["uri"].startswith(f"{ISSUER}/status-lists/")


def test_openid4vci_6_1_pre_authorized_code_is_single_use(
    services: CredentialServices, verified: Citizen, api: TestClient
) -> None:
    offer = make_offer(services, verified.id)
    assert _token(api, _code(offer), offer.tx_code).status_code == 200
    again = _token(api, _code(offer), offer.tx_code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_openid4vci_6_1_wrong_tx_code_is_invalid_grant_and_voids_the_offer(
    services: CredentialServices, verified: Citizen, api: TestClient
) -> None:
    offer = make_offer(services, verified.id)
    wrong = (
        "0" * len(offer.tx_code) if offer.tx_code != "0" * len(offer.tx_code) else "1" * len(offer.tx_code)
    )
    missing = _token(api, _code(offer), None)
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    for _ in range(services.settings.tx_code_max_failures):
        assert _token(api, _code(offer), wrong).json()["error"] == "invalid_grant"
    # Too many wrong tries: even the right code no longer works.
    assert _token(api, _code(offer), offer.tx_code).json()["error"] == "invalid_grant"


def test_openid4vci_offers_only_for_verified_identities(
    services: CredentialServices, op: OpenIDProvider
) -> None:
    self_registered = make_citizen(op, loa=1)
    with pytest.raises(NotEligible):
        make_offer(services, self_registered.id)


def test_openid4vci_8_3_missing_proof_is_invalid_proof(
    services: CredentialServices, verified: Citizen, api: TestClient
) -> None:
    token = _access_token(api, services, verified.id)
    resp = api.post(
        "/credential",
        json={"credential_configuration_id": IDENTITY_CONFIGURATION},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_proof"


def test_openid4vci_f_4_proof_signed_by_another_key_is_invalid_proof(
    services: CredentialServices, phone: CredentialReceiver, verified: Citizen, api: TestClient
) -> None:
    token = _access_token(api, services, verified.id)
    proof = phone.proof(ISSUER, phone.nonce(phone.issuer_metadata(ISSUER)))
    header, payload, _sig = proof.split(".")
    other = CredentialReceiver(phone.store.__class__(phone.store.folder.parent / "other"), api)
    other_sig = other.proof(ISSUER, "x").split(".")[2]
    resp = _credential_request(api, token, f"{header}.{payload}.{other_sig}")
    assert resp.json()["error"] == "invalid_proof"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"aud": "https://other-issuer.example"}, "invalid_proof"),
        ({"iat": int(time.time()) - 3600}, "invalid_proof"),
        ({"typ": "JWT"}, "invalid_proof"),
        ({"nonce": "never-issued"}, "invalid_nonce"),
        ({"nonce": None}, "invalid_nonce"),
        # Appendix F.1: no iss with anonymous pre-authorized access.
        ({"iss": "some-wallet"}, "invalid_proof"),
    ],
)
def test_openid4vci_f_4_proof_claims_are_checked(
    change: dict[str, Any],
    error: str,
    services: CredentialServices,
    phone: CredentialReceiver,
    verified: Citizen,
    api: TestClient,
) -> None:
    from joserfc import jwt

    token = _access_token(api, services, verified.id)
    key: ECKey = phone.store.holder_key()
    claims: dict[str, Any] = {
        "aud": ISSUER,
        "iat": int(time.time()),
        "nonce": phone.nonce(phone.issuer_metadata(ISSUER)),
    }
    typ = change.pop("typ", "openid4vci-proof+jwt")
    claims.update(change)
    claims = {k: v for k, v in claims.items() if v is not None}
    proof = jwt.encode({"alg": "ES256", "typ": typ, "jwk": key.as_dict(private=False)}, claims, key)
    resp = _credential_request(api, token, proof)
    assert resp.status_code == 400 and resp.json()["error"] == error


def test_openid4vci_7_replayed_nonce_is_invalid_nonce(
    services: CredentialServices, phone: CredentialReceiver, verified: Citizen, api: TestClient
) -> None:
    proof = phone.proof(ISSUER, phone.nonce(phone.issuer_metadata(ISSUER)))
    first = _credential_request(api, _access_token(api, services, verified.id), proof)
    assert first.status_code == 200
    replay = _credential_request(api, _access_token(api, services, verified.id), proof)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_nonce"


def test_openid4vci_f_1_private_key_in_the_proof_header_is_refused(
    services: CredentialServices, phone: CredentialReceiver, verified: Citizen, api: TestClient
) -> None:
    from joserfc import jwt

    key = phone.store.holder_key()
    claims = {"aud": ISSUER, "iat": int(time.time()), "nonce": phone.nonce(phone.issuer_metadata(ISSUER))}
    proof = jwt.encode(
        {"alg": "ES256", "typ": "openid4vci-proof+jwt", "jwk": key.as_dict(private=True)}, claims, key
    )
    resp = _credential_request(api, _access_token(api, services, verified.id), proof)
    assert resp.json()["error"] == "invalid_proof"


def test_openid4vci_8_2_unknown_configuration_and_identifier(
    services: CredentialServices, phone: CredentialReceiver, verified: Citizen, api: TestClient
) -> None:
    token = _access_token(api, services, verified.id)
    headers = {"Authorization": f"Bearer {token}"}
    unknown = api.post(
        "/credential",
        json={"credential_configuration_id": "x", "proofs": {"jwt": ["a.b.c"]}},
        headers=headers,
    )
    assert unknown.json()["error"] == "unknown_credential_configuration"
    by_id = api.post(
        "/credential", json={"credential_identifier": "x", "proofs": {"jwt": ["a.b.c"]}}, headers=headers
    )
    assert by_id.json()["error"] == "unknown_credential_identifier"
    not_json = api.post("/credential", content=b"{", headers={**headers, "Content-Type": "application/json"})
    assert not_json.json()["error"] == "invalid_credential_request"


def test_rfc6750_credential_endpoint_needs_a_valid_access_token(api: TestClient) -> None:
    none = api.post("/credential", json={})
    assert none.status_code == 401 and none.headers["www-authenticate"].startswith("Bearer")
    bad = api.post("/credential", json={}, headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_token"


def test_holder_refuses_an_offer_without_its_tx_code(
    services: CredentialServices, phone: CredentialReceiver, verified: Citizen
) -> None:
    offer = make_offer(services, verified.id)
    with pytest.raises(IssuanceError) as exc:
        phone.accept_offer(offer.uri, None)
    assert exc.value.error == "tx_code_required"


def test_openid4vci_f_1_ed25519_holder_key_is_bound_and_presented(
    services: CredentialServices, phone: CredentialReceiver, verified: Citizen, api: TestClient
) -> None:
    from joserfc import jwt
    from joserfc.jwk import OKPKey

    from wallet.sd_jwt import present, verify_presentation

    key = OKPKey.generate_key("Ed25519", private=True)
    claims = {"aud": ISSUER, "iat": int(time.time()), "nonce": phone.nonce(phone.issuer_metadata(ISSUER))}
    header = {"alg": "EdDSA", "typ": "openid4vci-proof+jwt", "jwk": key.as_dict(private=False)}
    proof = jwt.encode(header, claims, key, algorithms=["EdDSA"])
    resp = _credential_request(api, _access_token(api, services, verified.id), proof)
    assert resp.status_code == 200, resp.text
    credential = resp.json()["credentials"][0]["credential"]
    vp = present(credential, ["given_name"], key=key, alg="EdDSA", audience="x509_hash:v", nonce="n")
    verified_vp = verify_presentation(
        vp, IssuerKeys(api, [ISSUER]), audience="x509_hash:v", nonce="n", now=int(time.time())
    )
    assert verified_vp.claims["cnf"]["jwk"]["crv"] == "Ed25519" and verified_vp.claims["given_name"] == "An"
