"""Citizen self-service (consents given to portals, with revoke) and the language switch."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from idp import audit
from idp.db import utcnow
from idp.models import Client, Consent, Grant
from idp.oauth.grants import revoke_grant
from idp.provider import OpenIDProvider
from idp.web.deps import PagesDep, Provider, client_ip, form_dict
from idp.web.i18n import LOCALES
from idp.web.pages import LANG_COOKIE, SESSION_COOKIE

router = APIRouter()


@router.get("/lang/{locale}")
def switch_language(locale: str, request: Request, pages: PagesDep, next: str = "/") -> Response:
    # Only a local path: the switch must not become an open redirect.
    target = next if next.startswith("/") and not next.startswith("//") and "\\" not in next else "/"
    response = RedirectResponse(target, status_code=303)
    if locale in LOCALES:
        pages.set_cookie(response, LANG_COOKIE, locale, max_age=365 * 24 * 3600)
    return response


@router.get("/account")
def account(request: Request, op: Provider, pages: PagesDep, notice: str | None = None) -> Response:
    with op.db.session() as s:
        session = op.sessions.from_cookie(s, request.cookies.get(SESSION_COOKIE))
        if session is None:
            return pages.render(
                request,
                "account.html",
                status_code=401,
                person_name=None,
                consents=[],
                notice=None,
                csrf_token="",
            )
        rows = s.execute(
            select(Consent, Client.name)
            .join(Client, Client.client_id == Consent.client_id)
            .where(Consent.identity_id == session.identity.id, Consent.revoked_at.is_(None))
        ).all()
        consents = [{"client_id": c.client_id, "client_name": name, "claims": c.claims} for c, name in rows]
        person = op.identities.person(session.identity)
    return pages.render(
        request,
        "account.html",
        person_name=person.full_name,
        consents=consents,
        notice="account.revoked" if notice == "revoked" else None,
        csrf_token=pages.csrf_token(request, "account"),
        account_links=request.app.state.account_links,
    )


@router.post("/account/consents/{client_id}/revoke")
async def revoke_consent(client_id: str, request: Request, op: Provider, pages: PagesDep) -> Response:
    form = await form_dict(request)
    if not pages.csrf_ok(request, "account", form.get("csrf_token")):
        return pages.error(request, "error.csrf", status_code=403)
    ended = await run_in_threadpool(
        _revoke_consent, op, request.cookies.get(SESSION_COOKIE), client_id, client_ip(request)
    )
    return RedirectResponse("/account?notice=revoked" if ended else "/account", status_code=303)


def _revoke_consent(op: OpenIDProvider, cookie: str | None, client_id: str, ip: str | None) -> bool:
    """Revoke the person's consent for one portal; False when nobody is logged in."""
    with op.db.session() as s:
        session = op.sessions.from_cookie(s, cookie)
        if session is None:
            return False
        consent = s.scalar(
            select(Consent).where(
                Consent.identity_id == session.identity.id,
                Consent.client_id == client_id,
                Consent.revoked_at.is_(None),
            )
        )
        if consent is not None:
            consent.revoked_at = utcnow()
            # Revoking consent also ends what the portal holds: its grants and their tokens.
            for grant_id in s.scalars(
                select(Grant.id).where(
                    Grant.identity_id == session.identity.id,
                    Grant.client_id == client_id,
                    Grant.revoked_at.is_(None),
                )
            ):
                revoke_grant(s, grant_id, "consent_revoked")
            audit.record(
                s,
                audit.AuditEvent.CONSENT_REVOKED,
                identity_id=session.identity.id,
                client_id=client_id,
                ip=ip,
            )
    return True
