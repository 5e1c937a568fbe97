"""The broker as an IdP extension: login choices, routes, texts, templates and the logout hook."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request

from federation.broker import logout_routes, routes, saml_routes
from federation.broker.logout import OidcLogout, open_upstream_sessions
from federation.broker.messages import MESSAGES
from federation.broker.service import Broker
from idp import audit
from idp.db import utcnow
from idp.platform import Platform
from idp.provider import InteractionView
from idp.web.extensions import AccountLink, Extension, LoginChoice
from idp.web.i18n import translate

if TYPE_CHECKING:
    from federation.broker.saml_upstream import SamlBroker

log = logging.getLogger("nixa.federation")


class LazySamlBroker:
    """pysaml2 takes seconds to import (it compiles the SAML schemas): loaded on the first SAML request, so
    an IdP without SAML providers starts, and serves, without it."""

    def __init__(self, broker: Broker) -> None:
        self._broker = broker
        self._real: SamlBroker | None = None

    def __getattr__(self, name: str) -> Any:
        if self._real is None:
            from federation.broker.saml_upstream import SamlBroker

            self._real = SamlBroker(self._broker)
        return getattr(self._real, name)


class UpstreamLoginMethod:
    """'Đăng nhập bằng ...' buttons: enabled providers that can reach the level the portal asks for."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker

    def login_choices(self, view: InteractionView, locale: str) -> list[LoginChoice]:
        hint = view.request.idp_hint
        return [
            LoginChoice(
                key=f"upstream:{p.name}",
                label=translate("federation.login_with", locale, name=p.display_name),
                href=f"/federation/login/{p.name}/{view.interaction.id}",
                description=translate("federation.login_with_help", locale, name=p.display_name),
                preselected=hint == p.name,
            )
            for p in self.broker.providers(min_level=view.request.min_level)
        ]


class UpstreamLogout:
    """Extension.on_session_ended: the person left NIXA; end the upstream session it came from too."""

    def __init__(self, broker: Broker, oidc: OidcLogout, saml: SamlBroker | LazySamlBroker) -> None:
        self.broker = broker
        self.oidc = oidc
        self.saml = saml

    def __call__(self, sid: str, next_url: str | None) -> str | None:
        with self.broker.db.session() as s:
            for row in open_upstream_sessions(s, sid):
                row.ended_at = utcnow()
                provider = self.broker.catalogue.by_id(s, row.provider_id)
                if provider is None or not provider.enabled:
                    continue
                try:
                    if provider.protocol == "oidc":
                        url = self.oidc.end_upstream(s, row, provider, next_url)
                    else:
                        url = self.saml.logout_url(s, row, provider, next_url)
                except Exception:
                    # The NIXA session has ended whatever happens upstream; the person is not kept waiting.
                    log.exception("upstream logout for %s could not be prepared", provider.name)
                    continue
                audit.record(
                    s,
                    audit.AuditEvent.UPSTREAM_LOGOUT_SENT,
                    data={"provider": provider.name, "sid": sid, "supported": url is not None},
                )
                if url:
                    return url
        return None


def federation_extension(platform: Platform) -> Extension:
    broker = Broker(platform)
    oidc_logout = OidcLogout(broker)
    saml = LazySamlBroker(broker)

    async def attach(request: Request) -> None:
        request.state.federation_broker = broker
        request.state.federation_oidc_logout = oidc_logout
        request.state.federation_saml = saml

    router = APIRouter(dependencies=[Depends(attach)])
    for sub in (routes.router, logout_routes.router, saml_routes.router):
        router.include_router(sub)
    return Extension(
        name="federation",
        routers=[router],
        login_methods=[UpstreamLoginMethod(broker)],
        messages=MESSAGES,
        template_dirs=[Path(__file__).parent / "templates"],
        on_session_ended=UpstreamLogout(broker, oidc_logout, saml),
        account_links=[AccountLink("linked_providers", "federation.linked.title", "/account/linked")],
    )
