"""The Alembic migrations build exactly the schema the models describe, with one head."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import federation.upstream.models  # noqa: F401  (the broker's tables, issue 5)
from admin import models as admin_models  # noqa: F401  (the console's tables, migration 0007)
from federation.openid_federation import models as federation_models  # noqa: F401  (its tables too)
from idp import models  # noqa: F401  (every table on Base.metadata)
from idp.db import Base
from idp.migrate import current, heads
from wallet import models as wallet_models  # noqa: F401  (the wallet's credential tables)
from wallet import schema  # noqa: F401  (the wallet's tables too)


def test_migrated_database_matches_the_models(platform):
    with platform.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_one_head_and_the_database_is_at_it(settings):
    assert len(heads()) == 1
    assert current(settings.resolved_database_url) == heads()
