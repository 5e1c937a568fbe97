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
from typing import Any, Protocol

from sqlalchemy import bindparam, event, inspect, select
from sqlalchemy.orm import InstanceState, Session, make_transient_to_detached

from idp.db import Unit, orm, unit_of_work
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
_SNAPSHOT = "nixa.client_cache.snapshot"


class SharedClientChanged(RuntimeError):
    """Raised when code changes a client that the cache shares between requests (see ``ClientCache``)."""


def _refuse_change(state: InstanceState[Client], value: Any, _old: Any, _initiator: Any) -> Any:
    if state.info.get(_SNAPSHOT):
        raise SharedClientChanged("a cached client is shared and read-only: get it with attach=True")
    return value


# Every column of a cached snapshot is guarded, so that a change meant for the database can never land
# silently in the copy that every other request reads. Only writes pay for the check.
for _key in _COLUMNS:
    event.listen(getattr(Client, _key), "set", _refuse_change, raw=True, retval=True)


class ClientCache:
    """Clients as last read, each checked against the database on every use, so never stale.

    A portal's client row is read on every token, introspection, revocation and UserInfo request and at
    every step of a login: ~30 columns, six of them JSON. Here each use reads only the row's
    ``updated_at`` (set by every ORM or Core update of a client, ``onupdate``) and, when it is the cached
    one, answers with the cached row. A changed, disabled, re-keyed or deleted client is therefore seen by
    the very next request.

    The cached row is one detached object shared by every request that reads the client, which is what
    those requests do with it: check it, and copy its identifier into the rows they write. Setting any of
    its columns raises ``SharedClientChanged``. Code that changes the client, or needs it in its session,
    asks for ``attach=True``: a copy merged into the session without SQL (``Session.merge(load=False)``,
    which walks all ~30 properties; an introspection merged two, a fifth of its CPU), so only such callers
    pay for it. Either way the JSON values are the cache's own: like any JSON column (SQLAlchemy does not
    track changes inside one), they are replaced, never changed in place.
    """

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._clients: dict[str, Client] = {}
        self._lock = threading.Lock()

    def get(self, s: Unit, client_id: str, *, attach: bool = False) -> Client | None:
        revision = s.connection().execute(_REVISION, {"client_id": client_id}).scalar()
        return self.at_revision(s, client_id, revision, attach=attach)

    def at_revision(
        self, s: Unit, client_id: str, revision: datetime | None, *, attach: bool = False
    ) -> Client | None:
        """The client whose ``updated_at`` was just read as ``revision`` in this session's transaction (by
        ``get``, or joined into another statement): the cached row if it is that revision, else the row
        from the database. ``attach``: in the session, for a caller that may change it."""
        if revision is None:
            return None
        cached = self._clients.get(client_id)
        if cached is not None and cached.updated_at == revision:
            return orm(s).merge(cached, load=False) if attach else cached
        session = orm(s)
        client = session.get(Client, client_id)
        if client is not None and not session.is_modified(client):
            self._keep(client)
        return client

    def _keep(self, client: Client) -> None:
        # A detached copy of its own: the session's instance goes on living (and may change) in the session.
        snapshot = Client(**{k: copy.deepcopy(getattr(client, k)) for k in _COLUMNS})
        make_transient_to_detached(snapshot)
        inspect(snapshot).info[_SNAPSHOT] = True
        with self._lock:
            if len(self._clients) >= self._size:
                self._clients.pop(next(iter(self._clients)))  # the oldest entry
            self._clients[client.client_id] = snapshot


def find_client(
    s: Unit, client_id: str, resolvers: Sequence[ClientResolver], cache: ClientCache | None = None
) -> Client | None:
    """The client ``client_id`` names, for reading only: cached rows are shared (``ClientCache``). Only a
    client that a resolver may refresh is attached to the session, for the resolver to change."""
    resolving = bool(resolvers) and resolvable(client_id) and len(client_id) <= 255
    if cache is not None:
        client = cache.get(s, client_id[:255], attach=resolving)
    else:
        client = orm(s).get(Client, client_id[:255])
    if not resolving:
        return client
    for resolver in resolvers:
        # A resolver may create or refresh the client's row.
        client = resolver.resolve(unit_of_work(s), client_id, client)
    return client
