"""draft-ietf-oauth-status-list: the bit array, the Status List Token (JWT and CWT), publication, and the
verifier side that fetches, checks and caches it."""

from __future__ import annotations

import base64
import zlib

import cbor2
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet

from idp.models import AuditRecord
from idp.platform import Platform
from tests.conftest import ISSUER
from wallet import cose
from wallet.status_list import bits
from wallet.status_list.client import StatusListClient, StatusUnavailable, ec_public_key, parse_jwt_token
from wallet.status_list.service import (
    CWT_STATUS_LIST,
    STATUS_INVALID,
    STATUS_SUSPENDED,
    STATUS_VALID,
    StatusListService,
    StatusReference,
)


def _keys(relying_party: TestClient) -> list[dict]:  # type: ignore[type-arg]
    return list(relying_party.get("/jwks").json()["keys"])


def test_status_list_4_1_bit_order_matches_the_drafts_example() -> None:
    # Section 4.1 example: statuses 1,0,0,1,1,1,0,1 at indexes 0..7 make the byte 0xB9.
    packed = bits.pack([(0, 1), (3, 1), (4, 1), (5, 1), (7, 1)], bits=1, size=16)
    array = zlib.decompress(packed)
    assert array[0] == 0xB9
    assert [bits.status_at(array, i, 1) for i in range(8)] == [1, 0, 0, 1, 1, 1, 0, 1]


def test_status_list_4_1_two_bits_per_entry() -> None:
    array = zlib.decompress(bits.pack([(1, 2), (2, 1)], bits=2, size=8))
    assert array[0] == 0b0001_1000
    assert [bits.status_at(array, i, 2) for i in range(4)] == [0, 2, 1, 0]


def test_status_list_8_3_index_outside_the_list_is_refused() -> None:
    array = zlib.decompress(bits.pack([], bits=2, size=8))
    with pytest.raises(bits.MalformedStatusList):
        bits.status_at(array, 8, 2)


def test_a_decompression_bomb_is_refused() -> None:
    bomb = zlib.compress(bytes(bits.MAX_INFLATED_BYTES + 1), 9)
    with pytest.raises(bits.MalformedStatusList):
        bits.inflate(bomb)
    with pytest.raises(bits.MalformedStatusList):
        bits.inflate(b"not zlib")


def test_status_list_12_5_indexes_are_random_and_unique(
    platform: Platform, status_lists: StatusListService
) -> None:
    with platform.db.session() as s:
        refs = [status_lists.allocate(s, purpose="test") for _ in range(40)]
    assert len({r.idx for r in refs}) == 40
    assert refs[0].uri.startswith(f"{ISSUER}/status-lists/")
    # Issued one after another, yet not in order: the index tells nothing about issuance order.
    assert [r.idx for r in refs] != sorted(r.idx for r in refs)


