"""Dynamic client registration: RFC 7591 ``POST /register`` and RFC 7592 ``GET/PUT/DELETE /register/{id}``."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from idp.errors import MissingBearer
from idp.oauth.registration import ClientRegistration, SectorDocuments
from idp.provider import OpenIDProvider
from idp.web.routes_oidc import NO_STORE, oauth_json

router = APIRouter()
_building = threading.Lock()


def registration_for(app: FastAPI) -> ClientRegistration:
    """One service per app, built on first use (a test may place its own on ``app.state`` first).
    Dependencies run in the threadpool, so building is locked: two first requests cannot build two."""
    service: ClientRegistration | None = getattr(app.state, "registration", None)
    if service is not None:
        return service
    with _building:
        service = getattr(app.state, "registration", None)
        if service is None:
            op: OpenIDProvider = app.state.provider
            # Plain-http loopback sector documents are for development only.
            sectors = SectorDocuments(allow_loopback_http=not op.platform.settings.production)
            service = app.state.registration = ClientRegistration(op.db, op.issuer, sectors)
        return service


async def registration_service(request: Request) -> ClientRegistration:
    return registration_for(request.app)


Registration = Annotated[ClientRegistration, Depends(registration_service)]


def bearer_token(request: Request) -> str:
    """RFC 6750 Section 2.1; a request without one gets the bare challenge of Section 3.1."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise MissingBearer()
    return token.strip()


@router.post("/register")
async def register(request: Request, registration: Registration) -> JSONResponse:
    token, raw = bearer_token(request), await request.body()
    # Threadpool: a sector_identifier_uri fetch may take seconds and must not stall the event loop.
    info = await run_in_threadpool(registration.register, token, raw, request.headers.get("content-type"))
    return oauth_json(info, status_code=201)


@router.get("/register/{client_id}")
async def read_client(client_id: str, request: Request, registration: Registration) -> JSONResponse:
    return oauth_json(await run_in_threadpool(registration.read, client_id, bearer_token(request)))


@router.put("/register/{client_id}")
async def update_client(client_id: str, request: Request, registration: Registration) -> JSONResponse:
    token, raw = bearer_token(request), await request.body()
    ctype = request.headers.get("content-type")
    return oauth_json(await run_in_threadpool(registration.update, client_id, token, raw, ctype))


@router.delete("/register/{client_id}")
async def delete_client(client_id: str, request: Request, registration: Registration) -> Response:
    await run_in_threadpool(registration.delete, client_id, bearer_token(request))
    return Response(status_code=204, headers=NO_STORE)
