"""Apply the Alembic migrations (``nixa db upgrade``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(url), revision)


def current(url: str) -> list[str]:
    """The revisions the database is at (one per branch head)."""
    from alembic.runtime.migration import MigrationContext

    from idp.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        revs = MigrationContext.configure(conn).get_current_heads()
    engine.dispose()
    return sorted(revs)


def heads() -> list[str]:
    """The newest revisions the code knows."""
    from alembic.script import ScriptDirectory

    return sorted(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())
