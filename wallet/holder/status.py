"""The wallet's own look at its credentials' status (draft-ietf-oauth-status-list Section 8), so that the
citizen sees on the phone what verifiers see. Status lists are cached in the wallet folder (their ttl)."""

from __future__ import annotations

import httpx

from wallet.holder.store import StoredCredential, WalletStore
from wallet.sd_jwt.verification import unverified_jwt
from wallet.status_list.client import StatusListClient, StatusUnavailable
from wallet.vp.issuer_keys import IssuerKeys

STATUS_NAMES = {0: "valid", 1: "revoked", 2: "suspended"}


def credential_status(store: WalletStore, http: httpx.Client, stored: StoredCredential) -> str:
    """``valid``, ``revoked``, ``suspended`` or ``unknown`` (no status list could be had)."""
    payload = unverified_jwt(stored.credential.split("~", 1)[0])[1]
    ref = (
        (payload.get("status") or {}).get("status_list") if isinstance(payload.get("status"), dict) else None
    )
    if (
        not isinstance(ref, dict)
        or not isinstance(ref.get("uri"), str)
        or not isinstance(ref.get("idx"), int)
    ):
        return "unknown"
    keys = IssuerKeys(http, [stored.issuer])
    client = StatusListClient(
        lambda: keys.keyset(stored.issuer).as_dict(private=False)["keys"], cache_dir=store.folder, http=http
    )
    try:
        return STATUS_NAMES.get(client.status(ref["uri"], ref["idx"]), "revoked")
    except (StatusUnavailable, httpx.HTTPError, Exception):
        return "unknown"
