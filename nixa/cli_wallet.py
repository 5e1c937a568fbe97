"""``nixa wallet ...``: identity QR codes and wallet devices from the command line (operators)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

wallet_app = typer.Typer(help="Wallet: identity QR codes and wallet devices.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
PersonalIdOpt = Annotated[str, typer.Option("--personal-id", help="the 12-digit personal ID number")]


def _services() -> tuple[Any, Any]:
    from nixa.cli import platform
    from wallet.identity_qr.service import IdentityQrService
    from wallet.settings import WalletSettings
    from wallet.status_list.service import StatusListService

    p = platform()
    settings = WalletSettings()
    return p, IdentityQrService(p, StatusListService(p, settings), settings)


def _identity_id(p: Any, qrs: Any, personal_id: str) -> str:
    from nixa.cli import fail

    with p.db.read_session() as s:
        row = qrs.identities.find_by_username(s, personal_id) if personal_id.isdigit() else None
        if row is None:
            fail("no citizen with this personal ID number")
        return str(row.id)


@wallet_app.command("issue-qr")
def issue_qr(
    personal_id: PersonalIdOpt,
    out_file: Annotated[Path, typer.Option("--out", help="FILE.png, FILE.svg or FILE.txt")],
    with_portrait: Annotated[
        bool, typer.Option("--with-portrait", help="include the checked portrait")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Issue an identity QR for a citizen at level 2 or above (replaces their previous one)."""
    from nixa.cli import fail, out
    from wallet.identity_qr import render
    from wallet.identity_qr.service import NotEligible

    suffix = out_file.suffix.lower()
    if suffix not in (".png", ".svg", ".txt"):
        fail("--out must end in .png, .svg or .txt")
    p, qrs = _services()
    identity_id = _identity_id(p, qrs, personal_id)
    try:
        with p.db.session() as s:
            issued = qrs.issue(s, identity_id, actor="cli", with_portrait=with_portrait)
    except NotEligible as exc:
        fail(str(exc))
    body = {".png": render.png, ".svg": render.svg}.get(suffix, lambda t: t.encode())(issued.text)
    out_file.write_bytes(body)
    data = {"credential": issued.id, "expires_at": issued.expires_at.isoformat(), "file": str(out_file)}
    until = f"{issued.expires_at:%Y-%m-%d}"
    out(data, as_json, f"identity QR {issued.id} written to {out_file} (valid until {until})")


@wallet_app.command("revoke-qr")
def revoke_qr(
    personal_id: PersonalIdOpt,
    reason: Annotated[str, typer.Option("--reason", help="why, for the audit trail")] = "operator",
    as_json: JsonOpt = False,
) -> None:
    """Revoke every active identity QR of a citizen; verifiers see it through the status list."""
    from nixa.cli import out

    p, qrs = _services()
    identity_id = _identity_id(p, qrs, personal_id)
    with p.db.session() as s:
        count = qrs.revoke_all(s, identity_id, actor="operator:cli", reason=reason)
    out({"revoked": count}, as_json, f"revoked {count} identity QR code(s)")


@wallet_app.command("revoke-devices")
def revoke_devices(personal_id: PersonalIdOpt, as_json: JsonOpt = False) -> None:
    """Revoke every wallet device of a citizen: none of them can approve a QR log-in any more."""
    from nixa.cli import out
    from wallet.qr_login.devices import DeviceService
    from wallet.settings import WalletSettings

    p, qrs = _services()
    identity_id = _identity_id(p, qrs, personal_id)
    devices = DeviceService(
        p.issuer, WalletSettings().device_registration_ttl, p.settings.recent_login_seconds
    )
    with p.db.session() as s:
        count = devices.revoke_all(s, identity_id, actor="operator:cli")
    out({"revoked": count}, as_json, f"revoked {count} wallet device(s)")
