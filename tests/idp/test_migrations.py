"""The Alembic migrations build exactly the schema the models describe, with one head."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import federation.upstream.models  # noqa: F401  (the broker's tables, issue 5)
from idp import models  # noqa: F401  (every table on Base.metadata)
from idp.db import Base
from idp.migrate import current, heads


def test_migrated_database_matches_the_models(platform):
    with platform.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_one_head_and_the_database_is_at_it(settings):
    assert len(heads()) == 1
    assert current(settings.resolved_database_url) == heads()
