"""IETF Token Status List (draft-ietf-oauth-status-list): revocation and suspension of issued credentials.

- ``models``: the lists and their entries (one row per allocated index).
- ``bits``: the compressed bit array (1 or 2 bits per entry).
- ``service``: allocate an index, set and read a status, build the Status List Token (JWT and CWT).
- ``router``: publishes the tokens at ``{issuer}/status-lists/<id>``.
- ``client``: the verifier side: fetch, check and cache a Status List Token, read one status.
"""

from wallet.status_list.service import (
    STATUS_INVALID,
    STATUS_SUSPENDED,
    STATUS_VALID,
    StatusListService,
    StatusReference,
)

__all__ = ["STATUS_INVALID", "STATUS_SUSPENDED", "STATUS_VALID", "StatusListService", "StatusReference"]
