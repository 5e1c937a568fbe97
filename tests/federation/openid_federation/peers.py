"""Independent federation entities for the tests: leaf portals and intermediates NIXA does not run, each
with its own keys, served over real HTTP by one small server on a loopback port.

One server hosts many entities, each under its own path (``http://127.0.0.1:<port>/<name>``), as
OpenID Federation 1.0 allows entity IDs with a path. The other host name of loopback, ``localhost``, gives
a second "domain" for naming constraints. Each entity signs its own statements with its own key, and
can be told to misbehave (expired, signed with the wrong key) the way a broken peer would.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response
from joserfc import jwt
from joserfc.jwk import ECKey

from tests.e2e.live_server import loopback_socket, serve_asgi

STATEMENT = "application/entity-statement+jwt"


def new_key() -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": secrets.token_hex(8), "alg": "ES256"}, private=True)


def jwks_of(key: ECKey) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False)]}


def sign(claims: dict[str, Any], key: ECKey, typ: str = "entity-statement+jwt") -> str:
    return jwt.encode({"alg": "ES256", "kid": key.kid, "typ": typ}, claims, key)


@dataclass
class Subordinate:
    jwks: dict[str, Any]
    metadata_policy: dict[str, Any] = field(default_factory=dict)
    constraints: dict[str, Any] = field(default_factory=dict)


@dataclass
class Peer:
    """One entity: its configuration and, for an intermediate, what it says about its subordinates."""

    entity_id: str
    key: ECKey
    authority_hints: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    trust_marks: list[dict[str, str]] = field(default_factory=list)
    subordinates: dict[str, Subordinate] = field(default_factory=dict)
    lifetime: int = 3600
    # Misbehaviour: sign statements with another key than the one published or vouched for.
    signing_key: ECKey | None = None
    extra_claims: dict[str, Any] = field(default_factory=dict)
    # As a trust mark issuer: the marks it issued and those it revoked (its status endpoint answers).
    issued: set[str] = field(default_factory=set)
    revoked: set[str] = field(default_factory=set)

    @property
    def jwks(self) -> dict[str, Any]:
        return jwks_of(self.key)

    def _times(self) -> dict[str, int]:
        now = int(time.time())
        return {"iat": now - 10, "exp": now + self.lifetime}

    def configuration(self) -> str:
        claims: dict[str, Any] = {
            "iss": self.entity_id,
            "sub": self.entity_id,
            **self._times(),
            "jwks": self.jwks,
        }
        metadata = {
            "federation_entity": {"organization_name": self.entity_id.rsplit("/", 1)[-1]},
            **self.metadata,
        }
        if self.subordinates:
            metadata["federation_entity"]["federation_fetch_endpoint"] = self.entity_id + "/fetch"
        if self.issued:
            endpoint = self.entity_id + "/trust_mark_status"
            metadata["federation_entity"]["federation_trust_mark_status_endpoint"] = endpoint
        claims["metadata"] = metadata
        if self.authority_hints:
            claims["authority_hints"] = self.authority_hints
        if self.trust_marks:
            claims["trust_marks"] = self.trust_marks
        return sign({**claims, **self.extra_claims}, self.signing_key or self.key)

    def subordinate_statement(self, sub: str) -> str | None:
        entry = self.subordinates.get(sub)
        if entry is None:
            return None
        claims: dict[str, Any] = {"iss": self.entity_id, "sub": sub, **self._times(), "jwks": entry.jwks}
        if entry.metadata_policy:
            claims["metadata_policy"] = entry.metadata_policy
        if entry.constraints:
            claims["constraints"] = entry.constraints
        return sign(claims, self.signing_key or self.key)

    def issue_trust_mark(self, subject: str, trust_mark_type: str) -> str:
        now = int(time.time())
        claims = {"iss": self.entity_id, "sub": subject, "trust_mark_type": trust_mark_type, "iat": now}
        token = sign({**claims, "exp": now + 3600}, self.key, typ="trust-mark+jwt")
        self.issued.add(token)
        return token

    def trust_mark_status(self, token: str) -> str:
        status = "revoked" if token in self.revoked else "active" if token in self.issued else "invalid"
        now = int(time.time())
        claims = {"iss": self.entity_id, "iat": now, "trust_mark": token, "status": status}
        return sign(claims, self.key, typ="trust-mark-status-response+jwt")

    def enrol(self, other: Peer | str, jwks: dict[str, Any] | None = None, **kwargs: Any) -> None:
        entity_id = other if isinstance(other, str) else other.entity_id
        self.subordinates[entity_id] = Subordinate(
            jwks or (other.jwks if isinstance(other, Peer) else {}), **kwargs
        )


class PeerServer:
    """The loopback HTTP server; ``peers`` is reset for every test by the fixture."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.peers: dict[str, Peer] = {}
        self.requests: list[str] = []

    def entity_id(self, name: str, host: str = "127.0.0.1") -> str:
        return self.base_url.replace("127.0.0.1", host) + "/" + name

    def add(self, name: str, *, host: str = "127.0.0.1", **kwargs: Any) -> Peer:
        peer = Peer(self.entity_id(name, host), new_key(), **kwargs)
        self.peers[name] = peer
        return peer

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/healthz")
        def healthz() -> dict[str, str]:
            return {"status": "ok"}

        @app.get("/{name}/.well-known/openid-federation")
        def configuration(name: str, request: Request) -> Response:
            self.requests.append(request.url.path)
            peer = self.peers.get(name)
            if peer is None:
                return Response(status_code=404)
            return Response(peer.configuration(), media_type=STATEMENT)

        @app.get("/{name}/fetch")
        def fetch(name: str, sub: str, request: Request) -> Response:
            self.requests.append(request.url.path)
            peer = self.peers.get(name)
            token = peer.subordinate_statement(sub) if peer else None
            if token is None:
                return Response('{"error":"not_found"}', status_code=404, media_type="application/json")
            return Response(token, media_type=STATEMENT)

        @app.post("/{name}/trust_mark_status")
        async def trust_mark_status(name: str, request: Request) -> Response:
            self.requests.append(request.url.path)
            peer = self.peers.get(name)
            token = (await request.form()).get("trust_mark")
            if peer is None or not isinstance(token, str):
                return Response(status_code=400)
            media = "application/trust-mark-status-response+jwt"
            return Response(peer.trust_mark_status(token), media_type=media)

        return app


def serve_peers() -> Iterator[PeerServer]:
    sock, base_url = loopback_socket()
    server = PeerServer(base_url)
    with serve_asgi(server.app(), sock, base_url):
        yield server
