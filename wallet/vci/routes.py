"""HTTP face of the credential issuer: metadata, the Nonce Endpoint and the Credential Endpoint."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from idp.errors import MissingBearer
from idp.provider import OpenIDProvider
from idp.signup.ratelimit import RateLimit, ip_bucket
from idp.web.deps import Provider, client_ip
from wallet.vci.errors import InvalidCredentialRequest
from wallet.vci.issuance import CredentialIssuer
from wallet.vci.limits import nonce_limit
from wallet.vci.metadata import credential_issuer_metadata, jwt_vc_issuer_metadata

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
MAX_REQUEST_BYTES = 64 * 1024


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header[:7].lower() != "bearer " or not header[7:].strip():
        raise MissingBearer()
    return header[7:].strip()


async def _json_body(request: Request) -> Any:
    # Section 8.2: the Credential Request is sent as application/json.
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise InvalidCredentialRequest("the credential request must be application/json")
    raw = await request.body()
    if len(raw) > MAX_REQUEST_BYTES:
        raise InvalidCredentialRequest("the credential request is too large")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise InvalidCredentialRequest("the credential request is not valid JSON") from exc


def credential_router(issuer: CredentialIssuer) -> APIRouter:
    router = APIRouter()

    @router.get("/.well-known/openid-credential-issuer", include_in_schema=False)
    def issuer_metadata() -> JSONResponse:
        return JSONResponse(
            credential_issuer_metadata(issuer.issuer), headers={"Cache-Control": "public, max-age=300"}
        )

    @router.get("/.well-known/jwt-vc-issuer", include_in_schema=False)
    def vc_issuer_metadata() -> JSONResponse:
        return JSONResponse(
            jwt_vc_issuer_metadata(issuer.issuer), headers={"Cache-Control": "public, max-age=300"}
        )

    limit = nonce_limit(issuer.platform.blind_index)

    @router.post("/nonce", include_in_schema=False)
    async def nonce(request: Request) -> JSONResponse:
        value, retry_after = await run_in_threadpool(_new_nonce, issuer, limit, client_ip(request))
        if value is None:
            # RFC 6585 Section 4: too many requests, and when to come back.
            return JSONResponse(
                {"error": "temporarily_unavailable"},
                status_code=429,
                headers={**NO_STORE, "Retry-After": str(retry_after)},
            )
        # Section 7.2: the response MUST be uncacheable.
        return JSONResponse({"c_nonce": value}, headers=NO_STORE)

    @router.post("/credential", include_in_schema=False)
    async def credential(request: Request, op: Provider) -> JSONResponse:
        token = _bearer(request)
        body = await _json_body(request)
        result = await run_in_threadpool(_issue, issuer, op, token, body, client_ip(request))
        return JSONResponse(result, headers=NO_STORE)

    return router


def _new_nonce(issuer: CredentialIssuer, limit: RateLimit, ip: str | None) -> tuple[str | None, int]:
    with issuer.platform.db.session() as s:
        decision = limit.hit(s, ip_bucket(ip))
        if not decision.allowed:
            return None, decision.retry_after()
        return issuer.nonces.issue(s), 0


def _issue(
    issuer: CredentialIssuer, op: OpenIDProvider, token: str, body: Any, ip: str | None
) -> dict[str, Any]:
    with issuer.platform.db.session() as s:
        access = issuer.access(s, op.access_tokens, token)
        return issuer.issue(s, access, body, ip)
