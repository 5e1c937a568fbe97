"""The identity QR end to end: issue -> QR image -> zxing-cpp -> verify, and every refusal."""

from __future__ import annotations

import zlib

import base45
import cbor2
import pytest
from fastapi.testclient import TestClient

from idp.provider import OpenIDProvider
from tests.conftest import ISSUER
from tests.support.factories import make_citizen
from tests.support.tokens import new_ec_key
from wallet import cose
from wallet.identity_qr import codec, render
from wallet.identity_qr.claim169 import CLAIM_169, DATE_OF_BIRTH, FULL_NAME, GENDER, ID
from wallet.identity_qr.service import IdentityQrService, IssuedQr, NotEligible
from wallet.verifier.identity_qr import Verdict, verify_identity_qr
from wallet.verifier.qr_image import NoQrCode, read_qr
from wallet.verifier.trust import TrustStore


def _issue(op: OpenIDProvider, identity_qrs: IdentityQrService, **citizen: object) -> IssuedQr:
    person = make_citizen(op, **citizen)  # type: ignore[arg-type]
    with op.db.session() as s:
        return identity_qrs.issue(s, person.id, actor="test")


def _verify(text: str, trust: TrustStore, now: float | None = None):  # type: ignore[no-untyped-def]
    return verify_identity_qr(text, key_for=trust.key_for, status_of=trust.status_of, now=now)


def test_issue_render_decode_with_zxing_and_verify(
    op: OpenIDProvider, identity_qrs: IdentityQrService, trust: TrustStore
) -> None:
    issued = _issue(op, identity_qrs, full_name="Trần Thị Bình", sex="F", address="12 Lê Lợi, Đà Nẵng")
    png = render.png(issued.text)
    text = read_qr(png)
    assert text == issued.text
    assert _ec_level(png) == "Q", "error correction Q: a quarter of the code may be damaged"
    result = _verify(text, trust)
    assert result.verdict is Verdict.VALID, result.detail
    assert result.identity is not None
    assert result.identity.full_name == "Trần Thị Bình"
    assert result.identity.sex == "F"
    assert result.identity.address == "12 Lê Lợi, Đà Nẵng"
    assert result.issuer == ISSUER


def test_the_svg_is_a_qr_code_too(op: OpenIDProvider, identity_qrs: IdentityQrService) -> None:
    issued = _issue(op, identity_qrs)
    svg = render.svg(issued.text)
    assert svg.startswith(b"<?xml") and b"<svg" in svg


def test_claim_169_layout_and_cwt_claims(op: OpenIDProvider, identity_qrs: IdentityQrService) -> None:
    citizen = make_citizen(op, full_name="Lê Văn Cường")
    with op.db.session() as s:
        issued = identity_qrs.issue(s, citizen.id, actor="test")
    decoded = codec.decode(issued.text)
    claim = decoded.claims[CLAIM_169]
    assert claim[ID] == citizen.personal_id
    assert claim[FULL_NAME] == "Lê Văn Cường"
    assert claim[DATE_OF_BIRTH] == "19900517"
    assert claim[GENDER] == 1
    assert decoded.claims[cose.CWT_ISS] == ISSUER
    assert decoded.claims[cose.CWT_EXP] > decoded.claims[cose.CWT_IAT]
    assert set(decoded.claims[65535]["status_list"]) == {"idx", "uri"}
    assert decoded.message.protected[cose.HEADER_ALG] == cose.ALG_ES256


def test_kid_resolves_from_the_published_issuer_keys(
    op: OpenIDProvider, identity_qrs: IdentityQrService, relying_party: TestClient
) -> None:
    issued = _issue(op, identity_qrs)
    kid = codec.decode(issued.text).message.kid
    assert kid in {k["kid"] for k in relying_party.get("/wallet/issuer-keys").json()["keys"]}
    assert kid in {k["kid"] for k in relying_party.get("/jwks").json()["keys"]}


def test_a_level_1_identity_gets_no_identity_qr(op: OpenIDProvider, identity_qrs: IdentityQrService) -> None:
    with pytest.raises(NotEligible):
        _issue(op, identity_qrs, loa=1)


def _resign(text: str, mutate) -> str:  # type: ignore[no-untyped-def]
    """Change the signed payload but keep the old signature, as a forger would."""
    message = cose.parse_sign1(zlib.decompress(base45.b45decode(text)))
    claims = cbor2.loads(message.payload)
    mutate(claims)
    forged = cbor2.dumps(
        cbor2.CBORTag(18, [message.protected_bytes, {}, cbor2.dumps(claims), message.signature])
    )
    return codec.encode(forged)


def test_a_changed_name_is_tampered(
    op: OpenIDProvider, identity_qrs: IdentityQrService, trust: TrustStore
) -> None:
    issued = _issue(op, identity_qrs)
    forged = _resign(issued.text, lambda c: c[CLAIM_169].__setitem__(FULL_NAME, "Kẻ Mạo Danh"))
    assert _verify(forged, trust).verdict is Verdict.TAMPERED


