"""The reference wallet's device commands, added to the ``nixa-wallet`` Typer app by ``register_commands``:
``register-device`` (after a level 3 login, with the code from self-service) and ``approve-login``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import httpx
import typer

from wallet.holder.device import DeviceWallet, WalletError

WalletDirOpt = Annotated[Path | None, typer.Option("--wallet-dir", help="where the wallet keeps its keys")]
PinOpt = Annotated[str | None, typer.Option("--pin", help="the wallet PIN (asked for when not given)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _wallet(directory: Path | None) -> DeviceWallet:
    default = os.environ.get("NIXA_WALLET_DIR") or str(Path.home() / ".local" / "share" / "nixa-wallet")
    return DeviceWallet(directory or Path(default))


def _out(data: dict[str, object], as_json: bool, text: str) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False) if as_json else text)


def _fail(message: str, as_json: bool) -> None:
    typer.echo(
        json.dumps({"error": message}, ensure_ascii=False) if as_json else f"error: {message}",
        err=not as_json,
    )
    raise typer.Exit(1)


def register_commands(app: typer.Typer) -> None:
    @app.command("register-device")
    def register_device(
        issuer: Annotated[str, typer.Option("--issuer", help="NIXA's address, e.g. https://id.gov.vn")],
        code: Annotated[str, typer.Option("--code", help="the registration code shown in self-service")],
        pin: PinOpt = None,
        name: Annotated[str, typer.Option("--name", help="a name for this device")] = "NIXA wallet",
        wallet_dir: WalletDirOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Register this wallet's device key (the key is kept encrypted under the PIN)."""
        pin = pin or typer.prompt(
            "Choose a PIN (6 digits or more)", hide_input=True, confirmation_prompt=True
        )
        try:
            with httpx.Client(timeout=15) as http:
                device_id = _wallet(wallet_dir).register(http, issuer, code.strip(), pin=pin, name=name)
        except (WalletError, httpx.HTTPError) as exc:
            _fail(str(exc), as_json)
        _out({"device_id": device_id, "issuer": issuer}, as_json, f"device registered: {device_id}")

    @app.command("approve-login")
    def approve_login(
        request_uri: Annotated[str, typer.Argument(help="the address in the QR code on the login page")],
        code: Annotated[str | None, typer.Option("--code", help="the number shown on the computer")] = None,
        pin: PinOpt = None,
        yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
        wallet_dir: WalletDirOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Approve a QR log-in: shows which portal asks, then signs with the device key and PIN."""
        wallet = _wallet(wallet_dir)
        try:
            with httpx.Client(timeout=15) as http:
                request = wallet.fetch_login_request(http, request_uri)
                if not as_json:
                    typer.echo(f"{request.client_name} asks to log you in to NIXA.")
                    typer.echo(
                        f"The request comes from the address {request.requested_from_ip or 'unknown'}."
                    )
                if not yes and not typer.confirm("Approve?"):
                    _fail("not approved", as_json)
                number = code or typer.prompt("The number on the computer screen")
                secret = pin or typer.prompt("PIN", hide_input=True)
                answer = wallet.approve(http, request, code=number, pin=secret)
        except (WalletError, httpx.HTTPError) as exc:
            _fail(str(exc), as_json)
        _out(
            {"status": answer.get("status"), "client_name": request.client_name},
            as_json,
            f"approved: {request.client_name}",
        )
