"""`nixa registry recheck`: the scheduled re-check, from the command line."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from idp.config import Settings
from idp.identities import IdentityStore
from idp.models import Identity
from idp.platform import Platform
from idp.population.recheck import queue_recheck
from nixa.cli import app
from tests.population.conftest import Rows


def test_recheck_command_raises_matched_identities(
    settings: Settings, platform: Platform, rows: Rows, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIXA_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("NIXA_DATA_DIR", str(settings.data_dir))
    identities = IdentityStore(platform.sealer, platform.blind_index, platform.passwords)
    row = rows.active
    with platform.db.session() as s:
        iid = identities.create(
            s,
            personal_id=row["personal_id"],
            password=None,
            full_name=row["full_name"],
            birth_date=date.fromisoformat(row["date_of_birth"]),
            sex=row["sex"],
        ).id
        queue_recheck(s, iid, "circuit breaker open")
    runner = CliRunner()
    assert runner.invoke(app, ["registry", "import", str(rows.csv)]).exit_code == 0
    result = runner.invoke(app, ["registry", "recheck", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"matched": 1, "not_matched": 0, "still_unavailable": 0}
    with platform.db.session() as s:
        assert s.get_one(Identity, iid).loa == 2
