"""The console as a client of NIXA: registered (or brought up to date) when the console starts.

Its client secret is derived from the platform's CSRF secret with a purpose label (HMAC), so every console
process knows it without storing it anywhere; the IdP keeps only its SHA-256 as for every portal. It asks
for ``urn:nixa:loa:3`` and the IdP enforces it too (``min_acr``), besides the console's own check of the
ID token's ``acr``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from admin.settings import AdminSettings
from idp.clients import ClientSpec, create_client, update_client
from idp.crypto import constant_time_equal, hmac_token, sha256_hex
from idp.models import Client
from idp.platform import Platform

OPERATOR_ACR = "urn:nixa:loa:3"
CONSOLE_NAME = "NIXA – Bảng điều khiển vận hành"


def console_secret(platform: Platform) -> str:
    return hmac_token(platform.settings.secrets.csrf, "nixa-admin-console", "client-secret")


def console_spec(admin: AdminSettings) -> ClientSpec:
    return ClientSpec(
        name=CONSOLE_NAME,
        redirect_uris=[admin.redirect_uri],
        post_logout_redirect_uris=[admin.signed_out_uri],
        backchannel_logout_uri=admin.backchannel_logout_uri,
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name, not a secret)
        grant_types=("authorization_code",),
        scopes=("openid", "profile"),
        # The console keys operators to the NIXA identity itself; it is part of the platform.
        subject_type="public",
    )


def ensure_console_client(s: Session, platform: Platform, admin: AdminSettings) -> Client:
    secret = console_secret(platform)
    spec = console_spec(admin)
    client = s.get(Client, admin.client_id)
    if client is None:
        client, _ = create_client(s, spec, actor="system:admin-console", client_id=admin.client_id)
    elif (
        client.redirect_uris != spec.redirect_uris
        or client.backchannel_logout_uri != spec.backchannel_logout_uri
        or client.post_logout_redirect_uris != spec.post_logout_redirect_uris
    ):
        update_client(s, client, spec, actor="system:admin-console")
    if client.secret_hash is None or not constant_time_equal(client.secret_hash, sha256_hex(secret)):
        client.secret_hash = sha256_hex(secret)
    client.min_acr = OPERATOR_ACR
    return client
