"""``nixa federation``: intermediates, enrolment, trust marks, removal and the listing, in-process."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from federation.openid_federation.models import FederationSubordinate, FederationTrustMark
from idp.config import Settings
from nixa.cli import app
from tests.support.tokens import new_ec_key, public_jwks


@pytest.fixture
def nixa(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NIXA_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("NIXA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("NIXA_ISSUER", settings.issuer)
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(app, ["federation", *args])
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return run


def test_create_enrol_mark_revoke_remove_and_list(nixa, platform, tmp_path):
    created = nixa("intermediate", "create", "--slug", "bo-y-te", "--name", "Bộ Y tế", "--json")
    ministry = json.loads(created.output)
    assert ministry["entity_id"] == f"{platform.issuer}/federation/intermediates/bo-y-te"
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps(public_jwks(new_ec_key())))
    portal = "https://dvc.moh.gov.vn"
    policy = json.dumps({"openid_relying_party": {"scope": {"subset_of": ["openid", "profile"]}}})
    nixa(
        "enrol",
        "--superior",
        "bo-y-te",
        "--entity-id",
        portal,
        "--jwks",
        f"@{jwks_file}",
        "--metadata-policy",
        policy,
        "--constraints",
        '{"max_path_length": 0}',
        "--json",
    )
    mark = json.loads(nixa("trust-mark", "issue", "--sub", portal, "--json").output)
    assert mark["trust_mark"].count(".") == 2
    listing = json.loads(nixa("list", "--json").output)
    assert [e["entity_id"] for e in listing["intermediates"]] == [ministry["entity_id"]]
    assert portal in [x["entity_id"] for x in listing["leaves"]]
    assert listing["trust_marks"][0]["subject"] == portal
    nixa("trust-mark", "revoke", mark["id"], "--json")
    assert nixa("trust-mark", "revoke", mark["id"], ok=False).exit_code == 1, "already revoked"
    nixa("remove", "--superior", "bo-y-te", "--entity-id", portal, "--json")
    with platform.db.session() as s:
        assert s.query(FederationSubordinate).filter_by(entity_id=portal).count() == 0
        assert s.get(FederationTrustMark, mark["id"]).revoked_by == "cli"
    assert "intermediate" in nixa("list").output
    rotated = json.loads(nixa("keys", "rotate", "bo-y-te", "--json").output)
    assert rotated["current"].startswith("fed-")
    assert nixa("keys", "rotate", "khong-co", ok=False).exit_code == 1


def test_bad_input_is_refused_with_a_reason(nixa):
    bad = nixa("enrol", "--superior", "ta", "--entity-id", "ftp://x", "--jwks", '{"keys": []}', ok=False)
    assert bad.exit_code == 1 and "https" in bad.output
    conflict = nixa(
        "enrol",
        "--superior",
        "ta",
        "--entity-id",
        "https://a.gov.vn",
        "--jwks",
        json.dumps(public_jwks(new_ec_key())),
        "--metadata-policy",
        '{"openid_relying_party": {"x": {"add": ["a"], "one_of": ["a"]}}}',
        ok=False,
    )
    assert conflict.exit_code == 1 and "combines" in conflict.output
    assert nixa("intermediate", "create", "--slug", "Bad Slug", "--name", "x", ok=False).exit_code == 1
    assert nixa("remove", "--superior", "ta", "--entity-id", "https://none.gov.vn", ok=False).exit_code == 1
