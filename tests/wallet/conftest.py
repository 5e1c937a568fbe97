"""The IdP app with the wallet extension, for every wallet test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from idp.models import Identity
from idp.platform import Platform
from idp.provider import OpenIDProvider
from idp.web.app import create_app
from idp.web.pages import SESSION_COOKIE
from tests.conftest import ISSUER
from wallet.extension import wallet_extension
from wallet.identity_qr.service import IdentityQrService
from wallet.settings import WalletSettings
from wallet.status_list.service import StatusListService
from wallet.verifier.trust import TrustStore


@pytest.fixture
def wallet_settings() -> WalletSettings:
    return WalletSettings(status_list_size=4096)


@pytest.fixture
def app(platform: Platform, wallet_settings: WalletSettings) -> FastAPI:
    return create_app(platform=platform, extensions=[wallet_extension(platform, wallet_settings)])


@pytest.fixture
def status_lists(platform: Platform, wallet_settings: WalletSettings) -> StatusListService:
    return StatusListService(platform, wallet_settings)


@pytest.fixture
def relying_party(app: FastAPI) -> Iterator[TestClient]:
    """A verifier's HTTP client, without any browser cookies."""
    with TestClient(app, base_url=ISSUER) as c:
        yield c


@pytest.fixture
def identity_qrs(
    platform: Platform, status_lists: StatusListService, wallet_settings: WalletSettings
) -> IdentityQrService:
    return IdentityQrService(platform, status_lists, wallet_settings)


@pytest.fixture
def trust(relying_party: TestClient, tmp_path: Path) -> TrustStore:
    """A verifier that trusts NIXA (keys fetched once from /wallet/issuer-keys) and keeps what it fetched."""
    store = TrustStore(tmp_path / "verifier-cache", http=relying_party)
    store.trust(ISSUER)
    return store


def signed_in(browser: TestClient, op: OpenIDProvider, identity_id: str, *, level: int = 2) -> None:
    """Give the browser an SSO session as a real login at ``level`` would (level 3: password + TOTP)."""
    amr = ["pwd", "otp", "mfa"] if level >= 3 else ["pwd"]
    with op.db.session() as s:
        identity = s.get(Identity, identity_id)
        assert identity is not None
        _, cookie = op.sessions.start(
            s, identity=identity, auth_level=level, amr=amr, ip=None, user_agent=None
        )
    browser.cookies.set(SESSION_COOKIE, cookie)
