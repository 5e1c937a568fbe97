"""Clients known by other means than the client table: the ``ClientResolver`` extension point.

A portal of an OpenID Federation uses its entity ID (an https URL) as ``client_id`` without being
registered by hand (OpenID Federation 1.0 Section 12.1). When such an identifier reaches the authorization
or token endpoint, the resolvers registered by extensions may create or refresh its client row, for as
long as the trust that admits it lasts; ``idp`` itself knows nothing of federations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.orm import Session

from idp.models import Client


class ClientResolver(Protocol):
    def resolve(self, s: Session, client_id: str, registered: Client | None) -> Client | None:
        """The client to use for ``client_id``: ``registered`` unchanged when the resolver has no say over
        it or it is still good, a created or refreshed row, or None. Raises an ``OAuthError`` to refuse."""
        ...


def resolvable(client_id: str) -> bool:
    """Only URL identifiers are looked up elsewhere; ordinary client IDs never leave the database."""
    return client_id.startswith(("https://", "http://"))


def find_client(s: Session, client_id: str, resolvers: Sequence[ClientResolver]) -> Client | None:
    client = s.get(Client, client_id[:255])
    if not resolvers or not resolvable(client_id) or len(client_id) > 255:
        return client
    for resolver in resolvers:
        client = resolver.resolve(s, client_id, client)
    return client
