"""Fixtures of the credential tests: the IdP app with the status-list and the credential extensions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from idp.platform import Platform
from idp.provider import OpenIDProvider
from idp.web.app import create_app
from tests.conftest import ISSUER
from tests.support.factories import Citizen, make_citizen
from tests.wallet.credentials import holder_wallet
from wallet.credential_extension import CredentialServices, credential_extension
from wallet.extension import wallet_extension
from wallet.holder.issuance import CredentialReceiver
from wallet.settings import WalletSettings
from wallet.vci.settings import CredentialSettings

WALLET_APP = "nixa-wallet-app"


@pytest.fixture
def credential_settings() -> CredentialSettings:
    return CredentialSettings(credential_clients=[WALLET_APP])


@pytest.fixture
def app(
    platform: Platform, wallet_settings: WalletSettings, credential_settings: CredentialSettings
) -> FastAPI:
    return create_app(
        platform=platform,
        extensions=[
            wallet_extension(platform, wallet_settings),
            credential_extension(platform, credential_settings, wallet_settings),
        ],
    )


@pytest.fixture
def services(
    platform: Platform, credential_settings: CredentialSettings, wallet_settings: WalletSettings
) -> CredentialServices:
    return CredentialServices(platform, credential_settings, wallet_settings)


@pytest.fixture
def phone(app: FastAPI, tmp_path: Path) -> Iterator[CredentialReceiver]:
    with TestClient(app, base_url=ISSUER) as http:
        yield holder_wallet(tmp_path, http)


@pytest.fixture
def verified(op: OpenIDProvider) -> Citizen:
    """A citizen matched against the registry (level 2), with an address."""
    return make_citizen(op, loa=2, full_name="Nguyễn Văn An", address="12 Tràng Tiền, Hoàn Kiếm, Hà Nội")
