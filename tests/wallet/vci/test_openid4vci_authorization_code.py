"""OpenID4VCI 1.0 Section 5: the authorization code flow through NIXA's own login, for a wallet app."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from idp.platform import Platform
from tests.conftest import ISSUER
from tests.support.factories import Citizen, PortalInfo, make_portal, pkce_pair
from tests.support.flows import authorize, redeem
from wallet.holder.issuance import CredentialReceiver, IssuanceError
from wallet.vci.metadata import IDENTITY_CONFIGURATION
from wallet.vci.settings import CredentialSettings

REDIRECT = "http://127.0.0.1:7654/callback"


@pytest.fixture
def wallet_app(platform: Platform) -> PortalInfo:
    return make_portal(
        platform,
        name="Ví NIXA",
        redirect_uris=(REDIRECT,),
        token_endpoint_auth_method="none",
        application_type="native",
    )


@pytest.fixture
def credential_settings(wallet_app: PortalInfo) -> CredentialSettings:
    return CredentialSettings(credential_clients=[wallet_app.client_id])


def test_openid4vci_5_authorization_code_flow_issues_the_credential(
    browser: TestClient, phone: CredentialReceiver, wallet_app: PortalInfo, verified: Citizen
) -> None:
    verifier, challenge = pkce_pair()
    url = phone.authorization_url(
        ISSUER, client_id=wallet_app.client_id, redirect_uri=REDIRECT, code_challenge=challenge, state="s-1"
    )
    assert "scope=openid+nixa.personal_id" in url
    result = authorize(
        browser,
        wallet_app,
        verified,
        verifier_challenge=(verifier, challenge),
        scope="openid nixa.personal_id",
    )
    stored = phone.accept_authorization_code(
        ISSUER,
        code=result.code,
        code_verifier=verifier,
        client_id=wallet_app.client_id,
        redirect_uri=REDIRECT,
    )
    assert stored.vct == "urn:nixa:vct:identity"


def test_openid4vci_a_portal_token_cannot_obtain_a_credential(
    browser: TestClient, api: TestClient, phone: CredentialReceiver, platform: Platform, verified: Citizen
) -> None:
    portal = make_portal(platform)  # an ordinary portal, not a wallet app
    verifier, challenge = pkce_pair()
    result = authorize(
        browser, portal, verified, verifier_challenge=(verifier, challenge), scope="openid nixa.personal_id"
    )
    token = redeem(api, portal, result.code, verifier).json()["access_token"]
    with pytest.raises(IssuanceError) as exc:
        phone.fetch_credential(ISSUER, phone.issuer_metadata(ISSUER), IDENTITY_CONFIGURATION, token)
    assert exc.value.error == "invalid_token"


def test_openid4vci_a_wallet_token_without_the_credential_scope_is_denied(
    browser: TestClient, api: TestClient, phone: CredentialReceiver, wallet_app: PortalInfo, verified: Citizen
) -> None:
    verifier, challenge = pkce_pair()
    result = authorize(
        browser, wallet_app, verified, verifier_challenge=(verifier, challenge), scope="openid profile"
    )
    token = redeem(api, wallet_app, result.code, verifier).json()["access_token"]
    with pytest.raises(IssuanceError) as exc:
        phone.fetch_credential(ISSUER, phone.issuer_metadata(ISSUER), IDENTITY_CONFIGURATION, token)
    assert exc.value.error == "credential_request_denied"
