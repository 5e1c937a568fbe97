"""The wallet's extension of the IdP app: status lists, the identity QR, the verifier page, QR log-in."""

from __future__ import annotations

from idp.platform import Platform
from idp.web.extensions import Extension
from wallet.identity_qr.router import issuer_keys_router
from wallet.settings import WalletSettings
from wallet.status_list.router import status_list_router
from wallet.status_list.service import StatusListService


def wallet_extension(platform: Platform, settings: WalletSettings | None = None) -> Extension:
    settings = settings or WalletSettings()
    status_lists = StatusListService(platform, settings)
    return Extension(
        name="wallet",
        routers=[status_list_router(status_lists), issuer_keys_router(platform, settings)],
    )
