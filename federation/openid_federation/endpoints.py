"""Federation endpoints of the entities NIXA runs, OpenID Federation 1.0 Sections 8 and 9.

- ``{entity}/.well-known/openid-federation``: the entity configuration (the OP's is at the issuer's root)
- ``{entity}/fetch?sub=``: a subordinate statement (8.1); ``{entity}/list``: subordinates (8.2)
- ``{entity}/resolve?sub=&trust_anchor=``: a resolved chain, signed (8.3)
- ``{entity}/trust_mark_status`` (POST ``trust_mark``): the status of a trust mark it issued (8.4)
- ``{entity}/historical_keys``: its retired federation keys (8.7)
- ``{issuer}/federation/register``: explicit registration of a portal (12.2)

Routes parse, call, respond; errors are the protocol's JSON errors (``errors``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from federation.openid_federation import trust_marks
from federation.openid_federation.errors import InvalidRequest, NotFound
from federation.openid_federation.statements import ENTITY_STATEMENT_MEDIA_TYPE, WELL_KNOWN

if TYPE_CHECKING:
    from federation.openid_federation.extension import NixaFederation

NO_CACHE = {"Cache-Control": "no-store"}
MAX_BODY = 256 * 1024


def _jwt(token: str, media_type: str = ENTITY_STATEMENT_MEDIA_TYPE) -> Response:
    return Response(token, media_type=media_type, headers=NO_CACHE)


def _one(request: Request, name: str, required: bool = True) -> str | None:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise InvalidRequest(f"{name} must be given once")
    if required and not values:
        raise InvalidRequest(f"{name} is required")
    return values[0][:1000] if values else None


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    if value not in ("true", "false"):
        raise InvalidRequest("boolean parameters take true or false")
    return value == "true"


def build_router(fed: NixaFederation) -> APIRouter:
    router = APIRouter()
    entities = fed.entities

    def local(path: str) -> str:
        entity_id = entities.issuer + path
        if entity_id == entities.issuer:
            raise NotFound("no such entity here")
        return entity_id

    @router.get(WELL_KNOWN)
    def op_configuration() -> Response:
        return _jwt(entities.entity_configuration(entities.issuer))

    for base in ("/federation/ta", "/federation/intermediates/{slug}"):
        _entity_routes(router, fed, base, local)

    @router.post("/federation/register")
    async def explicit_registration(request: Request) -> Response:
        body = (await request.body())[:MAX_BODY].decode("utf-8", "replace")
        ctype = request.headers.get("content-type", "").split(";")[0].strip()
        token = await run_in_threadpool(fed.register_explicitly, body, ctype)
        return _jwt(token, "application/explicit-registration-response+jwt")

    return router


def _entity_routes(router: APIRouter, fed: NixaFederation, base: str, local: Any) -> None:
    def entity_id(request: Request) -> str:
        slug = request.path_params.get("slug")
        return local(base.replace("{slug}", str(slug)) if slug else base)

    @router.get(base + WELL_KNOWN)
    def configuration(request: Request) -> Response:
        return _jwt(fed.entities.entity_configuration(entity_id(request)))

    @router.get(base + "/fetch")
    def fetch(request: Request) -> Response:
        sub = _one(request, "sub")
        assert sub is not None
        return _jwt(fed.entities.subordinate_statement(entity_id(request), sub))

    @router.get(base + "/list")
    def list_subordinates(request: Request) -> JSONResponse:
        ids = fed.service.list_subordinates(
            entity_id(request),
            entity_type=_one(request, "entity_type", required=False),
            intermediate=_flag(_one(request, "intermediate", required=False)),
            trust_marked=bool(_flag(_one(request, "trust_marked", required=False))),
            trust_mark_type=_one(request, "trust_mark_type", required=False),
        )
        return JSONResponse(ids, headers=NO_CACHE)

    @router.get(base + "/resolve")
    def resolve(request: Request) -> Response:
        sub, anchor = _one(request, "sub"), _one(request, "trust_anchor")
        assert sub is not None and anchor is not None
        types = request.query_params.getlist("entity_type")
        return _jwt(
            fed.resolve_response(entity_id(request), sub, anchor, types), "application/resolve-response+jwt"
        )

    @router.get(base + "/historical_keys")
    def historical_keys(request: Request) -> Response:
        return _jwt(fed.entities.historical_keys(entity_id(request)), "application/jwk-set+jwt")

    @router.post(base + "/trust_mark_status")
    async def trust_mark_status(request: Request) -> Response:
        form = await request.form()
        mark = form.get("trust_mark")
        if not isinstance(mark, str) or not mark:
            raise InvalidRequest("trust_mark is required")
        token = await run_in_threadpool(fed.trust_mark_status_response, entity_id(request), mark)
        return _jwt(token, trust_marks.STATUS_MEDIA_TYPE)
