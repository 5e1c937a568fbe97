"""OpenID4VP 1.0 Section 8.6 / Appendix B.3: the vp_token checks that need a clock or a status list state."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.factories import Citizen
from tests.wallet.credentials import receive
from wallet.credential_extension import CredentialServices
from wallet.holder.issuance import CredentialReceiver
from wallet.sd_jwt import present
from wallet.sd_jwt.verification import unverified_jwt
from wallet.vci.metadata import IDENTITY_VCT
from wallet.vp.dcql import identity_query, parse_query
from wallet.vp.verification import verify_vp_token

AUD, NONCE = "x509_hash:test-verifier", "nonce-for-this-request"


@pytest.fixture
def credential(services: CredentialServices, phone: CredentialReceiver, verified: Citizen) -> str:
    return receive(services, phone, verified.id).credential


def _check(
    services: CredentialServices,
    phone: CredentialReceiver,
    credential: str,
    *,
    now: int,
    vct: str = IDENTITY_VCT,
    status: Any = 0,
) -> str:
    vp = present(
        credential,
        ["given_name"],
        key=phone.store.holder_key(),
        alg="ES256",
        audience=AUD,
        nonce=NONCE,
        iat=now,
    )

    def status_of(uri: str, idx: int) -> int:
        if isinstance(status, Exception):
            raise status
        return int(status)

    verdict = verify_vp_token(
        json.dumps({"identity": [vp]}),
        parse_query(identity_query(vct, ["given_name"])),
        keys=services.presentations.trusted_issuer_key,
        client_id=AUD,
        nonce=NONCE,
        now=now,
        max_age=300,
        status_of=status_of,
    )
    return verdict.verdict


def test_openid4vp_valid_presentation(
    services: CredentialServices, phone: CredentialReceiver, credential: str
) -> None:
    now = unverified_jwt(credential.split("~")[0])[1]["iat"]
    assert _check(services, phone, credential, now=now) == "valid"


def test_sd_jwt_vc_expired_credential_is_refused(
    services: CredentialServices, phone: CredentialReceiver, credential: str
) -> None:
    exp = unverified_jwt(credential.split("~")[0])[1]["exp"]
    assert _check(services, phone, credential, now=exp + 1) == "expired"


def test_sd_jwt_vc_other_type_is_refused(
    services: CredentialServices, phone: CredentialReceiver, credential: str
) -> None:
    now = unverified_jwt(credential.split("~")[0])[1]["iat"]
    assert _check(services, phone, credential, now=now, vct="urn:other:vct") == "wrong_type"


@pytest.mark.parametrize(
    ("status", "verdict"), [(1, "revoked"), (2, "suspended"), (LookupError("offline"), "status_unavailable")]
)
def test_status_list_7_1_invalid_suspended_or_unknown_status_is_refused(
    status: Any, verdict: str, services: CredentialServices, phone: CredentialReceiver, credential: str
) -> None:
    now = unverified_jwt(credential.split("~")[0])[1]["iat"]
    assert _check(services, phone, credential, now=now, status=status) == verdict


def test_openid4vp_8_1_missing_or_extra_presentations_are_refused(
    services: CredentialServices, phone: CredentialReceiver, credential: str
) -> None:
    query = parse_query(identity_query(IDENTITY_VCT, ["given_name"]))
    args: dict[str, Any] = {
        "keys": services.presentations.trusted_issuer_key,
        "client_id": AUD,
        "nonce": NONCE,
        "now": 0,
        "max_age": 300,
        "status_of": lambda uri, idx: 0,
    }
    assert verify_vp_token("{}", query, **args).verdict == "missing_credential"
    assert (
        verify_vp_token(json.dumps({"identity": ["a", "b"]}), query, **args).verdict == "missing_credential"
    )
    assert verify_vp_token("not json", query, **args).verdict == "malformed"


def test_openid4vp_6_3_verifier_refuses_a_claim_outside_the_asked_values(
    services: CredentialServices, phone: CredentialReceiver, credential: str
) -> None:
    now = unverified_jwt(credential.split("~")[0])[1]["iat"]
    vp = present(
        credential,
        ["given_name"],
        key=phone.store.holder_key(),
        alg="ES256",
        audience=AUD,
        nonce=NONCE,
        iat=now,
    )
    raw = identity_query(IDENTITY_VCT, ["given_name"])
    raw["credentials"][0]["claims"][0]["values"] = ["Bình"]
    verdict = verify_vp_token(
        json.dumps({"identity": [vp]}),
        parse_query(raw),
        keys=services.presentations.trusted_issuer_key,
        client_id=AUD,
        nonce=NONCE,
        now=now,
        max_age=300,
        status_of=lambda uri, idx: 0,
    )
    assert verdict.verdict == "missing_claims"
