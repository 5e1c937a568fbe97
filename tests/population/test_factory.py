"""``registry_from_settings`` picks the implementation and refuses unsafe connector settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from idp.config import ConfigurationError, Settings
from idp.platform import Platform
from idp.population.connector import HttpRegistry
from idp.population.factory import registry_from_settings
from idp.population.interface import PopulationRegistry
from idp.population.local import LocalRegistry


def build(platform: Platform, **settings: Any) -> PopulationRegistry:
    return registry_from_settings(
        Settings(**settings), db=platform.db, sealer=platform.sealer, index=platform.blind_index
    )


def test_local_is_the_default(platform: Platform) -> None:
    assert isinstance(build(platform), LocalRegistry)


def test_http_mode_builds_the_connector(platform: Platform) -> None:
    registry = build(platform, registry_mode="http", registry_url="http://127.0.0.1:9")
    assert isinstance(registry, HttpRegistry)
    registry.close()


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"registry_mode": "ldap"}, "local or http"),
        ({"registry_mode": "http"}, "NIXA_REGISTRY_URL"),
        (
            {"registry_mode": "http", "registry_url": "http://x", "registry_client_key": Path("k.pem")},
            "without NIXA_REGISTRY_CLIENT_CERT",
        ),
    ],
)
def test_refuses_unusable_settings(platform: Platform, values: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        build(platform, **values)


def test_production_needs_tls_and_a_client_certificate(platform: Platform) -> None:
    settings = Settings(registry_mode="http", registry_url="http://registry.gov.vn", production=True)
    with pytest.raises(ConfigurationError, match="https URL and a client certificate"):
        registry_from_settings(settings, db=platform.db, sealer=platform.sealer, index=platform.blind_index)
