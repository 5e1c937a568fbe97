"""`nixa wallet issue-qr` and `revoke-qr`, run in-process against the test database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from idp.config import Settings
from idp.provider import OpenIDProvider
from nixa.cli import app
from tests.support.factories import make_citizen
from wallet.identity_qr import codec
from wallet.verifier.qr_image import read_qr


@pytest.fixture
def nixa(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NIXA_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("NIXA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("NIXA_ISSUER", settings.issuer)

    def run(*args: str, ok: bool = True):  # type: ignore[no-untyped-def]
        result = CliRunner().invoke(app, list(args))
        assert (result.exit_code == 0) is ok, result.output
        return result

    return run


def test_issue_qr_writes_a_png_and_an_svg(nixa, op: OpenIDProvider, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    citizen = make_citizen(op)
    png = tmp_path / "code.png"
    data = json.loads(
        nixa("wallet", "issue-qr", "--personal-id", citizen.personal_id, "--out", str(png), "--json").stdout
    )
    assert data["credential"]
    decoded = codec.decode(read_qr(png.read_bytes()))
    assert decoded.claims[169][1] == citizen.personal_id
    svg = tmp_path / "code.svg"
    nixa("wallet", "issue-qr", "--personal-id", citizen.personal_id, "--out", str(svg))
    assert b"<svg" in svg.read_bytes()


def test_issue_qr_refuses_level_1_and_unknown_people(nixa, op: OpenIDProvider, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    citizen = make_citizen(op, loa=1)
    out = str(tmp_path / "x.png")
    assert (
        "level 2"
        in nixa("wallet", "issue-qr", "--personal-id", citizen.personal_id, "--out", out, ok=False).output
    )
    assert (
        "no citizen"
        in nixa("wallet", "issue-qr", "--personal-id", "001090999999", "--out", out, ok=False).output
    )
    assert not Path(out).exists()


def test_revoke_qr_by_an_operator(nixa, op: OpenIDProvider, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    citizen = make_citizen(op)
    nixa("wallet", "issue-qr", "--personal-id", citizen.personal_id, "--out", str(tmp_path / "a.txt"))
    result = nixa(
        "wallet", "revoke-qr", "--personal-id", citizen.personal_id, "--reason", "court order", "--json"
    )
    assert json.loads(result.stdout) == {"revoked": 1}


def test_revoke_devices_by_an_operator(nixa, op: OpenIDProvider) -> None:  # type: ignore[no-untyped-def]
    citizen = make_citizen(op, loa=3)
    result = nixa("wallet", "revoke-devices", "--personal-id", citizen.personal_id, "--json")
    assert json.loads(result.stdout) == {"revoked": 0}
