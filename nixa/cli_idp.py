"""``nixa idp``: the catalogue of upstream identity providers (issue 5)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

import typer

idp_app = typer.Typer(help="Upstream identity providers (OIDC and SAML 2.0 brokering).", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ListOpt = Annotated[list[str] | None, typer.Option()]


def _new_client_key() -> dict[str, Any]:
    from joserfc.jwk import ECKey

    key = ECKey.generate_key("P-256", auto_kid=True)
    return key.as_dict(private=True)


@idp_app.command("add")
def idp_add(
    name: Annotated[str, typer.Option(help="Short name: lowercase letters, digits, dashes.")],
    protocol: Annotated[str, typer.Option(help="oidc or saml")],
    display_name: Annotated[str | None, typer.Option(help="Shown on the login button.")] = None,
    discovery_url: Annotated[str | None, typer.Option()] = None,
    client_id: Annotated[str | None, typer.Option()] = None,
    client_secret: Annotated[str | None, typer.Option()] = None,
    auth_method: Annotated[
        str, typer.Option(help="client_secret_basic|client_secret_post|private_key_jwt")
    ] = ("client_secret_basic"),
    scope: ListOpt = None,
    metadata: Annotated[str | None, typer.Option(help="SAML metadata URL or file.")] = None,
    entity_id: Annotated[str | None, typer.Option(help="Which IdP of an aggregate SAML metadata.")] = None,
    acr_map: Annotated[list[str] | None, typer.Option(help="UPSTREAM_ACR=urn:nixa:loa:N (repeat).")] = None,
    claim_map: Annotated[list[str] | None, typer.Option(help="ATTRIBUTE=UPSTREAM_NAME (repeat).")] = None,
    trust_personal_id: Annotated[
        bool, typer.Option(help="Link and create on its personal ID number.")
    ] = False,
    trust_claim: Annotated[
        list[str] | None, typer.Option(help="Other attributes trusted as verified.")
    ] = None,
    identity_level: Annotated[int, typer.Option(help="Level of identities created from it (1-3).")] = 1,
    as_json: JsonOpt = False,
) -> None:
    """Add an upstream provider; prints the callback URL to register there."""
    from federation.upstream.catalogue import (
        CatalogueError,
        ProviderCatalogue,
        ProviderConfig,
        callback_url,
        parse_acr_map,
        parse_claim_map,
    )
    from nixa.cli import fail, out, platform

    p = platform()
    trusted = sorted({*(trust_claim or []), *(["personal_id"] if trust_personal_id else [])})
    try:
        config = ProviderConfig(
            acr_map=parse_acr_map(acr_map or []),
            claim_map=parse_claim_map(claim_map or []),
            trusted_claims=trusted,
            identity_level=identity_level,
            discovery_url=discovery_url or "",
            client_id=client_id or "",
            auth_method=auth_method,
        )
        if scope:
            config = replace(config, scopes=scope)
        if protocol == "saml":
            from federation.upstream.saml_metadata import identity_provider_entity_id, load_metadata

            xml = load_metadata(metadata or "")
            config = replace(
                config,
                metadata_xml=xml,
                metadata_source=metadata or "",
                entity_id=identity_provider_entity_id(xml, entity_id),
            )
        key = _new_client_key() if protocol == "oidc" and auth_method == "private_key_jwt" else None
        with p.db.session() as s:
            info = ProviderCatalogue(p.sealer).add(
                s,
                name=name,
                display_name=display_name or name,
                protocol=protocol,
                config=config,
                client_secret=client_secret,
                private_key=key,
            )
    except CatalogueError as exc:
        fail(str(exc))
    data: dict[str, Any] = {**info.summary(), "callback_url": callback_url(p.issuer, info)}
    if protocol == "oidc":
        data["post_logout_redirect_uri"] = f"{p.issuer}/federation/oidc/{name}/logged-out"
        data["backchannel_logout_uri"] = f"{p.issuer}/federation/oidc/{name}/backchannel-logout"
        if key is not None:
            data["jwks_uri"] = f"{p.issuer}/federation/oidc/{name}/jwks"
    else:
        data["sp_metadata_url"] = f"{p.issuer}/federation/saml/{name}/metadata"
        data["single_logout_url"] = f"{p.issuer}/federation/saml/{name}/slo"
    text = "\n".join(f"{k}: {v}" for k, v in data.items() if k.endswith(("_url", "_uri")))
    out(data, as_json, f"added {name}\nregister at the provider:\n{text}")


@idp_app.command("list")
def idp_list(as_json: JsonOpt = False) -> None:
    """The upstream providers, without secrets."""
    from federation.upstream.catalogue import ProviderCatalogue
    from nixa.cli import out, platform

    p = platform()
    with p.db.session() as s:
        rows = [i.summary() for i in ProviderCatalogue(p.sealer).list(s)]
    lines = [
        f"{r['name']}\t{r['protocol']}\t{'enabled' if r['enabled'] else 'disabled'}\t{r['display_name']}"
        for r in rows
    ]
    out(rows, as_json, "\n".join(lines) or "(no upstream providers)")


@idp_app.command("update")
def idp_update(
    name: str,
    display_name: Annotated[str | None, typer.Option()] = None,
    enable: Annotated[
        bool | None, typer.Option("--enable/--disable", help="Offer it on the login page.")
    ] = None,
    client_secret: Annotated[str | None, typer.Option(help="A new client secret (rotation).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Rename, enable or disable a provider, or rotate its client secret."""
    from federation.upstream.catalogue import CatalogueError, ProviderCatalogue
    from nixa.cli import fail, out, platform

    p = platform()
    try:
        with p.db.session() as s:
            info = ProviderCatalogue(p.sealer).update(
                s, name, display_name=display_name, enabled=enable, client_secret=client_secret
            )
    except CatalogueError as exc:
        fail(str(exc))
    out(info.summary(), as_json, f"updated {name} ({'enabled' if info.enabled else 'disabled'})")


@idp_app.command("remove")
def idp_remove(name: str, as_json: JsonOpt = False) -> None:
    """Remove a provider and its links (those citizens log in with NIXA's own methods)."""
    from federation.upstream.catalogue import CatalogueError, ProviderCatalogue
    from nixa.cli import fail, out, platform

    p = platform()
    try:
        with p.db.session() as s:
            ProviderCatalogue(p.sealer).remove(s, name)
    except CatalogueError as exc:
        fail(str(exc))
    out({"removed": name}, as_json, f"removed {name}")
