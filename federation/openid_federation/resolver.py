"""Trust chain resolution, OpenID Federation 1.0 Section 10.1: collect the statements from the subject up
to a trust anchor by following ``authority_hints``, validate each candidate chain (``trust_chain``) and
keep the first valid one in a cache until it expires (Section 10.4). Loops and paths deeper than
``max_depth`` superiors are refused.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from federation.openid_federation import trust_chain
from federation.openid_federation.errors import FederationError, InvalidTrustAnchor, InvalidTrustChain
from federation.openid_federation.statements import (
    ENTITY_STATEMENT_MEDIA_TYPE,
    MAX_STATEMENT_BYTES,
    EntityStatement,
    configuration_url,
    parse,
    self_signed,
)
from federation.openid_federation.trust_chain import TrustChain

MAX_AUTHORITY_HINTS = 4
MAX_FETCHES = 24  # statements one resolution may fetch
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def _names_internal_address(host: str) -> bool:
    """True when ``host`` is, or resolves to, an address of this machine or of a private network."""
    try:
        return _internal(host)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return True  # a name that does not resolve is refused as well
    return any(_internal(str(info[4][0])) for info in infos)


def check_entity_id(entity_id: str, *, allow_loopback: bool = True, allow_private: bool = True) -> str:
    """Section 1.2: an entity identifier is an https URL (http only on loopback, for development)."""
    parts = urlsplit(entity_id)
    loopback = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    if not (parts.scheme == "https" or loopback) or not parts.hostname or parts.query or parts.fragment:
        raise InvalidTrustChain("an entity identifier must be an https URL", detail=entity_id[:200])
    if not allow_loopback and parts.hostname in LOOPBACK_HOSTS:
        # In production an entity ID must not make NIXA call its own machine (request forgery).
        raise InvalidTrustChain("an entity identifier must not name this machine", detail=entity_id[:200])
    if not allow_private and _names_internal_address(parts.hostname):
        # Nor an internal network, unless the federation runs on one (ALLOW_PRIVATE_NETWORKS).
        raise InvalidTrustChain("an entity identifier must name a public host", detail=entity_id[:200])
    return entity_id


class EntitySource(Protocol):
    """Where statements come from: HTTP for the world, the database for entities NIXA itself runs."""

    def entity_configuration(self, entity_id: str) -> str: ...
    def subordinate_statement(self, superior: EntityStatement, subject: str) -> str: ...


class HttpEntitySource:
    """Statements over HTTP: no redirects, a timeout, and at most ``MAX_STATEMENT_BYTES`` read."""

    def __init__(
        self, timeout: float = 5.0, *, allow_loopback: bool = True, allow_private: bool = True
    ) -> None:
        self.timeout = timeout
        self.allow_loopback = allow_loopback
        self.allow_private = allow_private

    def _get(self, url: str, params: dict[str, str] | None = None) -> str:
        check_entity_id(
            url.split("?", 1)[0], allow_loopback=self.allow_loopback, allow_private=self.allow_private
        )
        try:
            with httpx.stream(
                "GET", url, params=params, timeout=self.timeout, follow_redirects=False
            ) as resp:
                body = self._read(resp, url)
        except httpx.HTTPError as exc:
            raise InvalidTrustChain(
                "a federation entity could not be reached", detail=f"{url}: {exc}"
            ) from exc
        return body

    def _read(self, resp: httpx.Response, url: str) -> str:
        if resp.status_code == 404:
            raise InvalidTrustChain("a superior does not vouch for the entity (not found)", detail=url)
        if resp.status_code != 200:
            raise InvalidTrustChain(
                "a federation entity answered with an error", detail=f"{url}: {resp.status_code}"
            )
        if not resp.headers.get("content-type", "").startswith(ENTITY_STATEMENT_MEDIA_TYPE):
            raise InvalidTrustChain("a federation entity did not answer with an entity statement", detail=url)
        body = b""
        for chunk in resp.iter_bytes():
            body += chunk
            if len(body) > MAX_STATEMENT_BYTES:
                raise InvalidTrustChain("a federation entity answered with too much", detail=url)
        return body.decode("utf-8", "replace")

    def entity_configuration(self, entity_id: str) -> str:
        return self._get(configuration_url(entity_id))

    def subordinate_statement(self, superior: EntityStatement, subject: str) -> str:
        endpoint = superior.federation_endpoint("federation_fetch_endpoint")
        if not endpoint:
            raise InvalidTrustChain("a superior has no federation_fetch_endpoint", detail=superior.sub)
        return self._get(endpoint, {"sub": subject})


class LayeredEntitySource:
    """Ask ``local`` first (it returns None for entities it does not run), then the network."""

    def __init__(
        self, local: EntitySource | None, remote: EntitySource, is_local: Callable[[str], bool]
    ) -> None:
        self.local, self.remote, self.is_local = local, remote, is_local

    def entity_configuration(self, entity_id: str) -> str:
        source = self.local if self.local and self.is_local(entity_id) else self.remote
        return source.entity_configuration(entity_id)

    def subordinate_statement(self, superior: EntityStatement, subject: str) -> str:
        source = self.local if self.local and self.is_local(superior.sub) else self.remote
        return source.subordinate_statement(superior, subject)


class TrustChainResolver:
    def __init__(
        self,
        source: EntitySource,
        anchors: Callable[[], Mapping[str, dict[str, Any]]],
        *,
        max_depth: int = 5,
        cache_seconds: int = 300,
        failure_seconds: int = 30,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.source = source
        self.anchors = anchors  # entity ID -> JWKS, configured out of band (a callable: anchors may change)
        self.max_depth = max_depth
        # Section 10.4 allows a chain to be used until it expires; NIXA also re-checks after
        # ``cache_seconds`` so that a superior's removal of a subordinate is seen within minutes.
        self.cache_seconds = cache_seconds
        self.failure_seconds = failure_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str | None], tuple[int, TrustChain]] = {}
        self._failures: dict[tuple[str, str | None], tuple[int, FederationError]] = {}

    def forget(self) -> None:
        """Drop every cached chain (a superior NIXA runs changed what it vouches for)."""
        with self._lock:
            self._cache.clear()
            self._failures.clear()

    def resolve(self, subject: str, trust_anchor: str | None = None, *, fresh: bool = False) -> TrustChain:
        """The subject's first valid chain to ``trust_anchor`` (or any trusted anchor); ``fresh`` skips
        the cache, for decisions that must see the federation as it is now."""
        anchors = dict(self.anchors())
        if trust_anchor is not None and trust_anchor not in anchors:
            raise InvalidTrustAnchor("the trust anchor is not one this entity trusts", detail=trust_anchor)
        now = int(self.clock())
        key = (subject, trust_anchor)
        with self._lock:
            hit = self._cache.get(key)
        if not fresh and hit is not None and hit[1].expires_at > now and hit[0] + self.cache_seconds > now:
            return hit[1]
        with self._lock:
            failed = self._failures.get(key)
        if failed is not None and failed[0] + self.failure_seconds > now:
            # Anyone can name an entity ID at /authorize: a refusal is remembered briefly so that the
            # same name does not make NIXA fetch again and again.
            raise type(failed[1])(failed[1].description, detail=failed[1].detail)
        wanted = {trust_anchor: anchors[trust_anchor]} if trust_anchor else anchors
        try:
            chain = self._first_valid(self._configuration(subject, now), wanted, now)
        except FederationError as exc:
            with self._lock:
                if len(self._failures) > 10_000:
                    self._failures.clear()
                self._failures[key] = (now, exc)
            raise
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key] = (now, chain)
            self._failures.pop(key, None)
        return chain

    def _configuration(self, entity_id: str, now: int) -> EntityStatement:
        statement = self_signed(self.source.entity_configuration(entity_id), now=now)
        if statement.sub != entity_id:
            raise InvalidTrustChain("an entity configuration is about another entity", detail=entity_id)
        return statement

    def resolve_configuration(self, leaf: EntityStatement, trust_anchor: str | None = None) -> TrustChain:
        """A chain for an entity configuration received directly (explicit registration, Section 12.2),
        already checked as self-signed by the caller; not cached, since the entity chose what to send."""
        anchors = dict(self.anchors())
        if trust_anchor is not None and trust_anchor not in anchors:
            raise InvalidTrustAnchor("the trust anchor is not one this entity trusts", detail=trust_anchor)
        wanted = {trust_anchor: anchors[trust_anchor]} if trust_anchor else anchors
        return self._first_valid(leaf, wanted, int(self.clock()))

    def _first_valid(self, leaf: EntityStatement, anchors: dict[str, dict[str, Any]], now: int) -> TrustChain:
        errors: list[FederationError] = []
        subject = leaf.sub
        if subject in anchors:
            return trust_chain.validate([leaf], anchors[subject], now=now)
        for tail in self._paths(leaf, anchors, now, errors, (subject,), [MAX_FETCHES]):
            try:
                return trust_chain.validate([leaf, *tail], anchors[tail[-1].iss], now=now)
            except FederationError as exc:
                errors.append(exc)
        if errors:
            raise errors[-1]
        raise InvalidTrustChain("no path from the entity to a trusted anchor", detail=subject)

    def _paths(
        self,
        lower: EntityStatement,
        anchors: dict[str, dict[str, Any]],
        now: int,
        errors: list[FederationError],
        visited: tuple[str, ...],
        budget: list[int],
    ) -> Iterator[list[EntityStatement]]:
        """Every path of [SS about ``lower``, ..., anchor EC] reachable through authority_hints."""
        # A bounded walk: a few hints per entity, and depth below, keep one request's fetches bounded.
        for hint in lower.authority_hints[:MAX_AUTHORITY_HINTS]:
            if hint in visited:
                errors.append(
                    InvalidTrustChain("authority_hints form a loop", detail=" -> ".join((*visited, hint)))
                )
                continue
            if len(visited) > self.max_depth:
                errors.append(InvalidTrustChain("the path to a trust anchor is too deep", detail=hint))
                continue
            budget[0] -= 2
            if budget[0] < 0:
                errors.append(
                    InvalidTrustChain("resolving the trust chain needs too many fetches", detail=hint)
                )
                return
            try:
                superior = self._configuration(hint, now)
                statement = parse(self.source.subordinate_statement(superior, lower.sub))
                if statement.iss != hint or statement.sub != lower.sub:
                    raise InvalidTrustChain("a fetched statement is not the superior's about the entity")
            except FederationError as exc:
                errors.append(exc)
                continue
            if hint in anchors:
                yield [statement, superior]
            else:
                for tail in self._paths(superior, anchors, now, errors, (*visited, hint), budget):
                    yield [statement, *tail]
