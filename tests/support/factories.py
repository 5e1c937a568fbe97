"""Factories for test data: portals, citizens, PKCE pairs."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from joserfc.jwk import ECKey

from idp.clients import ClientSpec, create_client
from idp.platform import Platform
from idp.provider import OpenIDProvider

PASSWORD = "Mật-khẩu-rất-mạnh-2024"


@dataclass
class PortalInfo:
    client_id: str
    client_secret: str | None
    redirect_uri: str
    # The private half of the portal's registered ``jwks`` (private_key_jwt portals only).
    key: ECKey | None = None


def make_portal(
    platform: Platform,
    *,
    name: str = "Cổng Bộ Thử nghiệm",
    redirect_uris: tuple[str, ...] = ("https://portal.example.vn/callback",),
    **overrides: Any,
) -> PortalInfo:
    spec = ClientSpec(
        name=name,
        redirect_uris=list(redirect_uris),
        post_logout_redirect_uris=overrides.pop("post_logout_redirect_uris", []),
        **overrides,
    )
    with platform.db.session() as s:
        client, secret = create_client(s, spec, actor="test")
        return PortalInfo(client.client_id, secret, redirect_uris[0] if redirect_uris else "")


def make_key_portal(platform: Platform, **overrides: Any) -> PortalInfo:
    """A portal that authenticates with private_key_jwt, its public key registered as ``jwks``."""
    key = ECKey.generate_key("P-256", parameters={"kid": secrets.token_hex(8), "use": "sig"}, private=True)
    portal = make_portal(
        platform,
        token_endpoint_auth_method="private_key_jwt",
        jwks={"keys": [key.as_dict(private=False)]},
        **overrides,
    )
    portal.key = key
    return portal


@dataclass
class Citizen:
    id: str
    personal_id: str
    password: str
    email: str | None


_counter = iter(range(100000, 999999))


def make_citizen(
    op: OpenIDProvider,
    *,
    personal_id: str | None = None,
    password: str = PASSWORD,
    full_name: str = "Nguyễn Văn An",
    birth_date: date = date(1990, 5, 17),
    sex: str = "M",
    email: str | None = None,
    loa: int = 2,
    **extra: Any,
) -> Citizen:
    # DESIGN.md: province (3) + gender/century digit + year of birth (2) + serial (6).
    digit = 2 * ((birth_date.year - 1900) // 100) + (1 if sex == "F" else 0)
    pid = personal_id or f"001{digit}{birth_date.year % 100:02d}{next(_counter):06d}"
    with op.db.session() as s:
        row = op.identities.create(
            s,
            personal_id=pid,
            password=password,
            full_name=full_name,
            birth_date=birth_date,
            sex=sex,
            email=email,
            loa=loa,
            **extra,
        )
        return Citizen(row.id, pid, password, email)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge
