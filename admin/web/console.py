"""What the console's views share, built once by ``create_admin_app`` (``request.app.state.console``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response

from admin.citizens import CitizenPanel
from admin.console_sessions import ConsoleSessions, Operator
from admin.name_index import NameIndex
from admin.oidc import OperatorSignIn
from admin.settings import AdminSettings
from idp.account_admin import AccountAdministration
from idp.crypto import constant_time_equal, hmac_token
from idp.platform import Platform
from idp.proofing.decisions import VerificationService
from idp.provider import OpenIDProvider
from idp.web.pages import Pages

SESSION_COOKIE = "nixa_admin"
SIGNIN_COOKIE = "nixa_admin_signin"


@dataclass
class NavEntry:
    key: str
    title_key: str
    path: str


@dataclass
class Console:
    platform: Platform
    admin: AdminSettings
    pages: Pages
    provider: OpenIDProvider
    sign_in: OperatorSignIn
    sessions: ConsoleSessions
    verification: VerificationService
    accounts: AccountAdministration
    names: NameIndex
    nav: list[tuple[NavEntry, Any]] = field(default_factory=list)
    citizen_panels: Sequence[CitizenPanel] = ()

    # -- cookies: with https the __Host- prefix (RFC 6265bis 4.1.3.2): Secure, Path=/, no Domain, so no
    # other host (a sibling subdomain) can set or shadow them (OWASP ASVS 3.4.4).
    @property
    def session_cookie(self) -> str:
        return f"__Host-{SESSION_COOKIE}" if self.admin.secure_cookies else SESSION_COOKIE

    @property
    def signin_cookie(self) -> str:
        return f"__Host-{SIGNIN_COOKIE}" if self.admin.secure_cookies else SIGNIN_COOKIE

    # -- CSRF: bound to the operator's console session, so a token is worthless in any other --------
    def csrf_token(self, operator: Operator) -> str:
        return hmac_token(self.platform.settings.secrets.csrf, "admin-csrf", operator.session_hash)

    def csrf_ok(self, operator: Operator, token: str | None) -> bool:
        return bool(token) and constant_time_equal(self.csrf_token(operator), token or "")

    def render(
        self,
        request: Request,
        template: str,
        operator: Operator | None,
        *,
        status_code: int = 200,
        **context: Any,
    ) -> Response:
        nav = [entry for entry, permission in self.nav if operator is not None and operator.may(permission)]
        return self.pages.render(
            request,
            template,
            status_code=status_code,
            # Signing out posts to the console, which redirects to NIXA's end-session endpoint.
            form_targets=[self.platform.issuer],
            operator=operator,
            nav=nav,
            csrf=self.csrf_token(operator) if operator else "",
            **context,
        )

    def set_cookie(self, response: Response, name: str, value: str, *, max_age: int | None = None) -> None:
        # SameSite=Lax: the sign-in callback is a top-level GET from NIXA and must carry the cookie.
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            secure=self.admin.secure_cookies,
            samesite="lax",
            path="/",
        )
