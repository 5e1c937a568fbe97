"""The `nixa` command, run in-process against the test database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from idp.config import Settings
from idp.migrate import heads
from nixa.cli import app
from tests.support.db import audit_triggers_dropped

REGISTRY = Path(__file__).resolve().parents[3] / "shared" / "data" / "population_registry.csv"


@pytest.fixture
def nixa(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NIXA_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("NIXA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("NIXA_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("NIXA_ARGON2_TIME_COST", "1")
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(app, list(args))
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return run


def test_client_add_prints_id_and_secret_once_and_stores_only_hash(nixa, platform):
    out = json.loads(
        nixa(
            "client", "add", "--name", "Cổng Bộ Y tế", "--redirect-uri", "https://yte.example.vn/cb", "--json"
        ).stdout
    )
    assert set(out) == {"client_id", "client_secret"} and len(out["client_secret"]) >= 40
    listed = json.loads(nixa("client", "list", "--json").stdout)
    assert [c["client_id"] for c in listed] == [out["client_id"]]
    with platform.db.session() as s:
        dump = " ".join(str(r) for r in s.execute(text("SELECT * FROM clients")).all())
    assert out["client_secret"] not in dump
    assert json.loads(nixa("client", "remove", out["client_id"], "--json").stdout) == {
        "removed": out["client_id"]
    }
    assert nixa("client", "remove", out["client_id"], ok=False).exit_code == 1


def test_initial_token_allows_exactly_its_registrations(nixa, api):
    out = json.loads(nixa("client", "initial-token", "--max-uses", "1", "--json").stdout)
    body = {"client_name": "Cổng tỉnh", "redirect_uris": ["https://tinh.example.vn/cb"]}
    headers = {"Authorization": f"Bearer {out['initial_access_token']}"}
    assert api.post("/register", json=body, headers=headers).status_code == 201
    assert api.post("/register", json=body, headers=headers).status_code == 401


def test_client_add_refuses_http_redirect_to_a_public_host(nixa):
    result = nixa("client", "add", "--name", "X", "--redirect-uri", "http://evil.example/cb", ok=False)
    assert result.exit_code == 1 and "https" in result.output


def test_user_add_validates_the_personal_id(nixa):
    assert (
        nixa("user", "add", "--personal-id", "12345", "--password", "long-enough-pw", ok=False).exit_code == 1
    )
    result = nixa(
        "user",
        "add",
        "--personal-id",
        "001090000123",
        "--password",
        "long-enough-pw",
        "--loa",
        "2",
        "--birth-date",
        "1990-01-02",
        "--json",
    )
    assert json.loads(result.stdout)["loa"] == 2
    again = nixa("user", "add", "--personal-id", "001090000123", "--password", "long-enough-pw", ok=False)
    assert "already exists" in again.output


def test_keys_rotate_promotes_next_and_keeps_retired_published(nixa, platform):
    before = {
        k["state"]: k["kid"] for k in json.loads(nixa("keys", "list", "--json").stdout) if k["alg"] == "ES256"
    }
    nixa("keys", "rotate", "--alg", "ES256")
    after = json.loads(nixa("keys", "list", "--json").stdout)
    states = {k["kid"]: k["state"] for k in after}
    assert states[before["next"]] == "current" and states[before["current"]] == "retired"
    published = {k["kid"] for k in platform.keys.public_jwks()["keys"]}
    assert {before["current"], before["next"]} <= published


@pytest.mark.skipif(not REGISTRY.exists(), reason="shared registry file not beside the repo")
def test_registry_import_loads_every_row_encrypted(nixa, platform):
    result = json.loads(nixa("registry", "import", str(REGISTRY), "--json").stdout)
    assert result["imported"] == 10000 and result["rejected"] == []
    with platform.db.session() as s:
        dump = " ".join(str(r) for r in s.execute(text("SELECT * FROM registry_records")).all())
    first = REGISTRY.read_text(encoding="utf-8").splitlines()[1].split(",")
    assert first[0] not in dump and first[1] not in dump
    again = json.loads(nixa("registry", "import", str(REGISTRY), "--json").stdout)
    assert again["updated"] == 10000 and again["imported"] == 0


def test_registry_import_rejects_bad_rows_by_line_without_echoing_data(nixa, tmp_path):
    bad = tmp_path / "r.csv"
    bad.write_text(
        "personal_id,full_name,date_of_birth,sex,birth_province_code,birth_province,nationality,status\n"
        "001090000001,Nguyễn Văn An,1991-01-01,M,001,Hà Nội,VN,active\n"
        "999090000001,Lê Văn B,1990-01-01,M,999,X,VN,active\n",
        encoding="utf-8",
    )
    result = json.loads(nixa("registry", "import", str(bad), "--json").stdout)
    assert result["imported"] == 0 and len(result["rejected"]) == 2
    assert "birth_year_mismatch" in result["rejected"][0] and "unknown_province" in result["rejected"][1]
    assert "Nguyễn" not in " ".join(result["rejected"])
    wrong = tmp_path / "w.csv"
    wrong.write_text("id,name\n1,2\n")
    assert nixa("registry", "import", str(wrong), ok=False).exit_code == 1


def test_audit_verify_reports_intact_then_broken(nixa, platform):
    nixa("client", "add", "--name", "A", "--redirect-uri", "https://a.example.vn/cb")
    ok = json.loads(nixa("audit", "verify", "--json").stdout)
    assert ok["ok"] and ok["records"] >= 1
    with audit_triggers_dropped(platform.db), platform.db.session() as s:
        s.execute(text("UPDATE audit_records SET actor = 'someone-else' WHERE seq = 1"))
    broken = nixa("audit", "verify", "--json", ok=False)
    assert broken.exit_code == 1 and json.loads(broken.stdout)["ok"] is False


def test_db_upgrade_reports_the_revision(nixa):
    assert json.loads(nixa("db", "upgrade", "--json").stdout)["revisions"] == heads()
