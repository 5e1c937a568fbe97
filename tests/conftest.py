"""Shared fixtures: a fresh migrated database, the platform, the app and factories for every test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from idp import keys
from idp.config import Settings
from idp.platform import Platform
from idp.provider import OpenIDProvider
from idp.web.app import create_app
from tests.support.db import TestDatabase
from tests.support.factories import Citizen, PortalInfo, make_citizen, make_portal
from tests.support.keys import pooled_generate

ISSUER = "http://testserver"


@pytest.fixture(scope="session")
def test_database(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[TestDatabase]:
    db = TestDatabase(worker_id, tmp_path_factory.mktemp("template"))
    yield db
    db.close()


@pytest.fixture
def settings(tmp_path: Path, test_database: TestDatabase) -> Settings:
    """Fast argon2 parameters for tests (the production defaults are tested on their own)."""
    return Settings(
        issuer=ISSUER,
        data_dir=tmp_path / "data",
        database_url=test_database.fresh(tmp_path),
        argon2_memory_kib=1024,
        argon2_time_cost=1,
        rsa_key_bits=2048,
    )


@pytest.fixture(autouse=True)
def _pooled_rsa_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """RSA key generation was most of each test's start-up; tests share a few pre-generated key pairs."""
    monkeypatch.setattr(keys, "_generate", pooled_generate)


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    p = Platform(settings)
    yield p
    p.close()


@pytest.fixture
def app(platform: Platform) -> FastAPI:
    return create_app(platform=platform)


@pytest.fixture
def op(app: FastAPI) -> OpenIDProvider:
    provider: OpenIDProvider = app.state.provider
    return provider


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """A cookie-keeping client that plays the citizen's browser."""
    with TestClient(app, base_url=ISSUER) as c:
        yield c


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    """A separate client without the browser's cookies: the portal's back end."""
    with TestClient(app, base_url=ISSUER) as c:
        yield c


@pytest.fixture
def portal(platform: Platform) -> PortalInfo:
    return make_portal(platform)


@pytest.fixture
def citizen(op: OpenIDProvider) -> Citizen:
    return make_citizen(op, email="an.nguyen@example.vn")


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("NIXA_TEST_MODE", "1")
