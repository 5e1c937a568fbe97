"""The wallet's extension of the IdP app: status lists, the identity QR, the verifier page, QR log-in."""

from __future__ import annotations

from pathlib import Path

from idp.platform import Platform
from idp.web.extensions import Extension
from wallet.identity_qr.pages import identity_qr_router
from wallet.identity_qr.router import issuer_keys_router
from wallet.identity_qr.service import IdentityQrService
from wallet.issuer_keys import ISSUER_KEYS_PATH
from wallet.messages import MESSAGES
from wallet.settings import WalletSettings
from wallet.status_list.router import status_list_router
from wallet.status_list.service import StatusListService
from wallet.verifier.pages import LocalTrust, verifier_router

TEMPLATES = Path(__file__).parent / "templates"


def wallet_extension(platform: Platform, settings: WalletSettings | None = None) -> Extension:
    settings = settings or WalletSettings()
    status_lists = StatusListService(platform, settings)
    identity_qrs = IdentityQrService(platform, status_lists, settings)
    longest = max(settings.identity_qr_ttl, settings.status_list_token_ttl)
    return Extension(
        name="wallet",
        routers=[
            status_list_router(status_lists),
            issuer_keys_router(platform, settings),
            identity_qr_router(identity_qrs),
            verifier_router(LocalTrust(status_lists, longest)),
        ],
        messages=MESSAGES,
        template_dirs=[TEMPLATES],
        discovery=lambda: {"nixa_issuer_keys_uri": platform.issuer + ISSUER_KEYS_PATH},
    )
