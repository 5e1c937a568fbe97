"""RFC 9901 (SD-JWT): issuance, selective presentation and verification, section by section."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from joserfc.jwk import ECKey

from wallet.sd_jwt import SdJwtError, issue_sd_jwt, present, verify_presentation, verify_sd_jwt
from wallet.sd_jwt.disclosures import b64url_decode, b64url_encode, digest, make_disclosure
from wallet.sd_jwt.parsing import split
from wallet.sd_jwt.presentation import key_binding_jwt, select
from wallet.sd_jwt.verification import PublicKey

AUD = "https://verifier.example.vn"
NONCE = "n-0S6_WzA2Mj"
PERSON = {
    "given_name": "An",
    "family_name": "Nguyễn",
    "birthdate": "1990-01-01",
    "personal_id": "001090000001",
}


@pytest.fixture(scope="module")
def issuer_key() -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": "issuer-1"}, private=True)


@pytest.fixture(scope="module")
def holder() -> ECKey:
    return ECKey.generate_key("P-256", private=True)


def resolver(key: ECKey) -> Any:
    def resolve(header: dict[str, Any], payload: dict[str, Any]) -> PublicKey:
        return key

    return resolve


@pytest.fixture
def sd_jwt(issuer_key: ECKey, holder: ECKey) -> str:
    return issue_sd_jwt(
        key=issuer_key,
        alg="ES256",
        typ="dc+sd-jwt",
        always_visible={"iss": "https://nixa.example.vn", "cnf": {"jwk": holder.as_dict(private=False)}},
        selectively_disclosable=PERSON,
    )


def payload_of(token: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(b64url_decode(token.split("~")[0].split(".")[1]))
    return result


def test_rfc9901_4_2_every_claim_is_hidden_behind_a_digest_with_decoys(sd_jwt: str) -> None:
    payload = payload_of(sd_jwt)
    assert not set(PERSON) & set(payload)
    assert payload["_sd_alg"] == "sha-256"
    disclosures = split(sd_jwt).disclosures
    assert {d.digest for d in disclosures} < set(payload["_sd"])
    assert len(payload["_sd"]) >= len(PERSON) + 2, "decoys hide how many claims there are"
    assert payload["_sd"] == sorted(payload["_sd"])


def test_rfc9901_4_2_3_digest_is_sha256_of_the_ascii_disclosure() -> None:
    # The example of RFC 9901 Section 4.2.1 (salt, family_name, Möbius).
    encoded = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
    assert digest(encoded) == "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"


def test_rfc9901_7_1_all_disclosures_are_replaced_into_the_payload(sd_jwt: str, issuer_key: ECKey) -> None:
    verified = verify_sd_jwt(sd_jwt, resolver(issuer_key), typ="dc+sd-jwt")
    assert {k: verified.claims[k] for k in PERSON} == PERSON
    assert "_sd" not in verified.claims and "_sd_alg" not in verified.claims
    assert sorted(verified.disclosed) == sorted(PERSON)


def test_rfc9901_7_3_partial_presentation_with_key_binding(
    sd_jwt: str, issuer_key: ECKey, holder: ECKey
) -> None:
    vp = present(sd_jwt, ["given_name", "birthdate"], key=holder, alg="ES256", audience=AUD, nonce=NONCE)
    verified = verify_presentation(vp, resolver(issuer_key), audience=AUD, nonce=NONCE, now=int(time.time()))
    assert verified.claims["given_name"] == "An" and verified.claims["birthdate"] == "1990-01-01"
    assert "personal_id" not in verified.claims and "family_name" not in verified.claims
    assert verified.key_binding is not None and verified.key_binding["aud"] == AUD


def test_rfc9901_7_1_tampered_disclosure_is_refused(sd_jwt: str, issuer_key: ECKey) -> None:
    parts = sd_jwt.split("~")
    forged = make_disclosure("personal_id", "079195000002").encoded
    swapped = "~".join([parts[0], forged, *parts[2:]])
    with pytest.raises(SdJwtError) as exc:
        verify_sd_jwt(swapped, resolver(issuer_key))
    assert exc.value.reason == "unreferenced_disclosure"


def test_rfc9901_7_1_tampered_issuer_signature_is_refused(sd_jwt: str, issuer_key: ECKey) -> None:
    jwt_part, rest = sd_jwt.split("~", 1)
    header, _payload, sig = jwt_part.split(".")
    body = payload_of(sd_jwt)
    body["iss"] = "https://evil.example"
    forged = ".".join([header, b64url_encode(json.dumps(body).encode()), sig])
    with pytest.raises(SdJwtError) as exc:
        verify_sd_jwt(forged + "~" + rest, resolver(issuer_key))
    assert exc.value.reason == "invalid_signature"


def test_rfc9901_7_1_other_issuer_key_is_refused(sd_jwt: str) -> None:
    with pytest.raises(SdJwtError):
        verify_sd_jwt(sd_jwt, resolver(ECKey.generate_key("P-256", private=True)))


def test_rfc9901_7_1_repeated_disclosure_is_refused(sd_jwt: str, issuer_key: ECKey) -> None:
    first = sd_jwt.split("~")[1]
    with pytest.raises(SdJwtError) as exc:
        verify_sd_jwt(sd_jwt + first + "~", resolver(issuer_key))
    assert exc.value.reason == "duplicate_disclosure"


def test_rfc9901_7_1_repeated_digest_is_refused(issuer_key: ECKey) -> None:
    d = make_disclosure("given_name", "An")
    token = issue_sd_jwt(
        key=issuer_key,
        alg="ES256",
        typ="dc+sd-jwt",
        always_visible={"nested": {"_sd": [d.digest]}},
        selectively_disclosable={},
    )
    payload = payload_of(token)
    assert payload["nested"]["_sd"] == [d.digest]
    # The same digest used twice in one payload (here signed by the issuer key itself).
    doubled = issue_sd_jwt(
        key=issuer_key,
        alg="ES256",
        typ="dc+sd-jwt",
        always_visible={"a": {"_sd": [d.digest]}, "b": {"_sd": [d.digest]}},
        selectively_disclosable={},
    )
    with pytest.raises(SdJwtError) as exc:
        verify_sd_jwt(doubled + d.encoded + "~", resolver(issuer_key))
    assert exc.value.reason == "duplicate_digest"


def test_rfc9901_7_1_disclosed_name_clashing_with_a_visible_claim_is_refused(issuer_key: ECKey) -> None:
    d = make_disclosure("iss", "https://evil.example")
    token = issue_sd_jwt(
        key=issuer_key,
        alg="ES256",
        typ="dc+sd-jwt",
        always_visible={"iss": "https://nixa.example.vn", "inner": {"iss": "x", "_sd": [d.digest]}},
        selectively_disclosable={},
    )
    with pytest.raises(SdJwtError) as exc:
        verify_sd_jwt(token + d.encoded + "~", resolver(issuer_key))
    assert exc.value.reason == "claim_clash"


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "~",
        "a.b~",
        "e30.e30.sig~!!!~",
        "e30.e30.sig~WyJhIl0~",
        "e30.e30.sig~" + b64url_encode(b"{}") + "~",
    ],
)
def test_rfc9901_7_1_malformed_input_is_refused(garbage: str, issuer_key: ECKey) -> None:
    with pytest.raises(SdJwtError):
        verify_sd_jwt(garbage, resolver(issuer_key))


def test_rfc9901_7_3_missing_key_binding_is_refused(sd_jwt: str, issuer_key: ECKey) -> None:
    with pytest.raises(SdJwtError) as exc:
        verify_presentation(
            select(sd_jwt, ["given_name"]),
            resolver(issuer_key),
            audience=AUD,
            nonce=NONCE,
            now=int(time.time()),
        )
    assert exc.value.reason == "missing_key_binding"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"nonce": "other-nonce"}, "wrong_nonce"),
        ({"audience": "https://other.example"}, "wrong_audience"),
        ({"iat": int(time.time()) - 3600}, "stale_key_binding"),
    ],
)
def test_rfc9901_7_3_key_binding_for_another_nonce_audience_or_time_is_refused(
    change: dict[str, Any], reason: str, sd_jwt: str, issuer_key: ECKey, holder: ECKey
) -> None:
    args: dict[str, Any] = {"audience": AUD, "nonce": NONCE, **change}
    vp = present(sd_jwt, ["given_name"], key=holder, alg="ES256", **args)
    with pytest.raises(SdJwtError) as exc:
        verify_presentation(vp, resolver(issuer_key), audience=AUD, nonce=NONCE, now=int(time.time()))
    assert exc.value.reason == reason


def test_rfc9901_7_3_sd_hash_over_other_disclosures_is_refused(
    sd_jwt: str, issuer_key: ECKey, holder: ECKey
) -> None:
    # A KB-JWT made for a presentation of one claim, attached to a presentation of more.
    kb = key_binding_jwt(select(sd_jwt, ["given_name"]), key=holder, alg="ES256", audience=AUD, nonce=NONCE)
    with pytest.raises(SdJwtError) as exc:
        verify_presentation(
            select(sd_jwt, ["given_name", "personal_id"]) + kb,
            resolver(issuer_key),
            audience=AUD,
            nonce=NONCE,
            now=int(time.time()),
        )
    assert exc.value.reason == "wrong_sd_hash"


def test_rfc9901_7_3_key_binding_by_another_key_is_refused(sd_jwt: str, issuer_key: ECKey) -> None:
    thief = ECKey.generate_key("P-256", private=True)
    vp = present(sd_jwt, ["given_name"], key=thief, alg="ES256", audience=AUD, nonce=NONCE)
    with pytest.raises(SdJwtError) as exc:
        verify_presentation(vp, resolver(issuer_key), audience=AUD, nonce=NONCE, now=int(time.time()))
    assert exc.value.reason == "invalid_signature"
