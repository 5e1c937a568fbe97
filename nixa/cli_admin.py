"""``nixa admin``: the operator console (serve it, register it with NIXA) and operators' roles."""

from __future__ import annotations

import getpass
import logging
from typing import Annotated, Any

import typer

admin_app = typer.Typer(help="Operator console and operators' roles.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
PersonalIdOpt = Annotated[
    str, typer.Option("--personal-id", help="The operator's 12-digit personal ID number.")
]
RoleOpt = Annotated[str, typer.Option(help="verifier | portal_manager | security_officer | auditor")]
ReasonOpt = Annotated[str, typer.Option(help="Why; recorded in the audit trail.")]


def _cli_actor() -> str:
    """The audit trail's "who" for commands: the system account that ran them."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def _identity_id(p: Any, personal_id: str) -> str:
    from nixa.cli import fail

    with p.db.session() as s:
        from idp.identities import IdentityStore

        identity = IdentityStore(p.sealer, p.blind_index, p.passwords).find_by_username(s, personal_id)
        if identity is None:
            fail("no citizen with this personal ID number")
        return str(identity.id)


@admin_app.command("serve")
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8090,
) -> None:
    """Run the operator console (NIXA_ADMIN_BASE_URL says where operators reach it)."""
    import uvicorn

    from admin.settings import AdminSettings
    from admin.web.app import create_admin_app
    from nixa.cli import platform

    logging.basicConfig(level=logging.INFO)
    uvicorn.run(create_admin_app(platform(), AdminSettings()), host=host, port=port, proxy_headers=False)


@admin_app.command("register-client")
def register_client(as_json: JsonOpt = False) -> None:
    """Register the console as a client of NIXA, or bring its registration up to date."""
    from admin.console_client import ensure_console_client
    from admin.settings import AdminSettings
    from nixa.cli import out, platform

    admin, p = AdminSettings(), platform()
    with p.db.session() as s:
        client = ensure_console_client(s, p, admin)
        data = {
            "client_id": client.client_id,
            "redirect_uris": client.redirect_uris,
            "min_acr": client.min_acr,
        }
    out(data, as_json, f"console registered as {data['client_id']} ({admin.redirect_uri})")


@admin_app.command("grant")
def grant(
    personal_id: PersonalIdOpt,
    role: RoleOpt,
    reason: ReasonOpt = "granted with nixa admin grant",
    as_json: JsonOpt = False,
) -> None:
    """Give a NIXA identity an operator role."""
    _change_role("grant", personal_id, role, reason, as_json)


@admin_app.command("revoke")
def revoke(
    personal_id: PersonalIdOpt,
    role: RoleOpt,
    reason: ReasonOpt = "revoked with nixa admin revoke",
    as_json: JsonOpt = False,
) -> None:
    """Take an operator role away (effective at the operator's next request)."""
    _change_role("revoke", personal_id, role, reason, as_json)


def _change_role(change: str, personal_id: str, role: str, reason: str, as_json: bool) -> None:
    from admin import operators
    from nixa.cli import fail, out, platform

    p = platform()
    identity_id = _identity_id(p, personal_id)
    apply = operators.grant if change == "grant" else operators.revoke
    try:
        with p.db.session() as s:
            changed = apply(s, identity_id, role, actor=_cli_actor(), reason=reason)
            roles = sorted(operators.roles_of(s, identity_id))
    except operators.UnknownRole as exc:
        fail(str(exc))
    if change == "revoke" and not changed:
        fail(f"this identity does not have the role {role}")
    out(
        {"identity_id": identity_id, "roles": roles, "changed": changed},
        as_json,
        f"roles: {', '.join(roles) or '-'}",
    )


@admin_app.command("operators")
def list_operators(as_json: JsonOpt = False) -> None:
    """Every operator role granted, with who granted it and when."""
    from admin import operators
    from nixa.cli import out, platform

    p = platform()
    with p.db.session() as s:
        grants = [
            {
                "identity_id": g.identity_id,
                "role": g.role,
                "granted_by": g.granted_by,
                "granted_at": g.granted_at,
            }
            for g in operators.all_grants(s)
        ]
    text = (
        "\n".join(f"{g['identity_id']}  {g['role']}  ({g['granted_by']})" for g in grants) or "no operators"
    )
    out(grants, as_json, text)
