"""The demo's wallet part: the level 3 demo citizen gets an identity QR that verifies."""

from __future__ import annotations

from idp.platform import Platform
from nixa.demo import CITIZENS, ensure_citizens
from wallet.demo import wallet_demo_lines
from wallet.verifier.identity_qr import Verdict, verify_identity_qr
from wallet.verifier.qr_image import read_qr
from wallet.verifier.trust import TrustStore


def test_the_demo_citizen_has_an_identity_qr_that_verifies(platform: Platform, trust: TrustStore) -> None:
    ensure_citizens(platform)
    personal_id = CITIZENS[1].personal_id
    lines = wallet_demo_lines(platform, personal_id)
    image = platform.settings.data_dir / f"identity-qr-{personal_id}.png"
    assert any(str(image.resolve()) in line for line in lines)
    result = verify_identity_qr(read_qr(image.read_bytes()), key_for=trust.key_for, status_of=trust.status_of)
    assert result.verdict is Verdict.VALID
    assert wallet_demo_lines(platform, personal_id), "a second start keeps the same code"