def test_a_flipped_byte_in_the_signed_data_fails(
    op: OpenIDProvider, identity_qrs: IdentityQrService, trust: TrustStore
) -> None:
    issued = _issue(op, identity_qrs)
    cwt = bytearray(zlib.decompress(base45.b45decode(issued.text)))
    cwt[len(cwt) // 2] ^= 0x01
    result = _verify(codec.encode(bytes(cwt)), trust)
    assert result.verdict in (Verdict.TAMPERED, Verdict.MALFORMED)
    assert not result.valid


def test_a_flipped_character_in_the_text_fails(
    op: OpenIDProvider, identity_qrs: IdentityQrService, trust: TrustStore
) -> None:
    issued = _issue(op, identity_qrs)
    i = len(issued.text) // 2
    flipped = issued.text[:i] + ("A" if issued.text[i] != "A" else "B") + issued.text[i + 1 :]
    assert not _verify(flipped, trust).valid


def test_a_revoked_code_fails(
    op: OpenIDProvider, identity_qrs: IdentityQrService, relying_party: TestClient, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    citizen = make_citizen(op)
    with op.db.session() as s:
        issued = identity_qrs.issue(s, citizen.id, actor="test")
    with op.db.session() as s:
        assert identity_qrs.revoke_all(s, citizen.id, actor=f"citizen:{citizen.id}", reason="lost phone") == 1
    verifier = TrustStore(tmp_path / "v", http=relying_party)
    verifier.trust(ISSUER)
    assert _verify(issued.text, verifier).verdict is Verdict.REVOKED


def test_a_new_code_supersedes_the_old_one(
    op: OpenIDProvider, identity_qrs: IdentityQrService, trust: TrustStore
) -> None:
    citizen = make_citizen(op)
    with op.db.session() as s:
        first = identity_qrs.issue(s, citizen.id, actor="test")
    with op.db.session() as s:
        second = identity_qrs.issue(s, citizen.id, actor="test")
    assert _verify(first.text, trust).verdict is Verdict.REVOKED
    assert _verify(second.text, trust).valid


def test_an_expired_code_fails(
    op: OpenIDProvider, identity_qrs: IdentityQrService, trust: TrustStore
) -> None:
    issued = _issue(op, identity_qrs)
    later = issued.expires_at.timestamp() + 3600
    assert _verify(issued.text, trust, now=later).verdict is Verdict.EXPIRED


def test_an_unknown_issuer_is_refused(op: OpenIDProvider, identity_qrs: IdentityQrService, tmp_path) -> None:  # type: ignore[no-untyped-def]
    issued = _issue(op, identity_qrs)
    stranger = TrustStore(tmp_path / "empty", offline=True)
    assert _verify(issued.text, stranger).verdict is Verdict.UNKNOWN_ISSUER


def test_a_code_signed_by_another_key_is_unknown_or_tampered(
    op: OpenIDProvider, identity_qrs: IdentityQrService, trust: TrustStore
) -> None:
    issued = _issue(op, identity_qrs)
    message = codec.decode(issued.text).message
    other = new_ec_key(kid=message.kid)
    forged = codec.encode(cose.sign1(message.payload, other.private_key, kid=message.kid or ""))  # type: ignore[arg-type]
    assert _verify(forged, trust).verdict is Verdict.TAMPERED


def test_verification_works_offline_with_what_was_kept(
    op: OpenIDProvider, identity_qrs: IdentityQrService, trust: TrustStore
) -> None:
    issued = _issue(op, identity_qrs)
    assert _verify(issued.text, trust).valid  # online once: keys and status list kept on disk
    offline = TrustStore(trust.cache_dir, offline=True)
    assert offline.issuers == [ISSUER]
    assert _verify(issued.text, offline).valid


def test_an_image_without_a_qr_code_is_refused() -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(buffer, format="PNG")
    with pytest.raises(NoQrCode):
        read_qr(buffer.getvalue())
    with pytest.raises(NoQrCode):
        read_qr(b"not an image")


def _proofed_with_portrait(op: OpenIDProvider) -> str:
    """A level 3 citizen whose portrait an operator approved (as idp.proofing stores it: sealed JPEG)."""
    import io
    import uuid

    from PIL import Image

    from idp.db import utcnow
    from idp.models.proofing import EvidenceImage, VerificationRequest
    from idp.proofing.submission import evidence_context

    citizen = make_citizen(op, loa=3)
    buffer = io.BytesIO()
    Image.new("RGB", (480, 600), (200, 170, 150)).save(buffer, format="JPEG")
    with op.db.session() as s:
        request = VerificationRequest(
            id=str(uuid.uuid4()), identity_id=citizen.id, status="approved", decided_at=utcnow()
        )
        s.add(request)
        s.flush()
        image_id = str(uuid.uuid4())
        sealed = op.platform.sealer.seal(
            buffer.getvalue(), evidence_context(image_id, request.id, "portrait")
        )
        s.add(EvidenceImage(id=image_id, request_id=request.id, kind="portrait", content_enc=sealed))
    return citizen.id


def test_claim_169_16_17_a_small_portrait_fits_the_qr(
    op: OpenIDProvider, identity_qrs: IdentityQrService, trust: TrustStore
) -> None:
    identity_id = _proofed_with_portrait(op)
    with op.db.session() as s:
        issued = identity_qrs.issue(s, identity_id, actor="test", with_portrait=True)
    result = _verify(read_qr(render.png(issued.text)), trust)
    assert result.valid and result.identity is not None
    assert result.identity.photo is not None and result.identity.photo.startswith(b"RIFF")
    assert result.identity.photo_format == 4


def test_no_portrait_without_a_checked_one(op: OpenIDProvider, identity_qrs: IdentityQrService) -> None:
    citizen = make_citizen(op, loa=3)
    with op.db.session() as s, pytest.raises(NotEligible):
        identity_qrs.issue(s, citizen.id, actor="test", with_portrait=True)


def _ec_level(png: bytes) -> str:
    import io

    import zxingcpp
    from PIL import Image

    # QR codes only: zxing's default formats sometimes also "find" a short ITF barcode in a QR's modules.
    (barcode,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormat.QRCode)
    return str(barcode.ec_level)
