"""The operator console in ``nixa demo``: two demo operators (four eyes) with an authenticator app each,
whose TOTP secrets are printed so that a phone app (or ``oathtool``) gives the codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import uvicorn
from sqlalchemy import select

from admin import operators
from admin.permissions import Role
from admin.settings import AdminSettings
from admin.web.app import create_admin_app
from idp.db import utcnow
from idp.factors.totp import TotpFactors
from idp.identities import IdentityStore
from idp.models import Identity
from idp.models.factors import Factor
from idp.platform import Platform

ADMIN_PORT_OFFSET = 90  # 8000 -> 8090


@dataclass(frozen=True)
class DemoOperator:
    personal_id: str
    name: str
    birth_date: date
    sex: str
    roles: tuple[Role, ...]


OPERATORS = (
    DemoOperator("001085000003", "Phạm Văn Quản", date(1985, 3, 9), "M", tuple(Role)),
    DemoOperator("079190000004", "Lê Thị Kiểm", date(1990, 11, 21), "F", (Role.VERIFIER,)),
)


def _ensure_operator(p: Platform, demo: DemoOperator, password: str) -> str:
    """The operator, their roles and a confirmed TOTP factor; returns the TOTP secret."""
    store = IdentityStore(p.sealer, p.blind_index, p.passwords)
    totp = TotpFactors(p.sealer, p.settings.totp_issuer)
    with p.db.session() as s:
        identity = s.scalar(
            select(Identity).where(
                Identity.personal_id_index == p.blind_index("personal_id", demo.personal_id)
            )
        )
        if identity is None:
            identity = store.create(
                s,
                personal_id=demo.personal_id,
                password=password,
                full_name=demo.name,
                birth_date=demo.birth_date,
                sex=demo.sex,
                loa=3,
                actor="demo",
            )
        for role in demo.roles:
            operators.grant(s, identity.id, role, actor="demo", reason="demo operator")
        factor = s.scalar(
            select(Factor).where(
                Factor.identity_id == identity.id, Factor.kind == "totp", Factor.confirmed_at.is_not(None)
            )
        )
        if factor is None:
            factor = totp.start(s, identity.id)
            factor.confirmed_at = utcnow()
        return totp.secret(factor)


def admin_console(
    p: Platform, *, host: str, port: int, public_host: str, password: str
) -> tuple[uvicorn.Server, list[str]]:
    """The console's server for the demo and the lines to print about it."""
    admin_port = port + ADMIN_PORT_OFFSET
    settings = AdminSettings(base_url=f"http://{public_host}:{admin_port}")
    app = create_admin_app(p, settings)
    lines = [
        f"Admin console:          {settings.base_url}  (operators sign in with password {password} + TOTP)",
        f"  upstream IdPs {settings.base_url}/upstream, federation /federation, credentials /credentials",
    ]
    for demo in OPERATORS:
        secret = _ensure_operator(p, demo, password)
        roles = ", ".join(r.value for r in demo.roles)
        lines.append(f"  {demo.personal_id}  {demo.name}  [{roles}]  TOTP secret: {secret}")
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=admin_port, log_level="warning"))
    return server, lines