def test_a_taken_index_is_drawn_again(
    platform: Platform, status_lists: StatusListService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The random draw gives the same index twice: the second credential must not share it.
    draws = iter([5, 5, 9])
    monkeypatch.setattr("wallet.status_list.service.secrets.randbelow", lambda _n: next(draws))
    with platform.db.session() as s:
        first = status_lists.allocate(s, purpose="test")
        second = status_lists.allocate(s, purpose="test")
    assert (first.list_id, first.idx) == (second.list_id, 5)
    assert second.idx == 9
    with platform.db.session() as s:
        status_lists.set_status(s, second, STATUS_INVALID, actor="test")
    with platform.db.read_session() as s:
        assert status_lists.status_of(s, first) == STATUS_VALID


def test_kinds_of_credential_never_share_a_list(platform: Platform, status_lists: StatusListService) -> None:
    with platform.db.session() as s:
        a = status_lists.allocate(s, purpose="identity_qr")
        b = status_lists.allocate(s, purpose="sd_jwt_vc")
    assert a.list_id != b.list_id


def test_status_list_5_1_jwt_token_carries_the_status(
    platform: Platform, status_lists: StatusListService, relying_party: TestClient
) -> None:
    with platform.db.session() as s:
        revoked = status_lists.allocate(s, purpose="test")
        kept = status_lists.allocate(s, purpose="test")
        status_lists.set_status(s, revoked, STATUS_INVALID, actor="operator:test", reason="lost phone")
    resp = relying_party.get(revoked.uri.removeprefix(ISSUER))
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/statuslist+jwt")
    assert "max-age=" in resp.headers["cache-control"]
    token = jwt.decode(resp.text, KeySet.import_key_set({"keys": _keys(relying_party)}), algorithms=["ES256"])
    assert token.header["typ"] == "statuslist+jwt"
    claims = token.claims
    assert claims["sub"] == revoked.uri
    assert claims["exp"] > claims["iat"]
    assert claims["ttl"] > 0
    lst = claims["status_list"]
    array = zlib.decompress(base64.urlsafe_b64decode(lst["lst"] + "=" * (-len(lst["lst"]) % 4)))
    assert bits.status_at(array, revoked.idx, lst["bits"]) == STATUS_INVALID
    assert bits.status_at(array, kept.idx, lst["bits"]) == STATUS_VALID


def test_status_list_5_2_cwt_token_by_content_negotiation(
    platform: Platform, status_lists: StatusListService, relying_party: TestClient
) -> None:
    with platform.db.session() as s:
        ref = status_lists.allocate(s, purpose="test")
        status_lists.set_status(s, ref, STATUS_SUSPENDED, actor="operator:test")
    resp = relying_party.get(ref.uri.removeprefix(ISSUER), headers={"Accept": "application/statuslist+cwt"})
    assert resp.headers["content-type"] == "application/statuslist+cwt"
    message = cose.parse_sign1(resp.content)
    assert message.typ == "application/statuslist+cwt"
    jwk = next(k for k in relying_party.get("/jwks").json()["keys"] if k["kid"] == message.kid)
    public = ec_public_key(jwk)
    assert public is not None and cose.verify_sign1(message, public)
    claims = cbor2.loads(message.payload)
    assert claims[cose.CWT_SUB] == ref.uri
    lst = claims[CWT_STATUS_LIST]
    assert bits.status_at(zlib.decompress(lst["lst"]), ref.idx, lst["bits"]) == STATUS_SUSPENDED


def test_an_unknown_list_is_not_found(relying_party: TestClient) -> None:
    assert relying_party.get("/status-lists/nope").status_code == 404


def test_a_status_change_is_audited(platform: Platform, status_lists: StatusListService) -> None:
    with platform.db.session() as s:
        ref = status_lists.allocate(s, purpose="test")
        status_lists.set_status(s, ref, STATUS_INVALID, actor="citizen:x", reason="lost phone")
        assert status_lists.status_of(s, ref) == STATUS_INVALID
    with platform.db.read_session() as s:
        events = [r.event for r in s.query(AuditRecord).all()]
    assert "wallet:status:changed" in events


def test_verifier_fetches_checks_and_caches_the_token(
    platform: Platform, status_lists: StatusListService, relying_party: TestClient
) -> None:
    with platform.db.session() as s:
        ref = status_lists.allocate(s, purpose="test")
    client = StatusListClient(lambda: _keys(relying_party), http=relying_party)
    assert client.status(ref.uri, ref.idx) == STATUS_VALID
    with platform.db.session() as s:
        status_lists.set_status(s, ref, STATUS_INVALID, actor="operator:test")
    # Within ttl the cached token answers (Section 11.3); a new client sees the change.
    assert client.status(ref.uri, ref.idx) == STATUS_VALID
    fresh = StatusListClient(lambda: _keys(relying_party), http=relying_party)
    assert fresh.status(ref.uri, ref.idx) == STATUS_INVALID


def test_status_list_8_3_token_for_another_list_is_refused(
    platform: Platform, status_lists: StatusListService, relying_party: TestClient
) -> None:
    with platform.db.session() as s:
        a = status_lists.allocate(s, purpose="a")
        b = status_lists.allocate(s, purpose="b")
    token_b = relying_party.get(b.uri.removeprefix(ISSUER)).text
    with pytest.raises(StatusUnavailable, match="another list"):
        parse_jwt_token(a.uri, token_b, _keys(relying_party), now=0)


def test_status_list_token_signed_by_an_unknown_key_is_refused(
    platform: Platform, status_lists: StatusListService, relying_party: TestClient
) -> None:
    from tests.support.tokens import new_ec_key, public_jwks

    with platform.db.session() as s:
        ref = status_lists.allocate(s, purpose="test")
    token = relying_party.get(ref.uri.removeprefix(ISSUER)).text
    other = public_jwks(new_ec_key())["keys"]
    with pytest.raises(StatusUnavailable, match="signature"):
        parse_jwt_token(ref.uri, token, other, now=0)


def test_a_reference_to_another_issuer_is_unknown(
    platform: Platform, status_lists: StatusListService
) -> None:
    from wallet.status_list.service import UnknownStatusReference

    with platform.db.session() as s, pytest.raises(UnknownStatusReference):
        status_lists.status_of(s, StatusReference("https://elsewhere.example/status-lists/x", 1))


def test_status_list_5_2_the_verifier_reads_the_cwt_token(
    platform: Platform, status_lists: StatusListService, relying_party: TestClient
) -> None:
    from wallet.status_list.client import parse_cwt_token

    with platform.db.session() as s:
        ref = status_lists.allocate(s, purpose="test")
        status_lists.set_status(s, ref, STATUS_INVALID, actor="operator:test")
    token = relying_party.get(ref.uri.removeprefix(ISSUER), headers={"Accept": "application/statuslist+cwt"})
    keys = {k["kid"]: ec_public_key(k) for k in _keys(relying_party)}
    parsed = parse_cwt_token(ref.uri, token.content, keys.get, now=0)
    assert parsed.status(ref.idx) == STATUS_INVALID
    with pytest.raises(StatusUnavailable, match="another list"):
        parse_cwt_token(ref.uri + "x", token.content, keys.get, now=0)
    with pytest.raises(StatusUnavailable, match="signature"):
        parse_cwt_token(ref.uri, token.content, lambda kid: None, now=0)
