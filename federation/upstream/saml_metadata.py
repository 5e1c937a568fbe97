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


def _descriptors(xml: str) -> list[md.EntityDescriptor]:
    """One EntityDescriptor, or the entities of an EntitiesDescriptor (a federation's aggregate)."""
    for parse in (md.entity_descriptor_from_string, md.entities_descriptor_from_string):
        try:
            found = parse(xml)
        except Exception:  # noqa: S112  (pysaml2 raises many kinds on the wrong root element)
            continue
        if isinstance(found, md.EntityDescriptor):
            return [found]
        if isinstance(found, md.EntitiesDescriptor):
            return list(found.entity_descriptor)
    raise CatalogueError("the metadata is not a SAML EntityDescriptor or EntitiesDescriptor")


def identity_provider_entity_id(xml: str, wanted: str | None = None) -> str:
    """The entityID of the IdP to use (``wanted``, or the only IdP the metadata describes); it must
    publish a signing certificate."""
    idps = [d for d in _descriptors(xml) if d.entity_id and d.idpsso_descriptor]
    if wanted is not None:
        idps = [d for d in idps if d.entity_id == wanted]
    if len(idps) != 1:
        raise CatalogueError(
            "the metadata describes no such identity provider"
            if not idps
            else "the metadata describes several identity providers: choose one with --entity-id"
        )
    descriptor = idps[0]
    if not descriptor.idpsso_descriptor:
        raise CatalogueError("the metadata describes no identity provider (IDPSSODescriptor)")
    keys = [k for d in descriptor.idpsso_descriptor for k in d.key_descriptor if k.use in (None, "signing")]
    if not keys:
        raise CatalogueError("the identity provider's metadata has no signing certificate")
    return str(descriptor.entity_id)
