"""Protocol endpoints: discovery, JWKS, authorize, token, userinfo, introspection and revocation."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from idp.errors import InvalidPageRequest, InvalidRequest, MissingBearer, UnauthorizedClient
from idp.provider import AuthorizationResponse, OpenIDProvider, ShowInteraction
from idp.web.deps import PagesDep, Provider, client_ip, form_dict
from idp.web.discovery import discovery_document
from idp.web.pages import SESSION_COOKIE

router = APIRouter()
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def oauth_json(
    body: dict[str, Any], status_code: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status_code, headers={**NO_STORE, **(headers or {})})


def single_values(params: dict[str, str]) -> dict[str, str]:
    """RFC 6749 Section 3.1: request parameters MUST NOT be included more than once."""
    if dup := [k for k, v in params.items() if v == "\x00dup"]:
        raise InvalidRequest(f"parameter repeated: {dup[0][:40]}")
    return params


def query_dict(request: Request) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        out[key] = "\x00dup" if key in out else value
    return out


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


@router.get("/jwks")
def jwks(op: Provider) -> JSONResponse:
    return JSONResponse(
        op.platform.keys.public_jwks(),
        media_type="application/jwk-set+json",
        headers={"Cache-Control": "public, max-age=60"},
    )


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
    if any(v == "\x00dup" for v in params.values()):
        return pages.error(
            request,
            "error.bad_redirect_uri" if params.get("redirect_uri") == "\x00dup" else "error.unknown_client",
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


@router.post("/token")
async def token(request: Request, op: Provider) -> JSONResponse:
    form = single_values(await form_dict(request))
    body = await run_in_threadpool(op.token, request.headers.get("authorization"), form, client_ip(request))
    return oauth_json(body)


def _bearer(request: Request, form: dict[str, str]) -> str:
    header = request.headers.get("authorization", "")
    from_header = header[7:].strip() if header[:7].lower() == "bearer " else None
    from_body = form.get("access_token")
    if from_header and from_body:
        # RFC 6750 Section 2: clients MUST NOT use more than one method to send the token.
        raise InvalidRequest("access token sent in more than one way")
    token = from_header or from_body
    if not token:
        raise MissingBearer()
    return token


async def _userinfo(request: Request, op: Provider, form: dict[str, str]) -> Response:
    return await run_in_threadpool(_userinfo_response, op, _bearer(request, form))


def _userinfo_response(op: OpenIDProvider, token: str) -> Response:
    # UserInfo only reads: on SQLite a read session neither takes nor waits for the write lock.
    with op.db.read_session() as s:
        client, claims = op.userinfo.claims(s, token)
        alg, client_id = client.userinfo_signed_response_alg, client.client_id  # read before the rollback
    if alg:
        # OIDC Core 5.3.2: a signed response is a JWT with iss and aud.
        signed = op.signer.sign({**claims, "iss": op.issuer, "aud": client_id}, alg=alg)
        return Response(signed, media_type="application/jwt", headers=NO_STORE)
    return oauth_json(claims)


@router.get("/userinfo")
async def userinfo_get(request: Request, op: Provider) -> Response:
    return await _userinfo(request, op, {})


@router.post("/userinfo")
async def userinfo_post(request: Request, op: Provider) -> Response:
    ctype = request.headers.get("content-type", "")
    form = await form_dict(request) if ctype.startswith("application/x-www-form-urlencoded") else {}
    return await _userinfo(request, op, form)


@router.post("/introspect")
async def introspect(request: Request, op: Provider) -> JSONResponse:
    form = single_values(await form_dict(request))
    return await run_in_threadpool(_introspect, op, request.headers.get("authorization"), form)


def _introspect(op: OpenIDProvider, authorization: str | None, form: dict[str, str]) -> JSONResponse:
    with op.db.session() as s:
        client = op.authenticate_client(s, authorization, form)
        if client.is_public:
            raise UnauthorizedClient("public clients cannot introspect tokens")
        if not form.get("token"):
            raise InvalidRequest("token is required")
        return oauth_json(op.introspection.inspect(s, client, form))


@router.post("/revoke")
async def revoke(request: Request, op: Provider) -> Response:
    form = single_values(await form_dict(request))
    return await run_in_threadpool(
        _revoke, op, request.headers.get("authorization"), form, client_ip(request)
    )


def _revoke(op: OpenIDProvider, authorization: str | None, form: dict[str, str], ip: str | None) -> Response:
    with op.db.session() as s:
        client = op.authenticate_client(s, authorization, form)
        if not form.get("token"):
            raise InvalidRequest("token is required")
        # RFC 7009 Section 2.1: the hint only speeds up the search; an unknown hint is ignored.
        op.revocation.revoke(s, client, form, ip)
    return Response(status_code=200, headers=NO_STORE)
