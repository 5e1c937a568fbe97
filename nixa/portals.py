"""Demo relying portals: small OIDC clients built on Authlib's Starlette client.

Each portal logs citizens in with the authorization code flow (PKCE S256), shows what NIXA shared, and
ends its own session when NIXA sends a back-channel or front-channel logout, so logging out at one portal
ends both.
"""

from __future__ import annotations

import html
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.integrations.starlette_client import OAuth, OAuthError
from joserfc import jwt
from joserfc.jwk import KeySet
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


@dataclass
class PortalConfig:
    name: str
    base_url: str
    issuer: str
    client_id: str
    client_secret: str
    cookie: str
    colour: str = "#0b57d0"
    ended_sids: set[str] = field(default_factory=set)


def _page(cfg: PortalConfig, body: str) -> HTMLResponse:
    return HTMLResponse(
        f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{html.escape(cfg.name)}</title>
<style>body{{font-family:sans-serif;margin:0}}header{{background:{cfg.colour};color:#fff;padding:1rem}}
main{{max-width:40rem;margin:2rem auto}}a.button{{background:{cfg.colour};color:#fff;padding:.6rem 1rem;
text-decoration:none;border-radius:4px}}pre{{background:#f4f4f4;padding:1rem}}</style></head>
<body><header><strong>{html.escape(cfg.name)}</strong> (demo)</header><main>{body}</main></body></html>""",
        headers={"Cache-Control": "no-store"},
    )


def create_portal(cfg: PortalConfig) -> Starlette:
    oauth = OAuth()
    oauth.register(
        "nixa",
        client_id=cfg.client_id,
        client_secret=cfg.client_secret,
        server_metadata_url=f"{cfg.issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
    )

    def current_user(request: Request) -> dict[str, Any] | None:
        user: dict[str, Any] | None = request.session.get("user")
        if user and user.get("sid") in cfg.ended_sids:
            request.session.clear()  # NIXA told us this session ended (single logout)
            return None
        return user

    async def home(request: Request) -> Response:
        user = current_user(request)
        if not user:
            return _page(
                cfg,
                '<p>Bạn chưa đăng nhập.</p><p><a class="button" id="login" href="/login">'
                "Đăng nhập bằng NIXA</a></p>",
            )
        shown = html.escape(str({k: v for k, v in user.items() if k != "id_token"}))
        return _page(
            cfg,
            f'<p id="welcome">Xin chào, <strong>{html.escape(str(user.get("name")))}</strong></p>'
            f'<pre id="claims">{shown}</pre><p><a class="button" id="logout" href="/logout">'
            "Đăng xuất</a></p>",
        )

    async def login(request: Request) -> Response:
        response: Response = await oauth.nixa.authorize_redirect(request, f"{cfg.base_url}/callback")
        return response

    async def callback(request: Request) -> Response:
        try:
            token = await oauth.nixa.authorize_access_token(request)
        except OAuthError as exc:
            return _page(
                cfg,
                f'<p id="error">Đăng nhập không thành công: {html.escape(exc.error or "")}</p>'
                '<p><a href="/">Về trang chủ</a></p>',
            )
        claims = dict(token.get("userinfo") or {})
        userinfo = await oauth.nixa.userinfo(token=token)
        request.session["user"] = {**claims, **dict(userinfo), "id_token": token.get("id_token")}
        return RedirectResponse("/", status_code=303)

    async def logout(request: Request) -> Response:
        user = request.session.pop("user", None) or {}
        metadata = await oauth.nixa.load_server_metadata()
        params = {
            "post_logout_redirect_uri": f"{cfg.base_url}/",
            "client_id": cfg.client_id,
            "state": secrets.token_urlsafe(8),
        }
        if user.get("id_token"):
            params["id_token_hint"] = user["id_token"]
        return RedirectResponse(f"{metadata['end_session_endpoint']}?{urlencode(params)}", status_code=303)

    async def backchannel_logout(request: Request) -> Response:
        form = await request.form()
        token = form.get("logout_token")
        if not isinstance(token, str):
            return PlainTextResponse("logout_token required", status_code=400)
        try:
            claims = await verify_logout_token(cfg, token)
        except ValueError as exc:
            return PlainTextResponse(str(exc), status_code=400)
        if sid := claims.get("sid"):
            cfg.ended_sids.add(sid)
        return Response(status_code=200, headers={"Cache-Control": "no-store"})

    async def frontchannel_logout(request: Request) -> Response:
        if request.query_params.get("iss") == cfg.issuer and (sid := request.query_params.get("sid")):
            cfg.ended_sids.add(sid)
        request.session.clear()
        return Response(status_code=200, headers={"Cache-Control": "no-store"})

    return Starlette(
        routes=[
            Route("/", home),
            Route("/login", login),
            Route("/callback", callback),
            Route("/logout", logout),
            Route("/backchannel-logout", backchannel_logout, methods=["POST"]),
            Route("/frontchannel-logout", frontchannel_logout),
        ],
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=secrets.token_urlsafe(32),
                session_cookie=cfg.cookie,
                same_site="lax",
                https_only=cfg.base_url.startswith("https"),
            )
        ],
    )


async def verify_logout_token(cfg: PortalConfig, token: str) -> dict[str, Any]:
    """Back-Channel Logout 1.0 Section 2.6: signature, iss, aud, iat, events, sub or sid, and no nonce."""
    async with httpx.AsyncClient(timeout=5) as http:
        keys = KeySet.import_key_set((await http.get(f"{cfg.issuer}/jwks")).json())
    try:
        claims = jwt.decode(token, keys, algorithms=["ES256", "RS256"]).claims
    except Exception as exc:
        raise ValueError("invalid logout token signature") from exc
    aud = claims.get("aud")
    if claims.get("iss") != cfg.issuer or cfg.client_id not in ([aud] if isinstance(aud, str) else aud or []):
        raise ValueError("logout token is not for this portal")
    if LOGOUT_EVENT not in (claims.get("events") or {}) or "nonce" in claims:
        raise ValueError("not a logout token")
    if not (claims.get("sid") or claims.get("sub")) or claims.get("exp", 0) < time.time():
        raise ValueError("logout token expired or names no session")
    return dict(claims)
