"""Subject identifiers, OIDC Core Section 8: pairwise per sector by default, public where allowed."""

from __future__ import annotations

import hashlib
import hmac

from idp.crypto import b64url
from idp.models import Client


class SubjectIdentifiers:
    def __init__(self, pairwise_secret: bytes) -> None:
        self._key = hashlib.sha256(b"nixa-pairwise:" + pairwise_secret).digest()

    def for_client(self, client: Client, identity_id: str) -> str:
        if client.subject_type == "public":
            return identity_id
        # OIDC Core 8.1: the same person gets the same sub at every client of one sector, a different one
        # elsewhere, and the value must not be reversible to the local account identifier.
        sector = client.sector_identifier or client.client_id
        return b64url(hmac.new(self._key, f"{sector}|{identity_id}".encode(), hashlib.sha256).digest())
