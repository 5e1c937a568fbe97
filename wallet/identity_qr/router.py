"""Routes of the identity QR on the IdP's origin: the published issuer keys."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from idp.platform import Platform
from wallet.issuer_keys import ISSUER_KEYS_PATH, issuer_keys
from wallet.settings import WalletSettings


def issuer_keys_router(platform: Platform, settings: WalletSettings) -> APIRouter:
    router = APIRouter()

    @router.get(ISSUER_KEYS_PATH, include_in_schema=False)
    async def published_issuer_keys() -> JSONResponse:
        longest = max(settings.identity_qr_ttl, settings.status_list_token_ttl)
        doc = await run_in_threadpool(lambda: issuer_keys(platform, longest_credential_ttl=longest))
        return JSONResponse(doc, headers={"Cache-Control": "public, max-age=3600"})

    return router
