"""Publishing the Status List Tokens at ``{issuer}/status-lists/<id>`` (draft-ietf-oauth-status-list
Section 8.1): content negotiation between the JWT and the CWT form, and HTTP caching (Section 11.3)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from wallet.status_list.service import CWT_TYP, PATH, StatusListService

JWT_MEDIA_TYPE = "application/statuslist+jwt"


def _wants_cwt(accept: str) -> bool:
    # Section 8.1: the Relying Party asks with Accept; JWT is the answer unless only the CWT is acceptable.
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    return CWT_TYP in kinds and JWT_MEDIA_TYPE not in kinds


def status_list_router(service: StatusListService) -> APIRouter:
    router = APIRouter()

    @router.get(PATH + "/{list_id}", include_in_schema=False)
    async def status_list_token(list_id: str, request: Request) -> Response:
        accept = request.headers.get("accept", "")
        cwt = _wants_cwt(accept)
        body = await run_in_threadpool(_token, service, list_id, cwt)
        if body is None:
            return Response(status_code=404, headers={"Cache-Control": "no-store"})
        headers = {
            # Section 11.3: caching is governed by ttl, and HTTP caches may keep the token as long.
            "Cache-Control": f"public, max-age={service.settings.status_list_cache_ttl}",
            "Vary": "Accept",
            # Relying parties in browsers (the verifier page of another origin) may fetch it too.
            "Access-Control-Allow-Origin": "*",
        }
        return Response(body, media_type=CWT_TYP if cwt else JWT_MEDIA_TYPE, headers=headers)

    return router


def _token(service: StatusListService, list_id: str, cwt: bool) -> bytes | None:
    with service.platform.db.read_session() as s:
        if cwt:
            return service.token_cwt(s, list_id)
        token = service.token_jwt(s, list_id)
        return token.encode() if token is not None else None
