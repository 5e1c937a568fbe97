"""Interoperability with an independent Claim 169 implementation (the ``claim169`` package, PyPI): it
reads and verifies NIXA's identity QR, and NIXA reads the identity data of a code it wrote."""

from __future__ import annotations

import time

import claim169
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from idp.provider import OpenIDProvider
from tests.conftest import ISSUER
from tests.support.factories import make_citizen
from wallet.identity_qr import codec
from wallet.identity_qr.claim169 import CLAIM_169, parse_claim
from wallet.identity_qr.service import IdentityQrService


def test_claim169_library_verifies_and_reads_nixas_code(
    op: OpenIDProvider, identity_qrs: IdentityQrService
) -> None:
    citizen = make_citizen(op, full_name="Phạm Thị Dung", sex="F", address="5 Trần Phú, Hà Nội")
    with op.db.session() as s:
        issued = identity_qrs.issue(s, citizen.id, actor="test")
    key = op.platform.keys.signing_key("ES256").public_key
    sec1 = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)  # type: ignore[union-attr]
    result = claim169.decode_with_ecdsa_p256(issued.text, sec1)
    assert result.verification_status == "verified"
    assert result.claim169.id == citizen.personal_id
    assert result.claim169.full_name == "Phạm Thị Dung"
    assert result.claim169.date_of_birth == "19900517"
    assert int(result.claim169.gender) == 2
    assert result.claim169.address == "5 Trần Phú, Hà Nội"
    assert result.cwt_meta.issuer == ISSUER


def test_nixa_reads_the_identity_data_of_a_claim169_library_code() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    d = private.private_numbers().private_value.to_bytes(32, "big")
    data = claim169.Claim169Input(id="079195000002", full_name="Trần Thị Bình")
    data.date_of_birth = "19950802"
    data.gender = claim169.Gender.FEMALE
    meta = claim169.CwtMetaInput(issuer="https://other.example", expires_at=int(time.time()) + 600)
    text = claim169.encode_with_ecdsa_p256(data, meta, d)
    identity = parse_claim(codec.decode(text).claims[CLAIM_169])
    assert (identity.personal_id, identity.full_name, identity.birth_date, identity.sex) == (
        "079195000002",
        "Trần Thị Bình",
        "1995-08-02",
        "F",
    )
