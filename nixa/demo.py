"""``nixa demo``: the IdP and two demo portals on one machine, with demo citizens, on SQLite.

Log in at one portal and the other logs you in without a password (single sign-on); log out at one and
NIXA's back-channel and front-channel logout end the session at both.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from datetime import date

import uvicorn
from sqlalchemy import select

from idp.clients import ClientSpec, create_client
from idp.config import Settings
from idp.crypto import new_token, sha256_hex
from idp.identities import IdentityStore
from idp.migrate import upgrade
from idp.models import Client, Identity
from idp.platform import Platform
from idp.web.app import create_app
from nixa.portals import PortalConfig, create_portal

DEMO_PASSWORD = "DemoNixa@2026"


@dataclass(frozen=True)
class DemoCitizen:
    personal_id: str
    name: str
    birth_date: date
    sex: str
    email: str
    loa: int


CITIZENS = (
    DemoCitizen("001090000001", "Nguyễn Văn An", date(1990, 5, 17), "M", "an.nguyen@demo.nixa.vn", 2),
    DemoCitizen("079195000002", "Trần Thị Bình", date(1995, 8, 2), "F", "binh.tran@demo.nixa.vn", 3),
)
PORTALS = (
    ("demo-ministry-portal", "Cổng dịch vụ công Bộ Tài chính", "portal_ministry", "#0b57d0"),
    ("demo-province-portal", "Cổng dịch vụ công tỉnh Đà Nẵng", "portal_province", "#1b6e3a"),
)


def ensure_portal(p: Platform, client_id: str, name: str, base: str) -> str:
    """Create the demo portal, or give it a fresh secret: only the hash is stored, so it is re-issued."""
    secret = new_token(32)
    with p.db.session() as s:
        client = s.get(Client, client_id)
        if client is None:
            spec = ClientSpec(
                name=name,
                redirect_uris=[f"{base}/callback"],
                post_logout_redirect_uris=[f"{base}/"],
                backchannel_logout_uri=f"{base}/backchannel-logout",
                frontchannel_logout_uri=f"{base}/frontchannel-logout",
                scopes=("openid", "profile", "email"),
            )
            client, created_secret = create_client(s, spec, actor="demo", client_id=client_id)
            return created_secret or ""
        client.secret_hash = sha256_hex(secret)
    return secret


def ensure_citizens(p: Platform) -> None:
    store = IdentityStore(p.sealer, p.blind_index, p.passwords)
    with p.db.session() as s:
        for c in CITIZENS:
            if (
                s.scalar(
                    select(Identity.id).where(
                        Identity.personal_id_index == p.blind_index("personal_id", c.personal_id)
                    )
                )
                is None
            ):
                store.create(
                    s,
                    personal_id=c.personal_id,
                    password=DEMO_PASSWORD,
                    full_name=c.name,
                    birth_date=c.birth_date,
                    sex=c.sex,
                    email=c.email,
                    loa=c.loa,
                    actor="demo",
                    email_verified=True,
                )


def run_demo(*, host: str, port: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    public_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host  # noqa: S104
    issuer = os.environ.get("NIXA_ISSUER", f"http://{public_host}:{port}")
    settings = Settings(issuer=issuer)
    upgrade(settings.resolved_database_url)
    platform = Platform(settings)
    platform.keys.ensure_keys()
    ensure_citizens(platform)
    servers = [
        uvicorn.Server(
            uvicorn.Config(create_app(platform=platform), host=host, port=port, log_level="warning")
        )
    ]
    lines = [f"NIXA IdP:              {issuer}  (discovery: {issuer}/.well-known/openid-configuration)"]
    for offset, (client_id, name, cookie, colour) in enumerate(PORTALS, start=1):
        base = f"http://{public_host}:{port + offset}"
        secret = ensure_portal(platform, client_id, name, base)
        portal = create_portal(
            PortalConfig(
                name=name,
                base_url=base,
                issuer=issuer,
                client_id=client_id,
                client_secret=secret,
                cookie=cookie,
                colour=colour,
            )
        )
        servers.append(
            uvicorn.Server(uvicorn.Config(portal, host=host, port=port + offset, log_level="warning"))
        )
        lines.append(f"{name + ':':<22} {base}")
    lines.append("Admin console:          not part of this build yet (see the admin console issue)")
    lines.append("Demo citizens (username = personal ID number, password " + DEMO_PASSWORD + "):")
    lines += [f"  {c.personal_id}  {c.name}  (urn:nixa:loa:{c.loa})" for c in CITIZENS]
    lines.append(f"Data directory: {settings.data_dir.resolve()}  (SQLite, development secrets)")
    print("\n".join(lines), flush=True)

    async def serve_all() -> None:
        await asyncio.gather(*(s.serve() for s in servers))

    asyncio.run(serve_all())
