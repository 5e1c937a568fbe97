"""Who is an operator, with which roles. Granting and revoking are audited like any operator action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from admin.models import OperatorRole
from admin.permissions import Role
from idp import audit


class UnknownRole(ValueError):
    pass


@dataclass(frozen=True)
class RoleGrant:
    identity_id: str
    role: str
    granted_by: str
    granted_at: datetime


def operator_actor(identity_id: str) -> str:
    """How an operator is named in the audit trail's ``actor``: never a name or personal ID number."""
    return f"operator:{identity_id}"


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise UnknownRole(f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}") from None


def roles_of(s: Session, identity_id: str) -> set[str]:
    return set(s.scalars(select(OperatorRole.role).where(OperatorRole.identity_id == identity_id)))


def grant(s: Session, identity_id: str, role: str, *, actor: str, reason: str) -> bool:
    """Give a role; False when the identity already had it (the unique constraint keeps one row)."""
    value = _role(role).value
    if value in roles_of(s, identity_id):
        return False
    s.add(OperatorRole(identity_id=identity_id, role=value, granted_by=actor))
    s.flush()
    audit.record(
        s,
        audit.AuditEvent.OPERATOR_ROLE_GRANTED,
        actor=actor,
        identity_id=identity_id,
        data={"role": value, "reason": reason},
    )
    return True


def revoke(s: Session, identity_id: str, role: str, *, actor: str, reason: str) -> bool:
    value = _role(role).value
    gone = s.execute(
        delete(OperatorRole).where(OperatorRole.identity_id == identity_id, OperatorRole.role == value)
    )
    if gone.rowcount != 1:  # type: ignore[attr-defined]
        return False
    audit.record(
        s,
        audit.AuditEvent.OPERATOR_ROLE_REVOKED,
        actor=actor,
        identity_id=identity_id,
        data={"role": value, "reason": reason},
    )
    return True


def all_grants(s: Session) -> list[RoleGrant]:
    rows = s.scalars(select(OperatorRole).order_by(OperatorRole.identity_id, OperatorRole.role))
    return [RoleGrant(r.identity_id, r.role, r.granted_by, r.granted_at) for r in rows]
