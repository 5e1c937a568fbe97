"""Clients known by other means than the client table: the ``ClientResolver`` extension point.

A portal of an OpenID Federation uses its entity ID (an https URL) as ``client_id`` without being
registered by hand (OpenID Federation 1.0 Section 12.1). When such an identifier reaches the authorization
or token endpoint, the resolvers registered by extensions may create or refresh its client row, for as
long as the trust that admits it lasts; ``idp`` itself knows nothing of federations.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached

from idp.models import Client


class ClientResolver(Protocol):
    def resolve(self, s: Session, client_id: str, registered: Client | None) -> Client | None:
        """The client to use for ``client_id``: ``registered`` unchanged when the resolver has no say over
        it or it is still good, a created or refreshed row, or None. Raises an ``OAuthError`` to refuse."""
        ...


def resolvable(client_id: str) -> bool:
    """Only URL identifiers are looked up elsewhere; ordinary client IDs never leave the database."""
    return client_id.startswith(("https://", "http://"))


_REVISION = select(Client.updated_at).where(Client.client_id == bindparam("client_id"))
_COLUMNS = tuple(attr.key for attr in inspect(Client).column_attrs)


class ClientCache:
    """Clients as last read, each checked against the database on every use, so never stale.

    A portal's client row is read on every token, introspection, revocation and UserInfo request and at
    every step of a login: ~30 columns, six of them JSON. Here each use reads only the row's
    ``updated_at`` (set by every ORM or Core update of a client, ``onupdate``) and, when it is the cached
    one, copies the cached row into the session without SQL (``Session.merge(load=False)``, SQLAlchemy's
    way to bring cached objects into a session). A changed, disabled, re-keyed or deleted client is
    therefore seen by the very next request.

    The session's copy shares the JSON values with the cache: like any JSON column (SQLAlchemy does not
    track changes inside one), they are replaced, never changed in place.
    """

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._clients: dict[str, Client] = {}
        self._lock = threading.Lock()

    def get(self, s: Session, client_id: str) -> Client | None:
        revision = s.connection().execute(_REVISION, {"client_id": client_id}).scalar()
        return self.at_revision(s, client_id, revision)

    def at_revision(self, s: Session, client_id: str, revision: datetime | None) -> Client | None:
        """The client whose ``updated_at`` was just read as ``revision`` in this session's transaction (by
        ``get``, or joined into another statement): the cached copy if it is that revision, else the row."""
        if revision is None:
            return None
        cached = self._clients.get(client_id)
        if cached is not None and cached.updated_at == revision:
            return s.merge(cached, load=False)
        client = s.get(Client, client_id)
        if client is not None and not s.is_modified(client):
            self._keep(client)
        return client

    def _keep(self, client: Client) -> None:
        # A detached copy of its own: the session's instance goes on living (and may change) in the session.
        snapshot = Client(**{k: copy.deepcopy(getattr(client, k)) for k in _COLUMNS})
        make_transient_to_detached(snapshot)
        with self._lock:
            if len(self._clients) >= self._size:
                self._clients.pop(next(iter(self._clients)))  # the oldest entry
            self._clients[client.client_id] = snapshot


def find_client(
    s: Session, client_id: str, resolvers: Sequence[ClientResolver], cache: ClientCache | None = None
) -> Client | None:
    client = cache.get(s, client_id[:255]) if cache is not None else s.get(Client, client_id[:255])
    if not resolvers or not resolvable(client_id) or len(client_id) > 255:
        return client
    for resolver in resolvers:
        client = resolver.resolve(s, client_id, client)
    return client
