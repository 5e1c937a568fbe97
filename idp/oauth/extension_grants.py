"""Token endpoint grant types that extensions add (RFC 6749 Section 4.5: extension grants).

A handler receives the request as the token endpoint sees it and answers the token response itself: it
decides whether the grant needs client authentication (OpenID4VCI's pre-authorized code may be anonymous)
and raises ``idp.errors`` exceptions for the protocol's error responses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy.orm import Session


class ExtensionGrant(Protocol):
    def __call__(
        self, s: Session, authorization: str | None, form: Mapping[str, str], ip: str | None
    ) -> dict[str, Any]: ...
