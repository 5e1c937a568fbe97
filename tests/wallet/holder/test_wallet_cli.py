"""``nixa credential`` (operator) and ``nixa-wallet`` (holder) end to end, through a real QR image."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from idp.config import Settings
from nixa.cli import app as nixa_app
from tests.conftest import ISSUER
from tests.support.factories import Citizen
from wallet.holder import cli as wallet_cli
from wallet.verifier.qr_image import read_qr

Run = Callable[..., Any]


@pytest.fixture
def run(settings: Settings, monkeypatch: pytest.MonkeyPatch, app: FastAPI, tmp_path: Path) -> Run:
    monkeypatch.setenv("NIXA_ISSUER", ISSUER)
    monkeypatch.setenv("NIXA_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("NIXA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("NIXA_WALLET_DIR", str(tmp_path / "wallet"))
    # The wallet talks HTTP to the IdP app running in this process.
    monkeypatch.setattr(wallet_cli, "http_client", lambda: TestClient(app, base_url=ISSUER))
    runner = CliRunner()

    def invoke(command: Any, *args: str, code: int = 0) -> Any:
        result = runner.invoke(command, list(args))
        assert result.exit_code == code, result.output
        return json.loads(result.stdout) if "--json" in args and result.stdout.strip() else result

    return invoke


def _decode(path: Path) -> str:
    # The project's own reader: QR codes only. zxing's default reads every format, and about one random
    # offer in 400 also "finds" a short ITF barcode in the QR's modules.
    return read_qr(path.read_bytes())


def test_offer_qr_to_wallet_to_presentation_then_revocation(
    run: Run, verified: Citizen, tmp_path: Path
) -> None:
    qr = tmp_path / "offer.png"
    offer = run(
        nixa_app, "credential", "offer", "--personal-id", verified.personal_id, "--qr", str(qr), "--json"
    )
    assert _decode(qr) == offer["offer_uri"], "the QR image carries the offer"
    received = run(wallet_cli.app, "receive", _decode(qr), "--tx-code", offer["tx_code"], "--json")
    assert received["vct"] == "urn:nixa:vct:identity"
    (listed,) = run(nixa_app, "credential", "list", "--personal-id", verified.personal_id, "--json")
    assert listed["state"] == "valid"

    declined = run(nixa_app, "credential", "request", "--claim", "birthdate", "--json")
    answer = run(wallet_cli.app, "present", declined["wallet_uri"], "--decline", "--json")
    assert answer["shared"] is False and answer["trusted"] is False, "the verifier is not pinned yet"

    asked = run(nixa_app, "credential", "request", "--claim", "given_name", "--json")
    shared = run(wallet_cli.app, "present", asked["wallet_uri"], "--yes", "--json")
    assert shared["claims"] == ["given_name"] and shared["status"] == 200

    run(nixa_app, "credential", "revoke", listed["id"], "--reason", "lost_device", "--json")
    (held,) = run(wallet_cli.app, "list", "--check-status", "--json")
    assert held["status"] == "revoked", "the wallet sees the revocation in the status list too"
    again = run(nixa_app, "credential", "request", "--claim", "given_name", "--json")
    refused = run(wallet_cli.app, "present", again["wallet_uri"], "--yes", "--json", code=1)
    assert refused["status"] == 400 and "revoked" in refused["response"]["error_description"]


def test_wrong_tx_code_is_refused_by_the_wallet_command(run: Run, verified: Citizen) -> None:
    offer = run(nixa_app, "credential", "offer", "--personal-id", verified.personal_id, "--json")
    wrong = (
        "1" * len(offer["tx_code"])
        if offer["tx_code"] != "1" * len(offer["tx_code"])
        else "2" * len(offer["tx_code"])
    )
    result = run(wallet_cli.app, "receive", offer["offer_uri"], "--tx-code", wrong, code=1)
    assert "invalid_grant" in result.output


def test_unknown_citizen_and_bad_reason_fail_cleanly(run: Run) -> None:
    assert (
        "no citizen" in run(nixa_app, "credential", "offer", "--personal-id", "001090999999", code=1).output
    )
    assert run(nixa_app, "credential", "revoke", "no-such-id", "--reason", "whim", code=1).exit_code == 1
