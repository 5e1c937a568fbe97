"""``nixa-verify``: check an identity QR from an image or its text; exit status 0 only for a valid code.

nixa-verify CODE.png --issuer https://id.example.vn     # trust NIXA; its keys are fetched and kept
nixa-verify CODE.png --offline                           # later, with the kept keys and status lists
nixa-verify --text 'NCF...' --issuer-key issuer.pem      # trust one key given directly (JWK or PEM)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import httpx
import typer

from wallet.verifier.identity_qr import VerificationResult, verify_identity_qr
from wallet.verifier.qr_image import NoQrCode, read_qr
from wallet.verifier.trust import TrustError, TrustStore, load_key_file

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
app = typer.Typer(add_completion=False, help="Verify a NIXA identity QR code (offline where possible).")


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nixa-verify"


@app.command()
def verify(
    image: Annotated[Path | None, typer.Argument(help="a PNG or JPEG image of the QR code")] = None,
    text: Annotated[str | None, typer.Option("--text", help="the QR code's text instead of an image")] = None,
    issuer: Annotated[
        list[str] | None, typer.Option("--issuer", help="trust this issuer (repeatable)")
    ] = None,
    issuer_key: Annotated[
        Path | None, typer.Option("--issuer-key", help="trust this key (JWK or PEM)")
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="where keys and lists are kept")
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="use only what is kept on disk")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the verdict as JSON")] = False,
) -> None:
    if (image is None) == (text is None):
        _fail("give either an image file or --text", as_json)
    try:
        code = text if text is not None else read_qr(image.read_bytes())  # type: ignore[union-attr]
        direct = [load_key_file(issuer_key)] if issuer_key else []
        with httpx.Client(timeout=10) as http:
            trust = TrustStore(cache_dir or _default_cache(), http=http, offline=offline, direct_keys=direct)
            for name in issuer or ([os.environ["NIXA_ISSUER"]] if "NIXA_ISSUER" in os.environ else []):
                trust.trust(name)
            result = verify_identity_qr(code, key_for=trust.key_for, status_of=trust.status_of)
    except (NoQrCode, TrustError, OSError, ValueError, httpx.HTTPError) as exc:
        _fail(str(exc), as_json)
    _print(result, as_json)
    raise typer.Exit(EXIT_VALID if result.valid else EXIT_INVALID)


def _print(result: VerificationResult, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    typer.echo(f"{'VALID' if result.valid else 'NOT VALID'}: {result.verdict.value} ({result.detail})")
    if result.identity is not None and result.valid:
        i = result.identity
        typer.echo(f"  {i.full_name}, {i.birth_date}, {i.personal_id}")
    if result.issuer:
        typer.echo(f"  issuer {result.issuer}, key {result.kid}")


def _fail(message: str, as_json: bool) -> None:
    typer.echo(
        json.dumps({"verdict": "error", "valid": False, "detail": message}) if as_json else message,
        err=not as_json,
    )
    raise typer.Exit(EXIT_USAGE)


def main() -> None:
    app()
