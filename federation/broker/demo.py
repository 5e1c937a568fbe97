"""``nixa demo``: a second OpenID Provider standing in for a ministry's single sign-on, brokered by NIXA.

It is a separate NIXA IdP (its own database and keys in ``var/upstream-demo``), so the demo login page
offers "Đăng nhập bằng Cổng định danh Bộ Công an (demo)", and the whole brokered flow runs for real:
state, nonce, PKCE, ID token checks, linking on the trusted personal ID number, logout both ways.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from federation.upstream.catalogue import ProviderCatalogue, ProviderConfig
from idp.clients import ClientSpec, create_client
from idp.config import Settings
from idp.crypto import new_token, sha256_hex
from idp.identities import IdentityStore
from idp.migrate import upgrade
from idp.models import Client, Identity
from idp.platform import Platform
from idp.web.app import create_app

NAME = "bca-demo"
DISPLAY_NAME = "Cổng định danh Bộ Công an (demo)"
CLIENT_ID = "nixa-demo-broker"
# Someone the upstream knows and NIXA does not yet: their first login creates a linked level-2 identity.
UPSTREAM_CITIZEN = ("001085000005", "Phạm Minh Châu", date(1985, 11, 3), "M")


def _client_secret(up: Platform, nixa_issuer: str) -> str:
    """NIXA registered at the upstream; the secret is re-issued at each start (only its hash is kept)."""
    base = f"{nixa_issuer}/federation/oidc/{NAME}"
    with up.db.session() as s:
        client = s.get(Client, CLIENT_ID)
        if client is None:
            spec = ClientSpec(
                name="NIXA",
                redirect_uris=[f"{base}/callback"],
                post_logout_redirect_uris=[f"{base}/logged-out"],
                backchannel_logout_uri=f"{base}/backchannel-logout",
                scopes=("openid", "profile", "nixa.personal_id"),
                subject_type="public",
            )
            _, secret = create_client(s, spec, actor="demo", client_id=CLIENT_ID)
            return secret or ""
        secret = new_token(32)
        client.secret_hash = sha256_hex(secret)
        return secret


def _upstream_citizens(up: Platform, password: str, known: list[tuple[str, str, date, str]]) -> None:
    store = IdentityStore(up.sealer, up.blind_index, up.passwords)
    with up.db.session() as s:
        for pid, name, born, sex in [*known, UPSTREAM_CITIZEN]:
            index = up.blind_index("personal_id", pid)
            if s.scalar(select(Identity.id).where(Identity.personal_id_index == index)) is None:
                store.create(
                    s,
                    personal_id=pid,
                    password=password,
                    full_name=name,
                    birth_date=born,
                    sex=sex,
                    loa=3,
                    actor="demo",
                )


def _register_provider(nixa: Platform, discovery_url: str, secret: str) -> None:
    catalogue = ProviderCatalogue(nixa.sealer)
    config = ProviderConfig(
        acr_map={"urn:nixa:loa:1": 1, "urn:nixa:loa:2": 2, "urn:nixa:loa:3": 3},
        trusted_claims=["personal_id", "full_name", "birth_date"],
        identity_level=2,
        discovery_url=discovery_url,
        client_id=CLIENT_ID,
        scopes=["openid", "profile", "nixa.personal_id"],
        claim_map={"personal_id": "personal_id"},
    )
    with nixa.db.session() as s:
        if catalogue.find(s, NAME) is None:
            catalogue.add(
                s,
                name=NAME,
                display_name=DISPLAY_NAME,
                protocol="oidc",
                config=config,
                client_secret=secret,
                actor="demo",
            )
        else:
            catalogue.update(s, NAME, config=config, client_secret=secret, actor="demo")


def demo_upstream(
    nixa: Platform, public_host: str, port: int, *, password: str, known: list[tuple[str, str, date, str]]
) -> tuple[Any, list[str]]:
    """The upstream IdP's ASGI app (to serve on ``port``) and the lines the demo prints. It is named by
    another host than NIXA (127.0.0.1 beside localhost) so the two keep their same-named cookies apart."""
    upstream_issuer = f"http://{'127.0.0.1' if public_host == 'localhost' else public_host}:{port}"
    settings = Settings(issuer=upstream_issuer, data_dir=nixa.settings.data_dir / "upstream-demo")
    upgrade(settings.resolved_database_url)
    up = Platform(settings)
    up.keys.ensure_keys()
    _upstream_citizens(up, password, known)
    _register_provider(
        nixa, f"{upstream_issuer}/.well-known/openid-configuration", _client_secret(up, nixa.issuer)
    )
    pid, name = UPSTREAM_CITIZEN[0], UPSTREAM_CITIZEN[1]
    lines = [
        f"{DISPLAY_NAME + ':':<22} {upstream_issuer}  (upstream OpenID Provider brokered by NIXA)",
        f'  on NIXA\'s login page choose "Đăng nhập bằng {DISPLAY_NAME}"; it knows the demo citizens and',
        f"  {pid} {name} (same password), whose first login creates a linked NIXA identity",
        f"  linked providers: {nixa.issuer}/account/linked",
    ]
    return create_app(platform=up), lines
