"""The console's sections. A later issue adds one (upstream identity providers, federation entries,
credential revocation) by writing a module with a router and listing a ``Section`` here or passing it to
``create_admin_app(sections=...)``; the navigation shows it to operators holding its permission."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fastapi import APIRouter

from admin.permissions import Permission


@dataclass(frozen=True)
class Section:
    key: str
    title_key: str  # message key of its navigation entry
    path: str
    permission: Permission  # needed to see the entry (each route still declares its own)
    router: APIRouter
    messages: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def default_sections() -> list[Section]:
    from admin.web import (
        routes_audit,
        routes_citizens,
        routes_credentials,
        routes_dashboard,
        routes_federation,
        routes_keys,
        routes_operators,
        routes_portals,
        routes_upstream,
        routes_verification,
    )
    from admin.web.messages_integrations import CREDENTIALS, FEDERATION, UPSTREAM

    return [
        Section("dashboard", "admin.nav.dashboard", "/", Permission.DASHBOARD_VIEW, routes_dashboard.router),
        Section(
            "verification",
            "admin.nav.verification",
            "/verification",
            Permission.VERIFICATION_VIEW,
            routes_verification.router,
        ),
        Section(
            "citizens", "admin.nav.citizens", "/citizens", Permission.CITIZEN_VIEW, routes_citizens.router
        ),
        Section("portals", "admin.nav.portals", "/portals", Permission.PORTAL_VIEW, routes_portals.router),
        # Issues 5, 6 and 7: upstream identity providers, the federation, citizens' credentials.
        Section(
            "upstream",
            "admin.nav.upstream",
            "/upstream",
            Permission.UPSTREAM_VIEW,
            routes_upstream.router,
            UPSTREAM,
        ),
        Section(
            "federation",
            "admin.nav.federation",
            "/federation",
            Permission.FEDERATION_VIEW,
            routes_federation.router,
            FEDERATION,
        ),
        Section(
            "credentials",
            "admin.nav.credentials",
            "/credentials",
            Permission.CREDENTIAL_VIEW,
            routes_credentials.router,
            CREDENTIALS,
        ),
        Section("keys", "admin.nav.keys", "/keys", Permission.KEY_VIEW, routes_keys.router),
        Section("audit", "admin.nav.audit", "/audit", Permission.AUDIT_VIEW, routes_audit.router),
        Section(
            "operators",
            "admin.nav.operators",
            "/operators",
            Permission.OPERATOR_VIEW,
            routes_operators.router,
        ),
    ]
