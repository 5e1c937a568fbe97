"""``nixa credential ...``: verifiable credentials from the command line (operators).

Offer a credential to a citizen (the offer URI and its transaction code, optionally as a QR image), list
what was issued, revoke (the status list entry turns invalid), and open a presentation request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

credential_app = typer.Typer(
    help="Verifiable credentials (SD-JWT VC): offers, revocation.", no_args_is_help=True
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
PersonalIdOpt = Annotated[str, typer.Option("--personal-id", help="the 12-digit personal ID number")]


def _services() -> Any:
    from nixa.cli import platform
    from wallet.credential_extension import CredentialServices

    return CredentialServices(platform())


def _identity_id(services: Any, personal_id: str) -> str:
    from idp.identities import IdentityStore
    from nixa.cli import fail

    p = services.platform
    store = IdentityStore(p.sealer, p.blind_index, p.passwords)
    with p.db.read_session() as s:
        row = store.find_by_username(s, personal_id) if personal_id.isdigit() else None
        if row is None:
            fail("no citizen with this personal ID number")
        return str(row.id)


def write_qr(text: str, path: Path) -> None:
    """PNG or SVG, error correction Q (a phone reads it from a screen or paper at an angle)."""
    import qrcode
    import qrcode.image.svg

    factory = qrcode.image.svg.SvgPathImage if path.suffix.lower() == ".svg" else None
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, image_factory=factory)
    qr.add_data(text)
    qr.make(fit=True)
    qr.make_image().save(str(path))


@credential_app.command("offer")
def offer(
    personal_id: PersonalIdOpt,
    qr: Annotated[
        Path | None, typer.Option("--qr", help="also write the offer as FILE.png or FILE.svg")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """A pre-authorized credential offer for a verified citizen; tell them the transaction code apart."""
    from nixa.cli import fail, out
    from wallet.vci.offers import NotEligible

    if qr is not None and qr.suffix.lower() not in (".png", ".svg"):
        fail("--qr must end in .png or .svg")
    services = _services()
    identity_id = _identity_id(services, personal_id)
    try:
        with services.platform.db.session() as s:
            made = services.offers.create(s, identity_id, actor="operator:cli")
    except NotEligible as exc:
        fail(str(exc))
    if qr is not None:
        write_qr(made.uri, qr)
    data = {
        "offer_uri": made.uri,
        "tx_code": made.tx_code,
        "expires_in": made.expires_in,
        "qr": str(qr or ""),
    }
    out(data, as_json, f"{made.uri}\ntransaction code: {made.tx_code} (valid {made.expires_in // 60} min)")


@credential_app.command("list")
def list_credentials(
    personal_id: Annotated[str | None, typer.Option("--personal-id")] = None, as_json: JsonOpt = False
) -> None:
    """Issued credentials (all, or one citizen's), newest first; no personal data is shown."""
    from nixa.cli import out

    services = _services()
    identity_id = _identity_id(services, personal_id) if personal_id else None
    with services.platform.db.read_session() as s:
        rows = services.revocation.list_for(s, identity_id)
    data = [
        {
            "id": r.id,
            "vct": r.vct,
            "state": r.state,
            "holder_jkt": r.holder_jkt,
            "issued_at": r.issued_at.isoformat(),
            "expires_at": r.expires_at.isoformat(),
            "revocation_reason": r.revocation_reason,
        }
        for r in rows
    ]
    out(
        data,
        as_json,
        "\n".join(f"{r['id']}  {r['state']:8}  {r['issued_at'][:10]}  {r['holder_jkt'][:8]}" for r in data),
    )


@credential_app.command("revoke")
def revoke(
    credential_id: str,
    reason: Annotated[
        str, typer.Option(help="lost_device, holder_request, operator, identity_changed, compromised")
    ] = "operator",
    operator: Annotated[str, typer.Option(help="who revokes, for the audit trail")] = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Revoke a credential: its status list entry becomes invalid and verifiers refuse it."""
    from nixa.cli import fail, out
    from wallet.vci.revocation import UnknownCredential

    services = _services()
    try:
        with services.platform.db.session() as s:
            done = services.revocation.revoke(s, credential_id, actor=f"operator:{operator}", reason=reason)
    except (UnknownCredential, ValueError) as exc:
        fail(str(exc))
    out({"id": done.id, "state": done.state, "reason": done.revocation_reason}, as_json, f"revoked {done.id}")


@credential_app.command("request")
def presentation_request(
    claim: Annotated[list[str], typer.Option("--claim", help="a claim to ask for (repeat)")],
    qr: Annotated[
        Path | None, typer.Option("--qr", help="also write the request as FILE.png or FILE.svg")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Open an OpenID4VP presentation request (for a counter without the web page); prints the wallet URI."""
    from nixa.cli import fail, out
    from wallet.vci.metadata import IDENTITY_CLAIMS, IDENTITY_VCT
    from wallet.vp.dcql import identity_query

    if unknown := [c for c in claim if c not in IDENTITY_CLAIMS]:
        fail(f"unknown claims: {', '.join(unknown)}")
    services = _services()
    with services.platform.db.session() as s:
        made = services.presentations.create(
            s, identity_query(IDENTITY_VCT, claim), requested_by=None, actor="operator:cli"
        )
    if qr is not None:
        write_qr(made.wallet_uri, qr)
    data = {"id": made.id, "wallet_uri": made.wallet_uri, "result_token": made.result_secret}
    out(data, as_json, made.wallet_uri)
