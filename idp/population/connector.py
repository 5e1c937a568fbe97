"""The HTTP connector to the national population registry service.

The API NIXA expects (the registry side applies the rules of ``idp.population.local.verdict``):

    POST {registry_url}/v1/match
    Content-Type: application/json
    {"personal_id": "077098517853", "full_name": "Nguyễn Đức Tài", "birth_date": "1998-10-05"}

    200 {"status": "matched" | "no_record" | "mismatch" | "deceased", "reason": "full_name" | null}

The name is sent as declared; the service compares it after NFC, casefolding and collapsing whitespace.
Any other answer (a 4xx, a 5xx after retries, a timeout, a refused connection, a body that is not one of
those statuses) is UNAVAILABLE with a reason: ``match`` never raises, so registration can continue at the
lower level and the identity is re-checked later (``idp.population.recheck``).

Transport: mutual TLS when a client certificate is configured (and a private CA if given); bounded retries
with exponential backoff on connection failures and 5xx only; a circuit breaker so a dead registry costs
no waiting.
"""

from __future__ import annotations

import ssl
import time

import httpx

from idp.config import Settings
from idp.population.breaker import CircuitBreaker
from idp.population.interface import DeclaredIdentity, MatchResult, MatchStatus

_ANSWERS = {MatchStatus.MATCHED, MatchStatus.NO_RECORD, MatchStatus.MISMATCH, MatchStatus.DECEASED}


class _Unavailable(Exception):
    """One failed attempt; ``retry`` says whether another attempt could help."""

    def __init__(self, reason: str, *, retry: bool, service_fault: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.service_fault = service_fault  # counts towards opening the breaker


def tls_context(settings: Settings) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(settings.registry_ca) if settings.registry_ca else None)
    if settings.registry_client_cert:
        key = settings.registry_client_key
        ctx.load_cert_chain(str(settings.registry_client_cert), str(key) if key else None)
    return ctx


class HttpRegistry:
    def __init__(self, settings: Settings, *, backoff: float = 0.2) -> None:
        if not settings.registry_url:
            raise ValueError("NIXA_REGISTRY_URL is required for registry_mode=http")
        self.attempts = 1 + max(0, settings.registry_retries)
        self.backoff = backoff
        self.breaker = CircuitBreaker(settings.registry_breaker_failures, settings.registry_breaker_reset)
        self.client = httpx.Client(
            base_url=settings.registry_url.rstrip("/"),
            timeout=settings.registry_timeout,
            verify=tls_context(settings),
        )

    def close(self) -> None:
        self.client.close()

    def match(self, declared: DeclaredIdentity) -> MatchResult:
        if not self.breaker.allow():
            return MatchResult(MatchStatus.UNAVAILABLE, "circuit breaker open")
        try:
            result = self._with_retries(declared)
        except _Unavailable as exc:
            if exc.service_fault:
                self.breaker.record_failure()
            else:
                self.breaker.record_success()  # the service answered: it is up, our request was refused
            return MatchResult(MatchStatus.UNAVAILABLE, exc.reason)
        self.breaker.record_success()
        return result

    def _with_retries(self, declared: DeclaredIdentity) -> MatchResult:
        for attempt in range(self.attempts):
            try:
                return self._call(declared)
            except _Unavailable as exc:
                if not exc.retry or attempt == self.attempts - 1:
                    raise
            time.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _call(self, declared: DeclaredIdentity) -> MatchResult:
        body = {
            "personal_id": declared.personal_id,
            "full_name": declared.full_name,
            "birth_date": declared.birth_date.isoformat(),
        }
        try:
            response = self.client.post("/v1/match", json=body)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # Nothing reached the service: safe and useful to try again.
            raise _Unavailable(f"cannot connect: {type(exc).__name__}", retry=True) from exc
        except httpx.TimeoutException as exc:
            # A slow registry is an overloaded one; waiting again would only double the citizen's wait.
            raise _Unavailable("registry timed out", retry=False) from exc
        except httpx.HTTPError as exc:
            raise _Unavailable(f"transport error: {type(exc).__name__}", retry=True) from exc
        return _parse(response)


def _parse(response: httpx.Response) -> MatchResult:
    if response.status_code >= 500:
        raise _Unavailable(f"registry error HTTP {response.status_code}", retry=True)
    if response.status_code != 200:
        # A 4xx will be the same next time: retrying cannot help, and it says nothing about the service.
        raise _Unavailable(f"registry refused HTTP {response.status_code}", retry=False, service_fault=False)
    try:
        data = response.json()
        status = MatchStatus(data["status"])
        reason = data.get("reason")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _Unavailable("malformed registry answer", retry=False) from exc
    if status not in _ANSWERS or not (reason is None or isinstance(reason, str)):
        raise _Unavailable("malformed registry answer", retry=False)
    return MatchResult(status, reason)
