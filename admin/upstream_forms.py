"""The console's form for a new upstream identity provider, read into the catalogue's ``ProviderConfig``.

An OIDC provider is added by its discovery URL, read once here so that a typo or a document naming another
issuer is refused at once (Discovery 1.0 Section 4.3); a SAML provider by its metadata URL or pasted XML.
Nothing here reads a file on the server: an operator's form never names a path."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from federation.broker.errors import UpstreamLoginRefused
from federation.broker.oidc_upstream import UpstreamDirectory
from federation.upstream.catalogue import (
    ATTRIBUTES,
    CatalogueError,
    ProviderConfig,
    ProviderInfo,
    callback_url,
    parse_acr_map,
    parse_claim_map,
)
from federation.upstream.saml_metadata import identity_provider_entity_id, load_metadata

# private_key_jwt needs a key pair made and registered out of band: `nixa idp add --auth-method ...`.
AUTH_METHODS = ("client_secret_basic", "client_secret_post")
MAX_METADATA = 512 * 1024


@dataclass(frozen=True)
class NewProvider:
    name: str
    display_name: str
    protocol: str
    config: ProviderConfig
    client_secret: str | None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _url_allowed(url: str, production: bool) -> bool:
    # Outside development only https: the metadata and discovery carry the keys NIXA will trust.
    return url.startswith("https://") or (not production and url.startswith("http://"))


def _oidc(fields: dict[str, str], config: ProviderConfig, production: bool) -> ProviderConfig:
    url = fields.get("discovery_url", "")
    if not _url_allowed(url, production):
        raise CatalogueError("the discovery URL must be an https URL")
    if fields.get("auth_method", "client_secret_basic") not in AUTH_METHODS:
        raise CatalogueError(f"auth method must be one of {', '.join(AUTH_METHODS)}")
    try:
        UpstreamDirectory().metadata(url)
    except UpstreamLoginRefused as exc:
        raise CatalogueError(f"the discovery document cannot be used: {exc}") from exc
    scopes = fields.get("scopes", "").split() or ["openid", "profile"]
    return replace(
        config,
        discovery_url=url,
        client_id=fields.get("client_id", ""),
        auth_method=fields.get("auth_method", "client_secret_basic"),
        scopes=scopes,
    )


def _saml(fields: dict[str, str], config: ProviderConfig, production: bool) -> ProviderConfig:
    url, pasted = fields.get("metadata_url", ""), fields.get("metadata_xml", "")
    if bool(url) == bool(pasted):
        raise CatalogueError("give either the metadata URL or the pasted metadata, not both")
    if url and not _url_allowed(url, production):
        raise CatalogueError("the metadata URL must be an https URL")
    xml = load_metadata(url) if url else pasted
    if len(xml) > MAX_METADATA:
        raise CatalogueError("the metadata is too large")
    entity_id = identity_provider_entity_id(xml)
    return replace(config, metadata_xml=xml, metadata_source=url or "pasted", entity_id=entity_id)


def parse(fields: dict[str, str], trusted: list[str], *, production: bool) -> NewProvider:
    """The posted form as a provider for ``ProviderCatalogue.add``; ``CatalogueError`` says what is wrong."""
    protocol = fields.get("protocol", "")
    try:
        level = int(fields.get("identity_level", "1"))
    except ValueError:
        raise CatalogueError("identity level must be 1, 2 or 3") from None
    config = ProviderConfig(
        acr_map=parse_acr_map(_lines(fields.get("acr_map", ""))),
        claim_map=parse_claim_map(_lines(fields.get("claim_map", ""))),
        trusted_claims=sorted(set(trusted)),
        identity_level=level,
    )
    if protocol == "oidc":
        config = _oidc(fields, config, production)
    elif protocol == "saml":
        config = _saml(fields, config, production)
    else:
        raise CatalogueError("protocol must be oidc or saml")
    name = fields.get("name", "")
    secret = fields.get("client_secret") or None if protocol == "oidc" else None
    return NewProvider(name, fields.get("display_name") or name, protocol, config, secret)


def blank_values() -> dict[str, Any]:
    return {"protocol": "oidc", "auth_method": "client_secret_basic", "identity_level": "1", "trusted": []}


def registration(issuer: str, info: ProviderInfo) -> dict[str, str]:
    """What the upstream provider's operators register for NIXA (as ``nixa idp add`` prints it)."""
    out = {"callback_url": callback_url(issuer, info)}
    base = f"{issuer}/federation/{info.protocol}/{info.name}"
    if info.protocol == "oidc":
        out |= {
            "post_logout_redirect_uri": f"{base}/logged-out",
            "backchannel_logout_uri": f"{base}/backchannel-logout",
        }
        if info.has_private_key:
            out["jwks_uri"] = f"{base}/jwks"
    else:
        out |= {"sp_metadata_url": f"{base}/metadata", "single_logout_url": f"{base}/slo"}
    return out


def acr_lines(info: ProviderInfo) -> list[tuple[str, str]]:
    return [(upstream, f"urn:nixa:loa:{level}") for upstream, level in sorted(info.config.acr_map.items())]


ATTRIBUTE_CHOICES = ATTRIBUTES
