"""Fixtures for the population registry: a few real rows of the shared registry file, both registries."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from idp.config import Settings
from idp.platform import Platform
from idp.population.connector import HttpRegistry
from idp.population.interface import DeclaredIdentity
from idp.population.local import LocalRegistry
from idp.registry import COLUMNS, import_csv
from tests.population.registry_service import Behaviour, RegistryService

REGISTRY = Path(__file__).resolve().parents[3] / "shared" / "data" / "population_registry.csv"


@dataclass(frozen=True)
class Rows:
    csv: Path
    active: dict[str, str]
    deceased: dict[str, str]


def declared(row: dict[str, str], **changes: Any) -> DeclaredIdentity:
    values: dict[str, Any] = {
        "personal_id": row["personal_id"],
        "full_name": row["full_name"],
        "birth_date": date.fromisoformat(row["date_of_birth"]),
    }
    return DeclaredIdentity(**(values | changes))


@pytest.fixture(scope="session")
def rows(tmp_path_factory: pytest.TempPathFactory) -> Rows:
    """The first active and the first deceased citizen of the shared file, written to a small CSV."""
    if not REGISTRY.exists():
        pytest.skip("shared registry file not beside the repo")
    picked: dict[str, dict[str, str]] = {}
    with REGISTRY.open(newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            picked.setdefault(row["status"], row)
            if len(picked) == 2:
                break
    path = tmp_path_factory.mktemp("registry") / "registry.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(picked.values())
    return Rows(path, picked["active"], picked["deceased"])


@pytest.fixture(scope="session")
def _service(rows: Rows) -> Iterator[RegistryService]:
    service = RegistryService(rows.csv)
    service.start()
    yield service
    service.stop()


@pytest.fixture
def service(_service: RegistryService) -> RegistryService:
    _service.behaviour = Behaviour()  # each test starts with a well-behaved service
    return _service


def http_settings(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "registry_mode": "http",
        "registry_url": url,
        "registry_timeout": 0.5,
        "registry_retries": 2,
        "registry_breaker_failures": 3,
        "registry_breaker_reset": 0.3,
    }
    return Settings(**(values | overrides))


@pytest.fixture
def http_registry(service: RegistryService) -> Iterator[HttpRegistry]:
    registry = HttpRegistry(http_settings(service.url), backoff=0.01)
    yield registry
    registry.close()


@pytest.fixture
def local_registry(platform: Platform, rows: Rows) -> LocalRegistry:
    with platform.db.session() as s:
        report = import_csv(s, rows.csv, sealer=platform.sealer, index=platform.blind_index, actor="test")
    assert report.imported == 2 and not report.rejected
    return LocalRegistry(platform.db, platform.sealer, platform.blind_index)
