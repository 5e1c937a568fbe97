"""The login page's choice "log in with the NIXA app (scan a QR)"."""

from __future__ import annotations

from idp.provider import InteractionView
from idp.web.extensions import LoginChoice
from idp.web.i18n import translate

START_PATH = "/wallet/qr-login/start"


class WalletQrLogin:
    def login_choices(self, view: InteractionView, locale: str) -> list[LoginChoice]:
        return [
            LoginChoice(
                "wallet_qr",
                translate("wallet.qrlogin.choice", locale),
                f"{START_PATH}/{view.interaction.id}",
                translate("wallet.qrlogin.choice_help", locale),
            )
        ]
