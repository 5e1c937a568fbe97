"""The ``nixa`` command. Every subcommand prints JSON with ``--json``; errors go to stderr with exit 1."""

from __future__ import annotations

import json
import logging
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from idp.config import ConfigurationError, Settings
from nixa import cli_federation
from nixa.cli_admin import admin_app
from nixa.cli_credentials import credential_app
from nixa.cli_idp import idp_app
from nixa.cli_wallet import wallet_app

app = typer.Typer(
    help="NIXA: national identity exchange and authentication platform.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
client_app = typer.Typer(help="Relying portals (OAuth clients).", no_args_is_help=True)
user_app = typer.Typer(help="Citizen accounts.", no_args_is_help=True)
keys_app = typer.Typer(help="Signing keys.", no_args_is_help=True)
registry_app = typer.Typer(help="Population registry.", no_args_is_help=True)
audit_app = typer.Typer(help="Audit trail.", no_args_is_help=True)
for sub, name in (
    (db_app, "db"),
    (client_app, "client"),
    (user_app, "user"),
    (keys_app, "keys"),
    (registry_app, "registry"),
    (audit_app, "audit"),
    (credential_app, "credential"),
    (admin_app, "admin"),
    (cli_federation.app, "federation"),
    (idp_app, "idp"),
    (wallet_app, "wallet"),
):
    app.add_typer(sub, name=name)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def out(data: Any, as_json: bool, text: str) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str, indent=2) if as_json else text)


def load_settings() -> Settings:
    try:
        settings = Settings()
        settings.check_production()
        return settings
    except ConfigurationError as exc:
        fail(str(exc))


def platform() -> Any:
    from idp.migrate import upgrade
    from idp.platform import Platform

    settings = load_settings()
    try:
        p = Platform(settings)
    except ConfigurationError as exc:
        fail(str(exc))
    if not settings.production:
        upgrade(settings.resolved_database_url)  # development convenience; production runs `nixa db upgrade`
    p.keys.ensure_keys()
    return p


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (PostgreSQL for more than 1).")] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request (uvicorn access log).")] = True,
) -> None:
    """Run the OpenID Provider."""
    from nixa.serving import serve as run_server

    logging.basicConfig(level=logging.INFO)
    run_server(platform(), host=host, port=port, workers=workers, access_log=access_log)


@db_app.command("upgrade")
def db_upgrade(as_json: JsonOpt = False) -> None:
    """Apply the Alembic migrations."""
    from idp.migrate import current, upgrade

    settings = load_settings()
    upgrade(settings.resolved_database_url)
    revs = current(settings.resolved_database_url)
    out({"revisions": revs}, as_json, f"database at revision {', '.join(revs)}")


