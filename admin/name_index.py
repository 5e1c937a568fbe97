"""Finding citizens by name although names are stored only encrypted.

Each word of a name, normalised (lower case, diacritics removed: "Nguyễn" finds "nguyen"), is kept as a
keyed hash (the platform's blind index, with its own purpose label). A search hashes the words typed and
returns the identities that have all of them. Identities created or changed since the last search are
indexed first (their ``updated_at`` is newer than what was indexed), so the index needs no hook in the IdP.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from admin.models import NameIndexed, NameToken
from idp.crypto import BlindIndex
from idp.identities import IdentityStore
from idp.models import Identity

MAX_RESULTS = 50


def name_words(name: str | None) -> list[str]:
    text = unicodedata.normalize("NFD", (name or "").replace("Đ", "D").replace("đ", "d"))
    plain = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    return sorted({w for w in "".join(ch if ch.isalnum() else " " for ch in plain).split() if w})


class NameIndex:
    def __init__(self, index: BlindIndex, identities: IdentityStore) -> None:
        self.index = index
        self.identities = identities

    def _hash(self, word: str) -> str:
        return self.index("admin:name-word", word)

    def refresh(self, s: Session) -> int:
        """Index the identities whose name changed (or that are new) since they were last indexed."""
        stale = s.scalars(
            select(Identity)
            .outerjoin(NameIndexed, NameIndexed.identity_id == Identity.id)
            .where(
                (NameIndexed.identity_id.is_(None)) | (NameIndexed.source_updated_at < Identity.updated_at)
            )
        ).all()
        for identity in stale:
            s.execute(delete(NameToken).where(NameToken.identity_id == identity.id))
            for word in name_words(self.identities.person(identity).full_name):
                s.add(NameToken(identity_id=identity.id, token_hash=self._hash(word)))
            marker = s.get(NameIndexed, identity.id)
            if marker is None:
                s.add(NameIndexed(identity_id=identity.id, source_updated_at=identity.updated_at))
            else:
                marker.source_updated_at = identity.updated_at
        s.flush()
        return len(stale)

    def search(self, s: Session, name: str) -> list[str]:
        """Identity ids whose name has every word of ``name``."""
        words = name_words(name)
        if not words:
            return []
        self.refresh(s)
        hashes = [self._hash(w) for w in words]
        rows = s.execute(
            select(NameToken.identity_id)
            .where(NameToken.token_hash.in_(hashes))
            .group_by(NameToken.identity_id)
            .having(func.count(func.distinct(NameToken.token_hash)) == len(set(hashes)))
            .limit(MAX_RESULTS)
        )
        return [r[0] for r in rows]
