"""Serving the IdP: one process, or several uvicorn worker processes sharing PostgreSQL (and Redis).

Several workers are uvicorn's own process manager (``uvicorn --workers``): uvicorn is already how NIXA is
served, its supervisor restarts a worker that dies, and each worker imports ``app_factory`` and builds its
own platform (own connection pool) after the fork, so no database connection or lock crosses processes.
Everything a login needs between two requests (interactions, sessions, codes, throttles) lives in the
database, so any worker can serve any step; Redis, when configured, only speeds things up
(``idp.shared_state``) and may disappear without losing anything.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from idp.config import Settings
from idp.platform import Platform

log = logging.getLogger("nixa.serving")


def app_factory() -> FastAPI:
    """Called by each worker process: settings from the environment, a platform of its own."""
    from nixa.composition import build_idp_app

    settings = Settings()
    settings.check_production()
    return build_idp_app(Platform(settings))


def serve(platform: Platform, *, host: str, port: int, workers: int = 1, access_log: bool = True) -> None:
    import uvicorn

    from nixa.composition import build_idp_app

    options = {"host": host, "port": port, "proxy_headers": False, "access_log": access_log}
    if workers <= 1:
        uvicorn.run(build_idp_app(platform), **options)  # type: ignore[arg-type]
        return
    if not platform.db.is_postgres:
        # SQLite works across processes (WAL) but serialises every write: fine for a demo, not for load.
        log.warning("several workers on SQLite serialise all writes; use PostgreSQL (NIXA_DATABASE_URL)")
    # The parent only migrated and made sure the keys exist; the workers build their own platforms.
    platform.close()
    uvicorn.run("nixa.serving:app_factory", factory=True, workers=workers, **options)  # type: ignore[arg-type]
