"""End-to-end fixtures: ``live_idp``, the IdP served by a real uvicorn on a loopback port.

Each test gets its own IdP (fresh database from the worker's ``test_database``, own data dir, own port,
issuer ``http://127.0.0.1:<port>``), so the e2e tests run in parallel under pytest-xdist. The browser
(``browser.py``) and the independent relying party (``node_rp.py``) talk to it over real HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.live_server import LiveIdP, require_e2e_tools, serve_idp
from tests.support.db import TestDatabase


@pytest.fixture
def live_idp(tmp_path: Path, test_database: TestDatabase) -> Iterator[LiveIdP]:
    """The running IdP; skipped only if Chromium or node is missing (see ``require_e2e_tools``)."""
    require_e2e_tools()
    with serve_idp(tmp_path, test_database.fresh(tmp_path)) as idp:
        yield idp
