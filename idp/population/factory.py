"""Choose the population registry from settings (``NIXA_REGISTRY_MODE``: ``local`` or ``http``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from idp.config import ConfigurationError, Settings
from idp.crypto import BlindIndex, Sealer
from idp.db import Database
from idp.population.connector import HttpRegistry
from idp.population.interface import PopulationRegistry
from idp.population.local import LocalRegistry


def registry_from_settings(
    settings: Settings, *, db: Database, sealer: Sealer, index: BlindIndex
) -> PopulationRegistry:
    if settings.registry_mode == "local":
        return LocalRegistry(db, sealer, index)
    if settings.registry_mode == "http":
        _check_http(settings)
        return HttpRegistry(settings)
    raise ConfigurationError(f"NIXA_REGISTRY_MODE must be local or http (got {settings.registry_mode!r})")


def _check_http(settings: Settings) -> None:
    if not settings.registry_url:
        raise ConfigurationError("NIXA_REGISTRY_URL is required when NIXA_REGISTRY_MODE=http")
    if settings.registry_client_key and not settings.registry_client_cert:
        raise ConfigurationError("NIXA_REGISTRY_CLIENT_KEY is set without NIXA_REGISTRY_CLIENT_CERT")
    # Personal data goes to the registry: in production only over TLS with our client certificate.
    if settings.production and (
        urlsplit(settings.registry_url).scheme != "https" or not settings.registry_client_cert
    ):
        raise ConfigurationError("in production the registry needs an https URL and a client certificate")
