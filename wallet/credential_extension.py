"""The credential side of the wallet as an IdP extension: OpenID4VCI issuance, OpenID4VP verification,
the citizen's credential pages; plus the Pre-Authorized Code grant at the token endpoint."""

from __future__ import annotations

from pathlib import Path

from idp.platform import Platform
from idp.web.extensions import AccountLink, Extension
from wallet.settings import WalletSettings
from wallet.status_list.service import StatusListService
from wallet.vci.issuance import CredentialIssuer
from wallet.vci.metadata import PRE_AUTHORIZED_GRANT, authorization_server_metadata
from wallet.vci.nonces import NonceStore
from wallet.vci.offers import Offers, PreAuthorizedCodeGrant
from wallet.vci.pages import credential_pages
from wallet.vci.revocation import CredentialRevocation
from wallet.vci.routes import credential_router
from wallet.vci.settings import CredentialSettings
from wallet.vp.messages import MESSAGES
from wallet.vp.routes import presentation_router
from wallet.vp.service import Presentations


class CredentialServices:
    """Built once per app from the platform; shared by routes, pages and the command line."""

    def __init__(
        self,
        platform: Platform,
        settings: CredentialSettings | None = None,
        wallet_settings: WalletSettings | None = None,
    ) -> None:
        self.platform = platform
        self.settings = settings or CredentialSettings()
        self.status_lists = StatusListService(platform, wallet_settings)
        self.nonces = NonceStore(self.settings.nonce_ttl)
        self.offers = Offers(platform.issuer, self.settings, platform.blind_index)
        self.issuer = CredentialIssuer(platform, self.settings, self.status_lists, self.nonces)
        self.revocation = CredentialRevocation(self.status_lists)
        self.presentations = Presentations(platform, self.settings, self.status_lists)


def credential_extension(
    platform: Platform,
    settings: CredentialSettings | None = None,
    wallet_settings: WalletSettings | None = None,
) -> Extension:
    services = CredentialServices(platform, settings, wallet_settings)
    return Extension(
        name="wallet-credentials",
        routers=[
            credential_router(services.issuer),
            presentation_router(services.presentations),
            credential_pages(services.offers, services.revocation),
        ],
        messages=MESSAGES,
        template_dirs=[
            Path(__file__).parent / "vp" / "templates",
            Path(__file__).parent / "vci" / "templates",
        ],
        discovery=authorization_server_metadata,
        token_grants={PRE_AUTHORIZED_GRANT: PreAuthorizedCodeGrant(services.offers)},
        account_links=[AccountLink("credentials", "cred.title", "/account/credentials")],
    )
