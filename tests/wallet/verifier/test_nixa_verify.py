"""``nixa-verify`` against a NIXA served on loopback: exit status 0 only for a valid identity QR."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from typer.testing import CliRunner

from tests.e2e.live_server import LiveIdP, serve_idp
from tests.support.db import TestDatabase as _TestDatabase
from tests.support.factories import make_citizen
from wallet.identity_qr import render
from wallet.identity_qr.service import IdentityQrService, IssuedQr
from wallet.settings import WalletSettings
from wallet.status_list.service import StatusListService
from wallet.verifier.cli import app as verify_app


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, test_database: _TestDatabase) -> Iterator[LiveIdP]:
    tmp = tmp_path_factory.mktemp("nixa-verify")
    with serve_idp(tmp, test_database.fresh(tmp)) as idp:
        yield idp


def _service(live: LiveIdP) -> IdentityQrService:
    settings = WalletSettings()
    return IdentityQrService(live.platform, StatusListService(live.platform, settings), settings)


def _issue(live: LiveIdP) -> tuple[str, IssuedQr]:
    citizen = make_citizen(live.provider)
    with live.platform.db.session() as s:
        return citizen.id, _service(live).issue(s, citizen.id, actor="test")


def _run(*args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(verify_app, [*args, "--json"])
    assert result.stdout.strip(), repr(result.exception)
    return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])


def test_a_png_is_valid_then_valid_offline_then_revoked(live: LiveIdP, tmp_path: Path) -> None:
    identity_id, issued = _issue(live)
    image = tmp_path / "code.png"
    image.write_bytes(render.png(issued.text))
    cache = str(tmp_path / "cache")
    code, verdict = _run(str(image), "--issuer", live.issuer, "--cache-dir", cache)
    assert (code, verdict["verdict"]) == (0, "valid")
    assert verdict["identity"]["full_name"] == "Nguyễn Văn An"
    code, verdict = _run(str(image), "--offline", "--cache-dir", cache)
    assert (code, verdict["verdict"]) == (0, "valid"), "keys and status list were kept for offline use"
    with live.platform.db.session() as s:
        _service(live).revoke_all(s, identity_id, actor="operator:test", reason="lost phone")
    code, verdict = _run(str(image), "--issuer", live.issuer, "--cache-dir", str(tmp_path / "other"))
    assert (code, verdict["verdict"]) == (1, "revoked")


def test_a_key_given_directly_as_pem_or_jwk(live: LiveIdP, tmp_path: Path) -> None:
    _, issued = _issue(live)
    key = live.platform.keys.signing_key("ES256")
    pem = tmp_path / "issuer.pem"
    pem.write_bytes(
        key.public_key.public_bytes(  # type: ignore[union-attr]
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    jwk = tmp_path / "issuer.jwk"
    jwk.write_text(json.dumps(key.as_dict(private=False)))
    for key_file in (pem, jwk):
        code, verdict = _run(
            "--text",
            issued.text,
            "--issuer-key",
            str(key_file),
            "--cache-dir",
            str(tmp_path / key_file.suffix),
        )
        assert (code, verdict["verdict"]) == (0, "valid"), verdict


def test_unknown_issuer_tampered_and_malformed_exit_non_zero(live: LiveIdP, tmp_path: Path) -> None:
    _, issued = _issue(live)
    cache = str(tmp_path / "empty")
    assert _run("--text", issued.text, "--cache-dir", cache, "--offline")[1]["verdict"] == "unknown_issuer"
    code, verdict = _run("--text", "NOT*BASE45*??", "--cache-dir", cache)
    assert (code, verdict["verdict"]) == (1, "malformed")
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x89PNG not really")
    assert _run(str(junk), "--cache-dir", cache)[0] == 2


def test_the_installed_command_exits_with_the_verdict(live: LiveIdP, tmp_path: Path) -> None:
    _, issued = _issue(live)
    command = Path(sys.executable).with_name("nixa-verify")
    base = [str(command), "--text", issued.text, "--cache-dir", str(tmp_path / "c"), "--json"]
    ok = subprocess.run([*base, "--issuer", live.issuer], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_a_revoked_code_shows_no_identity(live: LiveIdP, tmp_path: Path) -> None:
    identity_id, issued = _issue(live)
    with live.platform.db.session() as s:
        _service(live).revoke_all(s, identity_id, actor="operator:test", reason="court order")
    code, verdict = _run("--text", issued.text, "--issuer", live.issuer, "--cache-dir", str(tmp_path / "c"))
    assert (code, verdict["verdict"]) == (1, "revoked")
    assert "identity" not in verdict
