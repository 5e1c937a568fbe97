"""Reading an upstream SAML identity provider's metadata (by URL or file) and naming its entity ID."""

from __future__ import annotations

from pathlib import Path

import httpx
from saml2 import md

from federation.upstream.catalogue import CatalogueError


def load_metadata(source: str) -> str:
    """The metadata XML from an https (or loopback http) URL or a file path."""
    if source.startswith(("https://", "http://")):
        try:
            resp = httpx.get(source, timeout=10.0, follow_redirects=False)
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            raise CatalogueError(f"cannot read the metadata URL: {type(exc).__name__}") from exc
        return resp.text
    path = Path(source)
    if not path.is_file():
        raise CatalogueError(f"no metadata file at {source}")
    return path.read_text(encoding="utf-8")


def identity_provider_entity_id(xml: str) -> str:
    """The entityID of the one IdP the metadata describes; it must publish a signing certificate."""
    try:
        descriptor = md.entity_descriptor_from_string(xml)
    except Exception as exc:
        raise CatalogueError("the metadata is not a SAML EntityDescriptor") from exc
    if descriptor is None or not descriptor.entity_id:
        raise CatalogueError("the metadata is not a SAML EntityDescriptor")
    if not descriptor.idpsso_descriptor:
        raise CatalogueError("the metadata describes no identity provider (IDPSSODescriptor)")
    keys = [k for d in descriptor.idpsso_descriptor for k in d.key_descriptor if k.use in (None, "signing")]
    if not keys:
        raise CatalogueError("the identity provider's metadata has no signing certificate")
    return str(descriptor.entity_id)
