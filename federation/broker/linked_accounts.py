"""The citizen's linked providers (``/account/linked``): list and remove, for the signed-in person only."""

from __future__ import annotations

from federation.broker.service import Broker
from idp.sessions import SessionStore


def linked_for_cookie(broker: Broker, session_cookie: str | None) -> list[dict[str, object]] | None:
    """The signed-in citizen's linked providers (None when nobody is signed in)."""
    with broker.db.session() as s:
        session = SessionStore(0, 0).from_cookie(s, session_cookie)
        if session is None:
            return None
        out: list[dict[str, object]] = []
        for link in broker.linker.linked_providers(s, session.identity.id):
            provider = broker.catalogue.by_id(s, link.provider_id)
            if provider is not None:
                out.append(
                    {
                        "id": link.id,
                        "name": provider.name,
                        "display_name": provider.display_name,
                        "since": link.created_at.date().isoformat(),
                    }
                )
        return out


def unlink_for_cookie(broker: Broker, session_cookie: str | None, link_id: int, ip: str | None) -> bool:
    with broker.db.session() as s:
        session = SessionStore(0, 0).from_cookie(s, session_cookie)
        if session is None:
            return False
        return broker.linker.unlink(s, session.identity.id, link_id, ip=ip) is not None
