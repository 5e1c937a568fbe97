"""The connector presents its client certificate and trusts only the configured CA."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from idp.population.connector import HttpRegistry
from idp.population.interface import MatchStatus
from tests.population.certs import Pki, make_pki
from tests.population.conftest import Rows, declared, http_settings
from tests.population.registry_service import Behaviour, RegistryService


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tls_service(rows: Rows, pki: Pki) -> Iterator[RegistryService]:
    service = RegistryService(rows.csv, pki)
    service.start()
    yield service
    service.stop()


def ask(service: RegistryService, rows: Rows, **tls: Path) -> tuple[MatchStatus, str | None]:
    registry = HttpRegistry(http_settings(service.url, registry_retries=0, **tls))
    try:
        result = registry.match(declared(rows.active))
        return result.status, result.reason
    finally:
        registry.close()


def test_matches_with_client_certificate(tls_service: RegistryService, rows: Rows, pki: Pki) -> None:
    status, _ = ask(
        tls_service,
        rows,
        registry_ca=pki.ca,
        registry_client_cert=pki.client_cert,
        registry_client_key=pki.client_key,
    )
    assert status is MatchStatus.MATCHED


def test_without_client_certificate_the_service_refuses(
    tls_service: RegistryService, rows: Rows, pki: Pki
) -> None:
    tls_service.behaviour = Behaviour()
    status, reason = ask(tls_service, rows, registry_ca=pki.ca)
    assert status is MatchStatus.UNAVAILABLE and reason
    assert tls_service.behaviour.calls == 0  # refused in the handshake, before any request


def test_server_not_signed_by_the_configured_ca_is_refused(
    tls_service: RegistryService, rows: Rows, tmp_path: Path
) -> None:
    other = make_pki(tmp_path)
    status, reason = ask(
        tls_service,
        rows,
        registry_ca=other.ca,
        registry_client_cert=other.client_cert,
        registry_client_key=other.client_key,
    )
    assert status is MatchStatus.UNAVAILABLE and reason
