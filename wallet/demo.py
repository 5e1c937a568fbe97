"""What ``./dev demo`` shows of the wallet: an identity QR ready to check, and where the wallet pages are."""

from __future__ import annotations

from idp.identities import IdentityStore
from idp.platform import Platform
from wallet.identity_qr import render
from wallet.identity_qr.service import IdentityQrService, NotEligible
from wallet.settings import WalletSettings
from wallet.status_list.service import StatusListService


def wallet_demo_lines(platform: Platform, personal_id: str) -> list[str]:
    """Make sure the demo citizen has an identity QR (written beside the database) and say how to use it."""
    issuer = platform.issuer
    settings = WalletSettings()
    qrs = IdentityQrService(platform, StatusListService(platform, settings), settings)
    store = IdentityStore(platform.sealer, platform.blind_index, platform.passwords)
    target = platform.settings.data_dir / f"identity-qr-{personal_id}.png"
    with platform.db.session() as s:
        identity = store.find_by_username(s, personal_id)
        try:
            issued = qrs.current(s, identity.id) if identity else None
            if identity is not None and issued is None:
                issued = qrs.issue(s, identity.id, actor="demo")
        except NotEligible:
            issued = None
    lines = [
        f"Identity QR verifier:   {issuer}/verify   (the citizen's own code: {issuer}/account/identity-qr)"
    ]
    if issued is not None:
        target.write_bytes(render.png(issued.text))
        lines.append(f"  identity QR of {personal_id}: {target.resolve()}")
        lines.append(f"  check it offline:     nixa-verify {target} --issuer {issuer}")
    lines.append(
        f"QR log-in:              register a phone at {issuer}/account/wallet-devices (level 3 login), then"
    )
    lines.append(f"  nixa-wallet register-device --issuer {issuer} --code CODE; on the login page choose")
    lines.append("  'Đăng nhập bằng ứng dụng NIXA' and run: nixa-wallet approve-login URI --code NUMBER")
    return lines
