"""Federation broker fixtures: a real upstream OpenID Provider (npm oidc-provider) shared per module, the
IdP app with the broker extension, and upstream providers in the catalogue."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from federation.upstream.catalogue import ProviderCatalogue, ProviderConfig, ProviderInfo
from idp.platform import Platform
from idp.provider import OpenIDProvider
from nixa.composition import build_idp_app
from tests.conftest import ISSUER
from tests.e2e.live_server import require_e2e_tools
from tests.federation.node_op import NodeOP, run_node_op

CLIENT_ID = "nixa-broker"
CLIENT_SECRET = "upstream-client-secret-for-tests-0123456789"
PERSONAL_ID = "001090123456"
UPSTREAM_ACR = {
    "urn:upstream:loa:low": 1,
    "urn:upstream:loa:substantial": 2,
    "urn:upstream:loa:high": 3,
}
ACCOUNTS: dict[str, Any] = {
    # A person whose personal ID number the provider asserts.
    "an": {
        "claims": {"name": "Nguyễn Văn An", "birthdate": "1990-05-17", "personal_id": PERSONAL_ID},
        "acr": "urn:upstream:loa:high",
    },
    # A person the provider knows without a personal ID number.
    "khach": {
        "claims": {"name": "Lê Thị Khách", "email": "khach@example.vn"},
        "acr": "urn:upstream:loa:substantial",
    },
}


def nixa_client(issuer: str, names: tuple[str, ...]) -> dict[str, Any]:
    """NIXA as registered at the upstream provider, one redirect URI per catalogue name using it."""
    return {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{issuer}/federation/oidc/{n}/callback" for n in names],
        "post_logout_redirect_uris": [f"{issuer}/federation/oidc/{n}/logged-out" for n in names],
        "backchannel_logout_uri": f"{issuer}/federation/oidc/{names[0]}/backchannel-logout",
        "backchannel_logout_session_required": True,
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic",
    }


@functools.cache
def client_key() -> dict[str, Any]:
    """NIXA's private_key_jwt key at the upstream (the CLI generates one the same way)."""
    from nixa.cli_idp import _new_client_key

    return _new_client_key()


def key_client(issuer: str) -> dict[str, Any]:
    """NIXA registered a second time, authenticating with private_key_jwt (its public key inline)."""
    from joserfc.jwk import import_key

    public = import_key(client_key()).as_dict(private=False)
    return {
        **nixa_client(issuer, ("ministry",)),
        "client_id": "nixa-broker-jwt",
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": "ES256",
        "jwks": {"keys": [public]},
    }


@pytest.fixture(scope="module")
def upstream() -> Iterator[NodeOP]:
    require_e2e_tools()
    clients = [nixa_client(ISSUER, ("bank", "weak", "untrusted")), key_client(ISSUER)]
    for c in clients[1:]:
        c.pop("client_secret")
    with run_node_op(clients=clients, accounts=ACCOUNTS) as op:
        yield op


@pytest.fixture
def fed_app(platform: Platform) -> FastAPI:
    return build_idp_app(platform)


@pytest.fixture
def fed_op(fed_app: FastAPI) -> OpenIDProvider:
    provider: OpenIDProvider = fed_app.state.provider
    return provider


@pytest.fixture
def fed_browser(fed_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(fed_app, base_url=ISSUER) as c:
        yield c


def add_oidc_provider(
    platform: Platform, upstream: NodeOP, name: str = "bank", *, trusted: bool = True, **config: Any
) -> ProviderInfo:
    cfg = ProviderConfig(
        acr_map=config.pop("acr_map", UPSTREAM_ACR),
        trusted_claims=["personal_id", "full_name", "birth_date"] if trusted else [],
        identity_level=2 if trusted else 1,
        discovery_url=upstream.discovery_url,
        client_id=CLIENT_ID,
        scopes=["openid", "profile", "email", "personal_id"],
        **config,
    )
    with platform.db.session() as s:
        return ProviderCatalogue(platform.sealer).add(
            s,
            name=name,
            display_name={"bank": "Ngân hàng Thử nghiệm"}.get(name, name.title()),
            protocol="oidc",
            config=cfg,
            client_secret=CLIENT_SECRET,
            actor="test",
        )


@pytest.fixture
def bank(platform: Platform, upstream: NodeOP) -> ProviderInfo:
    return add_oidc_provider(platform, upstream)


@functools.cache
def _sp_key(bits: int) -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


@pytest.fixture(autouse=True)
def _pooled_sp_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """NIXA's SAML SP key is generated once per process in tests (RSA generation is slow); the sealing,
    storage and use of it run as in production."""
    from federation.broker import sp_keys

    monkeypatch.setattr(sp_keys, "generate_rsa_key", _sp_key)
