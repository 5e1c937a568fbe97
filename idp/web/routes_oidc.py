"""Protocol endpoints for browsers: discovery and authorize.

The token, UserInfo, introspection, revocation and JWKS endpoints are in ``idp.web.protocol_api``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from idp.errors import InvalidPageRequest
from idp.params import DUPLICATE, mark_repeats
from idp.provider import AuthorizationResponse, ShowInteraction
from idp.web.deps import PagesDep, Provider, form_dict
from idp.web.discovery import discovery_document
from idp.web.pages import SESSION_COOKIE

router = APIRouter()
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def oauth_json(
    body: dict[str, Any], status_code: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status_code, headers={**NO_STORE, **(headers or {})})


def query_dict(request: Request) -> dict[str, str]:
    return mark_repeats(request.query_params.multi_items())


@router.get("/.well-known/openid-configuration")
@router.get("/.well-known/oauth-authorization-server")
def discovery(request: Request, op: Provider) -> JSONResponse:
    document = discovery_document(op.issuer)
    # RFC 8414 Section 2: grant_types_supported lists every grant the token endpoint takes, the
    # extensions' grant types included.
    document["grant_types_supported"] = [*document["grant_types_supported"], *op.extension_grants]
    for extra in request.app.state.discovery_extra:
        document.update(extra())
    return JSONResponse(document, headers={"Cache-Control": "public, max-age=300"})


def authorization_response(
    request: Request,
    pages: PagesDep,
    outcome: AuthorizationResponse | ShowInteraction,
) -> Response:
    if isinstance(outcome, ShowInteraction):
        return pages.finish(
            request, RedirectResponse(f"/interaction/{outcome.interaction_id}", status_code=303)
        )
    if outcome.response_mode == "form_post":
        return pages.render(
            request,
            "form_post.html",
            action=outcome.redirect_uri,
            params=outcome.params,
            form_targets=[outcome.redirect_uri],
        )
    sep = "&" if "?" in outcome.redirect_uri else "?"
    return pages.finish(
        request, RedirectResponse(outcome.redirect_uri + sep + urlencode(outcome.params), status_code=303)
    )


async def _authorize(request: Request, op: Provider, pages: PagesDep, params: dict[str, str]) -> Response:
    if any(v == DUPLICATE for v in params.values()):
        return pages.error(
            request,
            "error.bad_redirect_uri" if params.get("redirect_uri") == DUPLICATE else "error.unknown_client",
        )
    try:
        outcome = await run_in_threadpool(
            op.begin,
            params,
            session_cookie=request.cookies.get(SESSION_COOKIE),
            browser_id=pages.browser_id(request),
        )
    except InvalidPageRequest as exc:
        return pages.error(request, exc.message_key)
    return authorization_response(request, pages, outcome)


@router.get("/authorize")
async def authorize_get(request: Request, op: Provider, pages: PagesDep) -> Response:
    return await _authorize(request, op, pages, query_dict(request))


@router.post("/authorize")
async def authorize_post(request: Request, op: Provider, pages: PagesDep) -> Response:
    return await _authorize(request, op, pages, await form_dict(request))
