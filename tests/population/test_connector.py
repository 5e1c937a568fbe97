"""The HTTP connector against a real registry service: timeouts, errors, retries and the circuit breaker."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from idp.population.breaker import BreakerState
from idp.population.connector import HttpRegistry
from idp.population.interface import MatchStatus
from tests.population.conftest import Rows, declared, http_settings
from tests.population.registry_service import RegistryService


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"  # nothing listens once the socket is closed


@pytest.fixture
def fragile(service: RegistryService) -> Iterator[HttpRegistry]:
    """No retries, breaker opening after 2 failures and resetting after 0.3 s."""
    registry = HttpRegistry(
        http_settings(service.url, registry_retries=0, registry_breaker_failures=2), backoff=0.01
    )
    yield registry
    registry.close()


def test_match_over_http(http_registry: HttpRegistry, service: RegistryService, rows: Rows) -> None:
    assert http_registry.match(declared(rows.active)).matched
    assert service.behaviour.calls == 1


def test_slow_registry_is_unavailable_quickly_and_not_retried(
    http_registry: HttpRegistry, service: RegistryService, rows: Rows
) -> None:
    service.behaviour.delay = 2.0
    started = time.monotonic()
    result = http_registry.match(declared(rows.active))
    assert (result.status, result.reason) == (MatchStatus.UNAVAILABLE, "registry timed out")
    assert time.monotonic() - started < 1.5
    assert service.behaviour.calls == 1


def test_500_then_success_through_retry(
    http_registry: HttpRegistry, service: RegistryService, rows: Rows
) -> None:
    service.behaviour.fail_next = 1
    assert http_registry.match(declared(rows.active)).matched
    assert service.behaviour.calls == 2


def test_retries_are_bounded(http_registry: HttpRegistry, service: RegistryService, rows: Rows) -> None:
    service.behaviour.fail_next = 100
    result = http_registry.match(declared(rows.active))
    assert (result.status, result.reason) == (MatchStatus.UNAVAILABLE, "registry error HTTP 500")
    assert service.behaviour.calls == 3  # one call and registry_retries=2


def test_4xx_is_never_retried_and_does_not_open_the_breaker(
    fragile: HttpRegistry, service: RegistryService, rows: Rows
) -> None:
    service.behaviour.reply = (403, {"error": "forbidden"})
    for _ in range(3):
        result = fragile.match(declared(rows.active))
        assert (result.status, result.reason) == (MatchStatus.UNAVAILABLE, "registry refused HTTP 403")
    assert service.behaviour.calls == 3
    assert fragile.breaker.state is BreakerState.CLOSED


@pytest.mark.parametrize("body", [{"status": "unavailable"}, {"status": "perhaps"}, ["matched"], "matched"])
def test_malformed_answer_is_unavailable(
    http_registry: HttpRegistry, service: RegistryService, rows: Rows, body: object
) -> None:
    service.behaviour.reply = (200, body)
    result = http_registry.match(declared(rows.active))
    assert (result.status, result.reason) == (MatchStatus.UNAVAILABLE, "malformed registry answer")


def test_registry_down_is_unavailable(rows: Rows) -> None:
    registry = HttpRegistry(http_settings(closed_port_url()), backoff=0.01)
    result = registry.match(declared(rows.active))
    registry.close()
    assert result.status is MatchStatus.UNAVAILABLE
    assert result.reason is not None and result.reason.startswith("cannot connect")


def test_open_breaker_short_circuits_without_calling(
    fragile: HttpRegistry, service: RegistryService, rows: Rows
) -> None:
    service.behaviour.fail_next = 100
    for _ in range(2):
        assert fragile.match(declared(rows.active)).reason == "registry error HTTP 500"
    assert fragile.breaker.state is BreakerState.OPEN
    started = time.monotonic()
    for _ in range(5):
        assert fragile.match(declared(rows.active)).reason == "circuit breaker open"
    assert service.behaviour.calls == 2
    assert time.monotonic() - started < 0.1


def test_half_open_probe_recovers(fragile: HttpRegistry, service: RegistryService, rows: Rows) -> None:
    service.behaviour.fail_next = 2
    for _ in range(2):
        fragile.match(declared(rows.active))
    time.sleep(0.35)
    assert fragile.breaker.state is BreakerState.HALF_OPEN
    assert fragile.match(declared(rows.active)).matched
    assert fragile.breaker.state is BreakerState.CLOSED
    assert service.behaviour.calls == 3


def test_failed_probe_reopens(fragile: HttpRegistry, service: RegistryService, rows: Rows) -> None:
    service.behaviour.fail_next = 3
    for _ in range(2):
        fragile.match(declared(rows.active))
    time.sleep(0.35)
    assert fragile.match(declared(rows.active)).reason == "registry error HTTP 500"  # the probe
    assert fragile.match(declared(rows.active)).reason == "circuit breaker open"
    assert service.behaviour.calls == 3


def test_service_down_then_back(rows: Rows) -> None:
    own = RegistryService(rows.csv)
    own.start()
    own.stop()
    registry = HttpRegistry(http_settings(own.url, registry_breaker_failures=1), backoff=0.01)
    try:
        assert str(registry.match(declared(rows.active)).reason).startswith("cannot connect")
        assert registry.match(declared(rows.active)).reason == "circuit breaker open"
        own.start()  # same port
        time.sleep(0.35)
        assert registry.match(declared(rows.active)).matched
    finally:
        registry.close()
        own.stop()
