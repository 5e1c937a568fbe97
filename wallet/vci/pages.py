"""The citizen's credential pages: the credentials issued to them, an offer QR for the wallet, revocation.

``/account/credentials`` needs the citizen's NIXA session; every form carries a CSRF token; all of it
works without JavaScript.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from idp.provider import OpenIDProvider
from idp.web.deps import PagesDep, Provider, client_ip, form_dict
from idp.web.pages import SESSION_COOKIE
from wallet.vci.offers import MIN_LOA, NewOffer, NotEligible, Offers
from wallet.vci.revocation import CredentialRevocation, UnknownCredential
from wallet.vp.routes import qr_data_uri

PATH = "/account/credentials"
CSRF_PURPOSE = "wallet-credentials"


def _login_needed(request: Request, pages: PagesDep) -> Response:
    return pages.render(request, "profile_login.html", status_code=401, next_path=PATH)


def credential_pages(offers: Offers, revocation: CredentialRevocation) -> APIRouter:
    router = APIRouter()
    _list_and_offer_routes(router, offers, revocation)
    _revoke_route(router, revocation)
    return router


def _list_and_offer_routes(router: APIRouter, offers: Offers, revocation: CredentialRevocation) -> None:
    @router.get(PATH, include_in_schema=False)
    def credentials(request: Request, op: Provider, pages: PagesDep) -> Response:
        with op.db.read_session() as s:
            session = op.sessions.from_cookie(s, request.cookies.get(SESSION_COOKIE))
            if session is None:
                return _login_needed(request, pages)
            items = revocation.list_for(s, session.identity.id)
            eligible = session.identity.loa >= MIN_LOA and not session.identity.locked
        notice = request.query_params.get("notice")
        return pages.render(
            request,
            "credentials.html",
            credentials=items,
            eligible=eligible,
            notice=notice if notice in ("cred.revoked",) else None,
            csrf_token=pages.csrf_token(request, CSRF_PURPOSE),
        )

    @router.post(PATH + "/offer", include_in_schema=False)
    async def new_offer(request: Request, op: Provider, pages: PagesDep) -> Response:
        form = await form_dict(request)
        if not pages.csrf_ok(request, CSRF_PURPOSE, form.get("csrf_token")):
            return pages.error(request, "error.csrf", status_code=403)
        cookie, ip = request.cookies.get(SESSION_COOKIE), client_ip(request)
        offer = await run_in_threadpool(_create_offer, op, offers, cookie, ip)
        if offer == "login":
            return _login_needed(request, pages)
        if not isinstance(offer, NewOffer):
            return pages.render(
                request,
                "credentials.html",
                status_code=403,
                credentials=[],
                eligible=False,
                notice=None,
                csrf_token=pages.csrf_token(request, CSRF_PURPOSE),
            )
        return pages.render(
            request,
            "credential_offer.html",
            qr=qr_data_uri(offer.uri),
            offer_uri=offer.uri,
            tx_code=offer.tx_code,
            minutes=offer.expires_in // 60,
        )


def _create_offer(op: OpenIDProvider, offers: Offers, cookie: str | None, ip: str | None) -> NewOffer | str:
    with op.db.session() as s:
        session = op.sessions.from_cookie(s, cookie)
        if session is None:
            return "login"
        try:
            return offers.create(s, session.identity.id, actor=f"identity:{session.identity.id}", ip=ip)
        except NotEligible:
            return "not_eligible"


def _revoke_route(router: APIRouter, revocation: CredentialRevocation) -> None:
    @router.post(PATH + "/{credential_id}/revoke", include_in_schema=False)
    async def revoke(credential_id: str, request: Request, op: Provider, pages: PagesDep) -> Response:
        form = await form_dict(request)
        if not pages.csrf_ok(request, CSRF_PURPOSE, form.get("csrf_token")):
            return pages.error(request, "error.csrf", status_code=403)
        chosen = form.get("reason") or ""
        reason = chosen if chosen in ("lost_device", "holder_request") else "holder_request"
        cookie, ip = request.cookies.get(SESSION_COOKIE), client_ip(request)
        outcome = await run_in_threadpool(_revoke, op, revocation, cookie, credential_id, reason, ip)
        if outcome == "login":
            return _login_needed(request, pages)
        if outcome == "not_found":
            return pages.error(request, "error.not_found", status_code=404)
        return pages.finish(request, RedirectResponse(PATH + "?notice=cred.revoked", status_code=303))


def _revoke(
    op: OpenIDProvider,
    revocation: CredentialRevocation,
    cookie: str | None,
    credential_id: str,
    reason: str,
    ip: str | None,
) -> str:
    with op.db.session() as s:
        session = op.sessions.from_cookie(s, cookie)
        if session is None:
            return "login"
        actor = f"identity:{session.identity.id}"
        try:
            revocation.revoke(
                s, credential_id, actor=actor, reason=reason, identity_id=session.identity.id, ip=ip
            )
        except UnknownCredential:
            return "not_found"
    return "revoked"
