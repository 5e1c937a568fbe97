"""``nixa admin``: operators' roles and the console's registration, run in-process on the test database."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from idp.config import Settings
from idp.models import AuditRecord, Client
from nixa.cli import app
from tests.support.factories import make_citizen


@pytest.fixture
def nixa(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NIXA_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("NIXA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("NIXA_ADMIN_BASE_URL", "https://console.nixa.test")
    runner = CliRunner()

    def run(*args: str, ok: bool = True):  # type: ignore[no-untyped-def]
        result = runner.invoke(app, list(args))
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return run


def test_grant_list_and_revoke_roles(nixa, op) -> None:
    citizen = make_citizen(op)
    out = json.loads(
        nixa("admin", "grant", "--personal-id", citizen.personal_id, "--role", "verifier", "--json").stdout
    )
    assert out == {"identity_id": citizen.id, "roles": ["verifier"], "changed": True}
    nixa(
        "admin", "grant", "--personal-id", citizen.personal_id, "--role", "auditor", "--reason", "audit team"
    )
    listed = json.loads(nixa("admin", "operators", "--json").stdout)
    assert sorted(g["role"] for g in listed) == ["auditor", "verifier"]
    assert all(g["granted_by"].startswith("cli:") for g in listed)
    out = json.loads(
        nixa("admin", "revoke", "--personal-id", citizen.personal_id, "--role", "verifier", "--json").stdout
    )
    assert out["roles"] == ["auditor"]
    assert (
        nixa(
            "admin", "revoke", "--personal-id", citizen.personal_id, "--role", "verifier", ok=False
        ).exit_code
        == 1
    )
    with op.db.session() as s:
        events = [
            r.event for r in s.scalars(select(AuditRecord).where(AuditRecord.identity_id == citizen.id))
        ]
    assert events.count("operator:role_granted") == 2 and events.count("operator:role_revoked") == 1


def test_unknown_role_and_unknown_citizen_are_refused(nixa, op) -> None:
    citizen = make_citizen(op)
    bad_role = nixa("admin", "grant", "--personal-id", citizen.personal_id, "--role", "root", ok=False)
    assert bad_role.exit_code == 1 and "unknown role" in bad_role.output
    nobody = nixa("admin", "grant", "--personal-id", "001090999999", "--role", "auditor", ok=False)
    assert nobody.exit_code == 1 and "no citizen" in nobody.output


def test_register_client_keeps_the_console_registration(nixa, op) -> None:
    out = json.loads(nixa("admin", "register-client", "--json").stdout)
    assert out == {
        "client_id": "nixa-admin-console",
        "redirect_uris": ["https://console.nixa.test/callback"],
        "min_acr": "urn:nixa:loa:3",
    }
    nixa("admin", "register-client")
    with op.db.session() as s:
        assert len(s.scalars(select(Client).where(Client.client_id == "nixa-admin-console")).all()) == 1
