"""The portal form: what an operator types, turned into ``ClientSpec`` (whose ``validate`` holds every
metadata rule, the same as for ``nixa client add`` and dynamic registration)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from idp.clients import AUTH_METHODS, GRANT_TYPES, STANDARD_SCOPES, ClientSpec
from idp.keys import SUPPORTED_ALGS
from idp.models import Client

MIN_ACRS = ("", "urn:nixa:loa:1", "urn:nixa:loa:2", "urn:nixa:loa:3")


@dataclass(frozen=True)
class PortalForm:
    spec: ClientSpec
    min_acr: str | None


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace("\r", "").split("\n") if line.strip()]


def parse(fields: dict[str, str], multi: dict[str, list[str]]) -> PortalForm:
    min_acr = fields.get("min_acr") or None
    spec = ClientSpec(
        name=fields.get("name", ""),
        redirect_uris=_lines(fields.get("redirect_uris", "")),
        post_logout_redirect_uris=_lines(fields.get("post_logout_redirect_uris", "")),
        backchannel_logout_uri=fields.get("backchannel_logout_uri") or None,
        frontchannel_logout_uri=fields.get("frontchannel_logout_uri") or None,
        token_endpoint_auth_method=fields.get("token_endpoint_auth_method", "client_secret_basic"),
        jwks_uri=fields.get("jwks_uri") or None,
        grant_types=tuple(multi.get("grant_types", [])),
        scopes=tuple(multi.get("scopes", [])) or ("openid",),
        subject_type=fields.get("subject_type", "pairwise"),
        sector_identifier=fields.get("sector_identifier") or None,
        id_token_signed_response_alg=fields.get("id_token_signed_response_alg", "ES256"),
    )
    return PortalForm(spec, min_acr)


def values_of(client: Client | None) -> dict[str, Any]:
    """The form's values for an existing portal (or the defaults for a new one)."""
    if client is None:
        return {
            "name": "",
            "redirect_uris": "",
            "post_logout_redirect_uris": "",
            "backchannel_logout_uri": "",
            "frontchannel_logout_uri": "",
            "token_endpoint_auth_method": "client_secret_basic",
            "jwks_uri": "",
            "grant_types": ["authorization_code", "refresh_token"],
            "scopes": ["openid", "profile"],
            "subject_type": "pairwise",
            "sector_identifier": "",
            "id_token_signed_response_alg": "ES256",
            "min_acr": "",
        }
    return {
        "name": client.name,
        "redirect_uris": "\n".join(client.redirect_uris),
        "post_logout_redirect_uris": "\n".join(client.post_logout_redirect_uris),
        "backchannel_logout_uri": client.backchannel_logout_uri or "",
        "frontchannel_logout_uri": client.frontchannel_logout_uri or "",
        "token_endpoint_auth_method": client.token_endpoint_auth_method,
        "jwks_uri": client.jwks_uri or "",
        "grant_types": list(client.grant_types),
        "scopes": list(client.scopes),
        "subject_type": client.subject_type,
        # Kept on edit, so that changing a redirect host does not change every citizen's pairwise sub.
        "sector_identifier": client.sector_identifier or "",
        "id_token_signed_response_alg": client.id_token_signed_response_alg,
        "min_acr": client.min_acr or "",
    }


def choices() -> dict[str, Any]:
    return {
        "auth_methods": AUTH_METHODS,
        "all_grant_types": GRANT_TYPES,
        "all_scopes": STANDARD_SCOPES,
        "algs": SUPPORTED_ALGS,
        "min_acrs": MIN_ACRS,
    }


def integration(issuer: str, client: Client) -> dict[str, Any]:
    """What the portal's developers need, shown on its page."""
    return {
        "discovery_url": f"{issuer}/.well-known/openid-configuration",
        "issuer": issuer,
        "client_id": client.client_id,
        "example": {
            "issuer": issuer,
            "client_id": client.client_id,
            "client_secret": "<shown once when created or rotated>"
            if client.token_endpoint_auth_method in ("client_secret_basic", "client_secret_post")
            else None,
            "token_endpoint_auth_method": client.token_endpoint_auth_method,
            "redirect_uri": client.redirect_uris[0] if client.redirect_uris else None,
            "response_type": "code",
            "scope": " ".join(s for s in ("openid", "profile") if s in client.scopes) or "openid",
            "code_challenge_method": "S256",
            "acr_values": client.min_acr,
        },
    }
