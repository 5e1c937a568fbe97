"""Operator roles and what each may do. Every console route declares the one permission it needs."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VERIFIER = "verifier"
    PORTAL_MANAGER = "portal_manager"
    SECURITY_OFFICER = "security_officer"
    AUDITOR = "auditor"


class Permission(StrEnum):
    DASHBOARD_VIEW = "dashboard:view"
    VERIFICATION_VIEW = "verification:view"
    VERIFICATION_DECIDE = "verification:decide"
    CITIZEN_VIEW = "citizen:view"
    CITIZEN_MANAGE = "citizen:manage"  # lock, unlock, end sessions, reset a factor
    PORTAL_VIEW = "portal:view"
    PORTAL_MANAGE = "portal:manage"
    KEY_VIEW = "key:view"
    KEY_MANAGE = "key:manage"
    AUDIT_VIEW = "audit:view"
    OPERATOR_VIEW = "operator:view"  # who holds which role (granted with `nixa admin grant`)
    UPSTREAM_VIEW = "upstream:view"  # upstream identity providers NIXA brokers (issue 5)
    UPSTREAM_MANAGE = "upstream:manage"
    FEDERATION_VIEW = "federation:view"  # OpenID Federation anchors, subordinates, trust marks (issue 6)
    FEDERATION_MANAGE = "federation:manage"
    CREDENTIAL_VIEW = "credential:view"  # a citizen's identity QR codes, SD-JWT VCs, wallet devices (issue 7)
    CREDENTIAL_MANAGE = "credential:manage"  # revoke them


_EVERYONE = {Permission.DASHBOARD_VIEW}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VERIFIER: frozenset(
        _EVERYONE
        | {
            Permission.VERIFICATION_VIEW,
            Permission.VERIFICATION_DECIDE,
            Permission.CITIZEN_VIEW,
            Permission.CREDENTIAL_VIEW,
        }
    ),
    Role.PORTAL_MANAGER: frozenset(
        _EVERYONE
        | {
            Permission.PORTAL_VIEW,
            Permission.PORTAL_MANAGE,
            Permission.UPSTREAM_VIEW,
            Permission.UPSTREAM_MANAGE,
            Permission.FEDERATION_VIEW,
            Permission.FEDERATION_MANAGE,
        }
    ),
    Role.SECURITY_OFFICER: frozenset(
        _EVERYONE
        | {
            Permission.CITIZEN_VIEW,
            Permission.CITIZEN_MANAGE,
            Permission.KEY_VIEW,
            Permission.KEY_MANAGE,
            Permission.AUDIT_VIEW,
            Permission.OPERATOR_VIEW,
            Permission.CREDENTIAL_VIEW,
            Permission.CREDENTIAL_MANAGE,
        }
    ),
    # The auditor reads everything and changes nothing.
    Role.AUDITOR: frozenset(p for p in Permission if not p.endswith((":decide", ":manage"))),
}


def permissions_of(roles: set[str]) -> frozenset[Permission]:
    out: set[Permission] = set()
    for role in roles:
        if role in Role.__members__.values():
            out |= ROLE_PERMISSIONS[Role(role)]
    return frozenset(out)
