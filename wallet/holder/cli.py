"""``nixa-wallet``: the reference holder wallet on the command line (every command takes --json).

It stands in for the phone app in tests and the demo: it keeps a device key and credentials in a folder
(``--wallet-dir`` or ``NIXA_WALLET_DIR``), receives credentials over OpenID4VCI and presents them over
OpenID4VP, always showing who asks for what before anything is sent.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, NoReturn

import httpx
import typer

from wallet.holder.device_cli import register_commands as register_device_commands
from wallet.holder.issuance import CredentialReceiver, IssuanceError
from wallet.holder.loopback import LoopbackRedirect
from wallet.holder.presentation import PresentationError, Presenter
from wallet.holder.status import credential_status
from wallet.holder.store import WalletStore

app = typer.Typer(help="NIXA reference wallet: receive and present credentials.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
DirOpt = Annotated[Path | None, typer.Option("--wallet-dir", help="where the key and credentials are kept")]
TRUST_FILE = "trusted-verifiers.json"


def http_client() -> httpx.Client:
    """The wallet's HTTP client (tests point it at the app in process)."""
    return httpx.Client(timeout=15, follow_redirects=False)


def _store(wallet_dir: Path | None) -> WalletStore:
    return WalletStore(wallet_dir or Path(os.environ.get("NIXA_WALLET_DIR", Path.home() / ".nixa-wallet")))


def _out(data: Any, as_json: bool, text: str) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else text)


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _trusted(store: WalletStore) -> set[str]:
    path = store.folder / TRUST_FILE
    return set(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else set()


@app.command()
def key(wallet_dir: DirOpt = None, as_json: JsonOpt = False) -> None:
    """Show (creating it on first use) the device key credentials are bound to."""
    jwk = _store(wallet_dir).holder_key()
    _out({"thumbprint": jwk.thumbprint(), "jwk": jwk.as_dict(private=False)}, as_json, jwk.thumbprint())


@app.command()
def receive(
    offer: Annotated[str, typer.Argument(help="the openid-credential-offer:// URI from the QR")],
    tx_code: Annotated[str | None, typer.Option("--tx-code", help="the code shown beside the QR")] = None,
    wallet_dir: DirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Receive a credential from a pre-authorized offer (OpenID4VCI)."""
    with http_client() as http:
        try:
            stored = CredentialReceiver(_store(wallet_dir), http).accept_offer(offer, tx_code)
        except IssuanceError as exc:
            _fail(str(exc))
    _out(
        {"id": stored.id, "issuer": stored.issuer, "vct": stored.vct},
        as_json,
        f"received {stored.id} ({stored.vct})",
    )


@app.command("login-receive")
def login_receive(
    issuer: Annotated[str, typer.Option(help="the credential issuer, e.g. https://nixa.gov.vn")],
    client_id: Annotated[str, typer.Option(help="this wallet app's client_id at NIXA")],
    redirect_uri: Annotated[str, typer.Option(help="its registered loopback redirect URI")],
    timeout: Annotated[int, typer.Option(help="seconds to wait for the login")] = 300,
    wallet_dir: DirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Receive a credential with the authorization code flow: log in to NIXA in the browser, then wait."""
    import secrets
    import webbrowser

    verifier = secrets.token_urlsafe(48)
    state = secrets.token_urlsafe(16)
    with http_client() as http, LoopbackRedirect(redirect_uri) as loopback:
        receiver = CredentialReceiver(_store(wallet_dir), http)
        url = receiver.authorization_url(
            issuer, client_id=client_id, redirect_uri=redirect_uri, code_challenge=s256(verifier), state=state
        )
        typer.echo(f"log in at: {url}", err=True)
        webbrowser.open(url)
        try:
            params = loopback.wait(timeout)
        except TimeoutError:
            _fail("no login within the time allowed")
        # RFC 6749 Section 10.12: the state must be the one we sent (CSRF against the wallet).
        if params.get("state") != state or "code" not in params:
            _fail(f"login failed: {params.get('error', 'state mismatch')}")
        try:
            stored = receiver.accept_authorization_code(
                issuer,
                code=params["code"],
                code_verifier=verifier,
                client_id=client_id,
                redirect_uri=redirect_uri,
            )
        except IssuanceError as exc:
            _fail(str(exc))
    _out(
        {"id": stored.id, "issuer": stored.issuer, "vct": stored.vct},
        as_json,
        f"received {stored.id} ({stored.vct})",
    )


def s256(verifier: str) -> str:
    """RFC 7636 Section 4.2: the S256 code challenge."""
    import base64
    import hashlib

    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@app.command("list")
def list_credentials(
    wallet_dir: DirOpt = None,
    check_status: Annotated[
        bool, typer.Option("--check-status", help="ask the issuer's status list")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """The credentials this wallet holds (with --check-status: valid, revoked or suspended)."""
    store = _store(wallet_dir)
    items = [
        {"id": c.id, "issuer": c.issuer, "vct": c.vct, "received_at": c.received_at}
        for c in store.credentials()
    ]
    if check_status:
        with http_client() as http:
            for item, stored in zip(items, store.credentials(), strict=True):
                item["status"] = credential_status(store, http, stored)
    _out(
        items, as_json, "\n".join(f"{c['id']}  {c['vct']}  {c['issuer']}" for c in items) or "no credentials"
    )


@app.command("trust-verifier")
def trust_verifier(client_id: str, wallet_dir: DirOpt = None, as_json: JsonOpt = False) -> None:
    """Pin a verifier (its x509_hash client_id), so its requests are shown as trusted."""
    store = _store(wallet_dir)
    trusted = sorted(_trusted(store) | {client_id})
    store.folder.mkdir(parents=True, exist_ok=True)
    (store.folder / TRUST_FILE).write_text(json.dumps(trusted), encoding="utf-8")
    _out({"trusted": trusted}, as_json, f"trusting {client_id}")


@app.command()
def present(
    request: Annotated[str, typer.Argument(help="the openid4vp:// URI from the verifier's QR")],
    yes: Annotated[bool, typer.Option("--yes", help="share without asking")] = False,
    decline: Annotated[bool, typer.Option("--decline", help="tell the verifier you refuse")] = False,
    wallet_dir: DirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer a presentation request (OpenID4VP) with only the claims it asks for."""
    store = _store(wallet_dir)
    with http_client() as http:
        presenter = Presenter(store, http, _trusted(store))
        try:
            pending = presenter.fetch(request)
        except PresentationError as exc:
            _fail(f"request refused: {exc.reason}")
        summary = {
            "verifier": pending.verifier_name,
            "trusted": pending.trusted,
            "claims": pending.requested_claims,
        }
        if not as_json:
            mark = "" if pending.trusted else " (NOT a verifier you trust)"
            typer.echo(f"{pending.verifier_name}{mark} asks for: {', '.join(pending.requested_claims)}")
        approve = not decline and (yes or typer.confirm("Share?", default=False))
        resp = presenter.respond(pending, approve=approve)
    body = resp.json() if resp.headers.get("content-type", "").startswith("application/json") else {}
    result = {**summary, "shared": approve, "status": resp.status_code, "response": body}
    _out(result, as_json, "shared" if approve and resp.status_code == 200 else f"not accepted: {body}")
    if approve and resp.status_code != 200:
        raise typer.Exit(1)


# The device side (register a device key, approve QR log-ins) is the wallet's other half.
register_device_commands(app)


def main() -> None:
    app()
