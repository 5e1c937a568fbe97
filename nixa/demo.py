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
from pathlib import Path

import uvicorn
from sqlalchemy import func, select

from federation.broker.demo import demo_upstream
from federation.openid_federation.demo import demo_federation
from idp.clients import ClientSpec, create_client
from idp.config import Settings
from idp.crypto import new_token, sha256_hex
from idp.identities import IdentityStore
from idp.migrate import upgrade
from idp.models import Client, Identity, RegistryRecord
from idp.platform import Platform
from idp.registry import import_csv
from nixa.composition import build_idp_app
from nixa.demo_admin import admin_console
from nixa.mailcatcher import MailCatcher
from nixa.portals import PortalConfig, create_portal
from wallet.credential_demo import credential_demo_lines
from wallet.demo import wallet_demo_lines

DEMO_PASSWORD = "DemoNixa@2026"
REGISTRY_BESIDE_REPO = Path(__file__).resolve().parents[2] / "shared" / "data" / "population_registry.csv"


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
        # The demo may have moved (--port): the portal's addresses follow it.
        client.redirect_uris = [f"{base}/callback"]
        client.post_logout_redirect_uris = [f"{base}/"]
        client.backchannel_logout_uri = f"{base}/backchannel-logout"
        client.frontchannel_logout_uri = f"{base}/frontchannel-logout"
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


def import_demo_registry(p: Platform) -> str:
    """Load the synthetic population registry kept beside the repository, once, so signups can match."""
    path = Path(os.environ.get("NIXA_DEMO_REGISTRY", REGISTRY_BESIDE_REPO))
    with p.db.session() as s:
        if s.scalar(select(func.count()).select_from(RegistryRecord)):
            return "Population registry:    already loaded"
        if not path.is_file():
            return f"Population registry:    empty (no {path}); load one with `nixa registry import FILE.csv`"
        report = import_csv(s, path, sealer=p.sealer, index=p.blind_index, actor="demo")
    return f"Population registry:    {report.imported} citizens loaded from {path}"


def run_demo(*, host: str, port: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    public_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host  # noqa: S104
    issuer = os.environ.get("NIXA_ISSUER", f"http://{public_host}:{port}")
    mail_port = port + 25
    # Confirmation emails go to a local mail catcher unless an SMTP server is configured.
    smtp = {} if "NIXA_SMTP_HOST" in os.environ else {"smtp_host": "127.0.0.1", "smtp_port": mail_port}
    settings = Settings(issuer=issuer, **smtp)  # type: ignore[arg-type]
    upgrade(settings.resolved_database_url)
    platform = Platform(settings)
    platform.keys.ensure_keys()
    ensure_citizens(platform)
    registry_note = import_demo_registry(platform)
    catcher = None
    if smtp:
        catcher = MailCatcher(settings.data_dir / "mail", "127.0.0.1", mail_port)
        catcher.start()
    servers = [
        uvicorn.Server(uvicorn.Config(build_idp_app(platform), host=host, port=port, log_level="warning"))
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
    console, console_lines = admin_console(
        platform, host=host, port=port, public_host=public_host, password=DEMO_PASSWORD
    )
    servers.append(console)
    lines += console_lines
    known = [(c.personal_id, c.name, c.birth_date, c.sex) for c in CITIZENS]
    upstream, upstream_lines = demo_upstream(
        platform, public_host, port + 3, password=DEMO_PASSWORD, known=known
    )
    servers.append(uvicorn.Server(uvicorn.Config(upstream, host=host, port=port + 3, log_level="warning")))
    lines += upstream_lines
    lines.append("Demo citizens (username = personal ID number, password " + DEMO_PASSWORD + "):")
    lines += [f"  {c.personal_id}  {c.name}  (urn:nixa:loa:{c.loa})" for c in CITIZENS]
    lines.append(f"Self-registration:      {issuer}/signup   (your account pages: {issuer}/account)")
    lines.append(registry_note)
    lines += credential_demo_lines(platform)
    lines += demo_federation(platform)
    lines += wallet_demo_lines(platform, CITIZENS[1].personal_id)  # the level 3 citizen's identity QR
    if catcher is not None:
        lines.append(f"Emails sent by NIXA:    {catcher.folder.resolve()}/*.eml")
    lines.append(f"SMS sent by NIXA:       {settings.data_dir.resolve()}/sms-outbox.jsonl")
    lines.append(f"Data directory: {settings.data_dir.resolve()}  (SQLite, development secrets)")
    print("\n".join(lines), flush=True)

    async def serve_all() -> None:
        await asyncio.gather(*(s.serve() for s in servers))

    asyncio.run(serve_all())
