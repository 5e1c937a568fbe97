"""The decoder is strict and never crashes: RFC 9285 Section 4.3 (invalid Base45 MUST be refused), bad
zlib, truncation, oversize and CBOR of an unexpected shape all end in ``MalformedQr``/``MALFORMED``."""

from __future__ import annotations

import zlib

import base45
import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wallet import cose
from wallet.identity_qr import codec
from wallet.verifier.identity_qr import Verdict, verify_identity_qr

cbor_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.binary(max_size=40),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.integers() | st.text(), children, max_size=5)
    ),
    max_leaves=20,
)


def _never_trusted(issuer: str, kid: str | None) -> None:
    return None


def _no_status(issuer: str, uri: str, idx: int) -> int:
    raise AssertionError("never reached for malformed input")


def _verdict(text: str) -> Verdict:
    return verify_identity_qr(text, key_for=_never_trusted, status_of=_no_status).verdict


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_is_refused_without_crashing(text: str) -> None:
    with pytest.raises(codec.MalformedQr):
        codec.decode(text)


@settings(max_examples=60, deadline=None, database=None)
@given(st.binary(max_size=300))
def test_any_base45_bytes_are_refused_without_crashing(data: bytes) -> None:
    assert _verdict(base45.b45encode(data).decode()) is Verdict.MALFORMED


@settings(max_examples=60, deadline=None, database=None)
@given(cbor_values)
def test_unexpected_cbor_is_refused(value: object) -> None:
    text = codec.encode(cbor2.dumps(value))
    assert _verdict(text) is Verdict.MALFORMED


@settings(max_examples=50, deadline=None, database=None)
@given(cbor_values, st.binary(max_size=64))
def test_a_cose_shape_with_odd_contents_is_refused(claims: object, signature: bytes) -> None:
    message = cbor2.CBORTag(18, [cbor2.dumps({1: -7}), {}, cbor2.dumps(claims), signature])
    assert _verdict(codec.encode(cbor2.dumps(message))) in (Verdict.MALFORMED, Verdict.UNKNOWN_ISSUER)


def test_rfc9285_4_3_characters_outside_the_alphabet_are_refused() -> None:
    with pytest.raises(codec.MalformedQr, match="Base45"):
        codec.decode("abc")
    with pytest.raises(codec.MalformedQr, match="Base45"):
        codec.decode("GGW")  # a triplet worth more than 65535


def test_truncated_data_is_refused() -> None:
    text = codec.encode(cose.sign1(cbor2.dumps({1: "x", 169: {}}), _key(), kid="k"))
    compressed = base45.b45decode(text)
    with pytest.raises(codec.MalformedQr):
        codec.decode(base45.b45encode(compressed[:-5]).decode())


def test_oversized_data_is_refused() -> None:
    with pytest.raises(codec.MalformedQr, match="longer"):
        codec.decode("A" * (codec.MAX_TEXT_CHARS + 1))
    bomb = base45.b45encode(zlib.compress(bytes(codec.MAX_INFLATED_BYTES + 1), 9)).decode()
    with pytest.raises(codec.MalformedQr, match="size limit"):
        codec.decode(bomb)


def test_junk_after_the_compressed_data_is_refused() -> None:
    good = zlib.compress(cbor2.dumps({1: "x"}))
    with pytest.raises(codec.MalformedQr, match="junk"):
        codec.decode(base45.b45encode(good + b"\x00").decode())


def _key():  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())
