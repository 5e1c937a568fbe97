"""The wallet's extension of the IdP app: status lists, the identity QR, the verifier page, QR log-in."""

from __future__ import annotations

from pathlib import Path

from idp.platform import Platform
from idp.web.extensions import AccountLink, Extension
from wallet.identity_qr.pages import identity_qr_router
from wallet.identity_qr.router import issuer_keys_router
from wallet.identity_qr.service import IdentityQrService
from wallet.issuer_keys import ISSUER_KEYS_PATH
from wallet.messages import MESSAGES
from wallet.qr_login.device_pages import device_pages_router
from wallet.qr_login.devices import DeviceService
from wallet.qr_login.method import WalletQrLogin
from wallet.qr_login.routes import browser_router, wallet_api_router
from wallet.qr_login.service import QrLoginService
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
    devices = DeviceService(
        platform.issuer, settings.device_registration_ttl, platform.settings.recent_login_seconds
    )
    qr_login = QrLoginService(
        platform.issuer, platform.sealer, devices, settings.qr_login_ttl, settings.qr_login_code_digits
    )
    return Extension(
        name="wallet",
        routers=[
            status_list_router(status_lists),
            issuer_keys_router(platform, settings),
            identity_qr_router(
                identity_qrs, lambda s, identity_id, actor: devices.revoke_all(s, identity_id, actor=actor)
            ),
            verifier_router(LocalTrust(status_lists, longest)),
            wallet_api_router(platform, qr_login),
            browser_router(qr_login),
            device_pages_router(devices),
        ],
        login_methods=[WalletQrLogin()],
        messages=MESSAGES,
        template_dirs=[TEMPLATES],
        account_links=[
            AccountLink("identity_qr", "wallet.qr.title", "/account/identity-qr"),
            AccountLink("wallet_devices", "wallet.devices.title", "/account/wallet-devices"),
        ],
        discovery=lambda: {"nixa_issuer_keys_uri": platform.issuer + ISSUER_KEYS_PATH},
    )
