"""Operator actions on portals that client registration does not cover: a new secret, disabling, a minimum
level of assurance. Each runs in the caller's transaction with its audit record (who, what, why)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import new_token, sha256_hex
from idp.errors import InvalidClientMetadata
from idp.models import Client
from idp.sessions import level_of

SECRETLESS_METHODS = ("none", "private_key_jwt")


def rotate_secret(s: Session, client: Client, *, actor: str, reason: str) -> str:
    """A new client secret, returned once and stored only as its SHA-256; the old one stops working now."""
    if client.token_endpoint_auth_method in SECRETLESS_METHODS:
        raise InvalidClientMetadata("this portal does not authenticate with a client secret")
    secret = new_token(32)
    client.secret_hash = sha256_hex(secret)
    audit.record(
        s,
        audit.AuditEvent.CLIENT_SECRET_ROTATED,
        actor=actor,
        client_id=client.client_id,
        data={"reason": reason},
    )
    return secret


def set_disabled(s: Session, client: Client, disabled: bool, *, actor: str, reason: str) -> None:
    """A disabled portal is refused at authorize, token, userinfo and logout (they check ``disabled``)."""
    if client.disabled == disabled:
        return
    client.disabled = disabled
    event = audit.AuditEvent.CLIENT_DISABLED if disabled else audit.AuditEvent.CLIENT_ENABLED
    audit.record(s, event, actor=actor, client_id=client.client_id, data={"reason": reason})


def set_min_acr(s: Session, client: Client, min_acr: str | None, *, actor: str, reason: str) -> None:
    """The lowest level of assurance the portal accepts; authorize steps up to it (idp.oauth.authorize)."""
    if min_acr is not None and level_of(min_acr) == 0:
        raise InvalidClientMetadata("the minimum acr must be one of urn:nixa:loa:1..3")
    if client.min_acr == min_acr:
        return
    before, client.min_acr = client.min_acr, min_acr
    audit.record(
        s,
        audit.AuditEvent.CLIENT_UPDATED,
        actor=actor,
        client_id=client.client_id,
        data={"fields": ["min_acr"], "min_acr": [before, min_acr], "reason": reason},
    )
