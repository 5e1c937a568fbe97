"""OpenID4VP endpoints (request_uri, response_uri), the portal API and the verifier page.

- ``GET /vp/request/<handle>``: the signed Request Object (Section 5.10).
- ``POST /vp/response``: the wallet's direct_post (Section 8.2).
- ``POST /vp/presentations`` (portal, client authentication) and ``GET /vp/presentations/<id>``
  (bearer: the result secret) for portals that ask through NIXA.
- ``/presentations/verify``: the verifier page; the QR, then the verdict (refreshes itself, no JavaScript).
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from idp.errors import InvalidRequest, InvalidToken
from idp.params import DUPLICATE
from idp.provider import OpenIDProvider
from idp.signup.ratelimit import RateLimit, ip_bucket
from idp.web.deps import PagesDep, Provider, client_ip, form_dict
from wallet.vci.limits import presentation_page_limit
from wallet.vci.metadata import IDENTITY_CLAIMS, IDENTITY_VCT
from wallet.vp.dcql import InvalidQuery, identity_query
from wallet.vp.request_objects import REQUEST_TYP
from wallet.vp.service import REQUEST_PATH, RESPONSE_PATH, NewPresentationRequest, Presentations
from wallet.vp.verification import Verdict

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
PAGE = "/presentations/verify"
RESULT_COOKIE = "nixa_vp_result"


def qr_data_uri(text: str) -> str:
    """An inline SVG QR (error correction Q, as for the identity QR; the CSP allows img-src data:)."""
    image = qrcode.make(
        text, image_factory=qrcode.image.svg.SvgPathImage, error_correction=qrcode.constants.ERROR_CORRECT_Q
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def presentation_router(presentations: Presentations) -> APIRouter:
    router = APIRouter()
    db = presentations.platform.db

    @router.get(REQUEST_PATH + "/{handle}", include_in_schema=False)
    def request_uri(handle: str) -> Response:
        with db.session() as s:
            token = presentations.request_object(s, handle)
        if token is None:
            return JSONResponse({"error": "invalid_request_uri"}, status_code=404, headers=NO_STORE)
        # RFC 9101 Section 10.2: the media type of a Request Object.
        return Response(token, media_type=f"application/{REQUEST_TYP}", headers=NO_STORE)

    @router.post(RESPONSE_PATH, include_in_schema=False)
    async def response_uri(request: Request) -> JSONResponse:
        form = await form_dict(request)
        if any(v == DUPLICATE for v in form.values()):
            raise InvalidRequest("parameter repeated")
        verdict = await run_in_threadpool(_respond, presentations, form, client_ip(request))
        if not verdict.valid:
            raise InvalidRequest(f"presentation refused: {verdict.verdict}")
        return JSONResponse({}, headers=NO_STORE)

    @router.post("/vp/presentations", include_in_schema=False)
    async def portal_request(request: Request, op: Provider) -> JSONResponse:
        form = await form_dict(request)
        body = await run_in_threadpool(
            _portal_request, presentations, op, request.headers.get("authorization"), form
        )
        return JSONResponse(body, status_code=201, headers=NO_STORE)

    @router.get("/vp/presentations/{request_id}", include_in_schema=False)
    def portal_result(request_id: str, request: Request) -> JSONResponse:
        header = request.headers.get("authorization", "")
        secret = header[7:].strip() if header[:7].lower() == "bearer " else None
        with db.read_session() as s:
            result = presentations.result(s, request_id, secret)
        if result is None:
            raise InvalidToken("unknown presentation request or wrong result token")
        return JSONResponse({"status": result.state, "claims": result.claims}, headers=NO_STORE)

    _page_routes(router, presentations)
    return router


def _respond(presentations: Presentations, form: dict[str, str], ip: str | None) -> Verdict:
    with presentations.platform.db.session() as s:
        return presentations.respond(s, form, ip)


def _portal_request(
    presentations: Presentations, op: OpenIDProvider, authorization: str | None, form: dict[str, str]
) -> dict[str, Any]:
    with presentations.platform.db.session() as s:
        client = op.authenticate_client(s, authorization, form)
        try:
            query = json.loads(form.get("dcql_query") or "")
            created = presentations.create(s, query, requested_by=client.client_id, actor=client.client_id)
        except (ValueError, InvalidQuery) as exc:
            raise InvalidRequest(f"invalid dcql_query: {exc}") from exc
        return {
            "id": created.id,
            "request_uri": created.request_uri,
            "wallet_uri": created.wallet_uri,
            "result_token": created.result_secret,
            "expires_in": created.expires_in,
        }


def _verify_form(request: Request, pages: PagesDep) -> Response:
    return pages.render(
        request,
        "vp_verify.html",
        claims=list(IDENTITY_CLAIMS),
        csrf_token=pages.csrf_token(request, "vp-verify"),
    )


def _page_request(
    presentations: Presentations, limit: RateLimit, wanted: list[str], ip: str | None
) -> NewPresentationRequest | None:
    with presentations.platform.db.session() as s:
        if not limit.hit(s, ip_bucket(ip)).allowed:
            return None
        return presentations.create(
            s, identity_query(IDENTITY_VCT, wanted), requested_by=None, actor="verifier-page"
        )


def _page_routes(router: APIRouter, presentations: Presentations) -> None:
    db = presentations.platform.db
    limit = presentation_page_limit(presentations.platform.blind_index)
    router.add_api_route(PAGE, _verify_form, methods=["GET"], include_in_schema=False)

    @router.post(PAGE, include_in_schema=False)
    async def verify_start(request: Request, pages: PagesDep) -> Response:
        form = await request.form()
        if not pages.csrf_ok(request, "vp-verify", str(form.get("csrf_token") or "")):
            return pages.error(request, "error.csrf", status_code=403)
        wanted = [c for c in form.getlist("claim") if isinstance(c, str) and c in IDENTITY_CLAIMS]
        if not wanted:
            return pages.render(
                request,
                "vp_verify.html",
                status_code=400,
                claims=list(IDENTITY_CLAIMS),
                error="vp.choose_claims",
                csrf_token=pages.csrf_token(request, "vp-verify"),
            )
        created = await run_in_threadpool(_page_request, presentations, limit, wanted, client_ip(request))
        if created is None:
            return pages.error(request, "vp.rate_limited", status_code=429)
        response = RedirectResponse(f"{PAGE}/{created.id}", status_code=303)
        pages.set_cookie(response, RESULT_COOKIE, created.result_secret, max_age=created.expires_in + 600)
        return pages.finish(request, response)

    @router.get(PAGE + "/{request_id}", include_in_schema=False)
    def verify_status(request_id: str, request: Request, pages: PagesDep) -> Response:
        with db.session() as s:
            result = presentations.result(s, request_id, request.cookies.get(RESULT_COOKIE))
            wallet_uri = (
                presentations.wallet_uri(s, request_id) if result and result.state == "pending" else None
            )
        if result is None:
            return pages.error(request, "error.not_found", status_code=404)
        return pages.render(
            request,
            "vp_status.html",
            result=result,
            labels=IDENTITY_CLAIMS,
            request_id=request_id,
            qr=qr_data_uri(wallet_uri) if wallet_uri else None,
            # WCAG 2.2.1: the automatic refresh can be turned off (then the person refreshes by a link).
            manual=request.query_params.get("manual") == "1",
            wallet_uri=wallet_uri,
        )