@client_app.command("add")
def client_add(
    name: Annotated[str, typer.Option()],
    redirect_uri: Annotated[list[str], typer.Option()],
    post_logout_redirect_uri: Annotated[list[str] | None, typer.Option()] = None,
    backchannel_logout_uri: Annotated[str | None, typer.Option()] = None,
    frontchannel_logout_uri: Annotated[str | None, typer.Option()] = None,
    auth_method: Annotated[str, typer.Option()] = "client_secret_basic",
    jwks_uri: Annotated[str | None, typer.Option()] = None,
    scope: Annotated[list[str] | None, typer.Option()] = None,
    subject_type: Annotated[str, typer.Option()] = "pairwise",
    id_token_alg: Annotated[str, typer.Option("--id-token-alg")] = "ES256",
    client_id: Annotated[str | None, typer.Option(help="Choose the client_id (default: random).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a portal; the client secret is printed once and stored only as a hash."""
    from idp.clients import STANDARD_SCOPES, ClientSpec, create_client
    from idp.errors import OAuthError

    spec = ClientSpec(
        name=name,
        redirect_uris=redirect_uri,
        post_logout_redirect_uris=post_logout_redirect_uri or [],
        backchannel_logout_uri=backchannel_logout_uri,
        frontchannel_logout_uri=frontchannel_logout_uri,
        token_endpoint_auth_method=auth_method,
        jwks_uri=jwks_uri,
        scopes=tuple(scope or STANDARD_SCOPES),
        subject_type=subject_type,
        id_token_signed_response_alg=id_token_alg,
    )
    p = platform()
    try:
        with p.db.session() as s:
            client, secret = create_client(s, spec, actor="cli", client_id=client_id)
            cid = client.client_id
    except OAuthError as exc:
        fail(exc.description)
    out(
        {"client_id": cid, "client_secret": secret},
        as_json,
        f"client_id:     {cid}\nclient_secret: {secret or '(none)'}\n(the secret is shown only this once)",
    )


@client_app.command("initial-token")
def client_initial_token(
    ttl: Annotated[int, typer.Option(help="Seconds the token stays valid.", min=60)] = 86400,
    max_uses: Annotated[int, typer.Option(help="How many registrations it allows.", min=1)] = 1,
    description: Annotated[str, typer.Option()] = "",
    as_json: JsonOpt = False,
) -> None:
    """Issue an initial access token for dynamic registration (RFC 7591); shown once, stored as a hash."""
    from idp.oauth.registration import issue_initial_access_token

    p = platform()
    with p.db.session() as s:
        token = issue_initial_access_token(
            s, actor="cli", ttl_seconds=ttl, max_uses=max_uses, description=description
        )
    out(
        {
            "initial_access_token": token,
            "registration_endpoint": f"{p.issuer}/register",
            "max_uses": max_uses,
            "expires_in": ttl,
        },
        as_json,
        f"initial access token: {token}\nregistration endpoint: {p.issuer}/register\n(shown only this once)",
    )


@client_app.command("list")
def client_list(as_json: JsonOpt = False) -> None:
    from idp.clients import list_clients

    with platform().db.session() as s:
        rows = [
            {
                "client_id": c.client_id,
                "name": c.name,
                "auth_method": c.token_endpoint_auth_method,
                "redirect_uris": c.redirect_uris,
                "subject_type": c.subject_type,
                "disabled": c.disabled,
            }
            for c in list_clients(s)
        ]
    out(
        rows,
        as_json,
        "\n".join(f"{r['client_id']}  {r['name']}  {r['auth_method']}" for r in rows) or "(none)",
    )


@client_app.command("remove")
def client_remove(client_id: str, as_json: JsonOpt = False) -> None:
    from idp.clients import remove_client

    with platform().db.session() as s:
        removed = remove_client(s, client_id, actor="cli")
    if not removed:
        fail(f"no client {client_id}")
    out({"removed": client_id}, as_json, f"removed {client_id}")


@user_app.command("add")
def user_add(
    personal_id: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option()],
    email: Annotated[str | None, typer.Option()] = None,
    name: Annotated[str | None, typer.Option()] = None,
    birth_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    loa: Annotated[int, typer.Option(min=1, max=3)] = 1,
    as_json: JsonOpt = False,
) -> None:
    """Create a citizen account (demos and operators' tooling)."""
    from idp.identities import IdentityExists, IdentityStore
    from idp.passwords import PasswordPolicyError
    from idp.personal_id import InvalidPersonalId

    p = platform()
    store = IdentityStore(p.sealer, p.blind_index, p.passwords)
    try:
        born = date.fromisoformat(birth_date) if birth_date else None
        with p.db.session() as s:
            row = store.create(
                s,
                personal_id=personal_id,
                password=password,
                full_name=name,
                birth_date=born,
                email=email,
                loa=loa,
                actor="cli",
                email_verified=email is not None,
            )
            iid = row.id
    except InvalidPersonalId as exc:
        fail(f"invalid personal ID number ({exc.problem.value})")
    except (IdentityExists, PasswordPolicyError, ValueError) as exc:
        fail(str(exc))
    out({"id": iid, "loa": loa}, as_json, f"created identity {iid} at urn:nixa:loa:{loa}")


@keys_app.command("list")
def keys_list(as_json: JsonOpt = False) -> None:
    rows = [k.__dict__ for k in platform().keys.list_keys()]
    out(rows, as_json, "\n".join(f"{r['kid']}  {r['alg']}  {r['state']}" for r in rows))


@keys_app.command("rotate")
def keys_rotate(alg: Annotated[str | None, typer.Option()] = None, as_json: JsonOpt = False) -> None:
    """Promote the published next key to current and retire the current one."""
    kids = platform().keys.rotate(actor="cli", alg=alg)
    out({"current": kids}, as_json, "now signing with " + ", ".join(kids))


@registry_app.command("import")
def registry_import(file: Path, as_json: JsonOpt = False) -> None:
    from idp.registry import RegistryFormatError, import_csv

    if not file.is_file():
        fail(f"{file} is not a file")
    p = platform()
    try:
        with p.db.session() as s:
            report = import_csv(s, file, sealer=p.sealer, index=p.blind_index, actor="cli")
    except RegistryFormatError as exc:
        fail(str(exc))
    data = {"imported": report.imported, "updated": report.updated, "rejected": report.rejected}
    out(
        data,
        as_json,
        f"imported {report.imported}, updated {report.updated}, rejected {len(report.rejected)}"
        + "".join(f"\n  {r}" for r in report.rejected[:20]),
    )


@registry_app.command("recheck")
def registry_recheck(limit: Annotated[int, typer.Option()] = 100, as_json: JsonOpt = False) -> None:
    """Ask the registry again about identities whose match was unavailable at registration."""
    from idp.identities import IdentityStore
    from idp.population.factory import registry_from_settings
    from idp.population.recheck import recheck_pending

    p = platform()
    try:
        registry = registry_from_settings(p.settings, db=p.db, sealer=p.sealer, index=p.blind_index)
    except ConfigurationError as exc:
        fail(str(exc))
    store = IdentityStore(p.sealer, p.blind_index, p.passwords)
    report = recheck_pending(p.db, registry, store, limit=limit)
    counts = [len(report.matched), len(report.not_matched), len(report.still_unavailable)]
    data = dict(zip(["matched", "not_matched", "still_unavailable"], counts, strict=True))
    out(data, as_json, "matched {}, not matched {}, still unavailable {}".format(*counts))


@audit_app.command("verify")
def audit_verify(as_json: JsonOpt = False) -> None:
    """Check the hash chain; exit 1 if any record was changed or deleted."""
    from idp.audit import verify

    verdict = verify(platform().db)
    out(
        {"ok": verdict.ok, "records": verdict.records, "problems": verdict.problems},
        as_json,
        f"audit chain {'intact' if verdict.ok else 'BROKEN'}: {verdict.records} records"
        + "".join(f"\n  {p}" for p in verdict.problems),
    )
    if not verdict.ok:
        raise typer.Exit(1)


@app.command()
def demo(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="IdP port; the portals use the next two.")] = 8000,
) -> None:
    """Start the IdP with two demo portals and demo citizens on SQLite, and print how to try them."""
    from nixa.demo import run_demo

    run_demo(host=host, port=port)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
