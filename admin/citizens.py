"""A citizen as operators see them: level, factors, linked portals, sessions, lockouts and history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from idp.account_admin import AccountAdministration, Lockout
from idp.factors.active_sessions import short_browser
from idp.identities import IdentityStore, Person
from idp.models import AuditRecord, Client, Consent, Identity, SsoSession
from idp.models.factors import Factor, RecoveryCode
from idp.personal_id import parse_personal_id
from idp.sessions import level_of, open_sessions

HISTORY = 50


class CitizenPanel(Protocol):
    """More of a citizen's file from another package (accounts linked at upstream identity providers,
    wallet credentials, ...): a titled table, passed to ``create_admin_app(citizen_panels=...)``. Rows are
    (label, value) pairs or ``PanelRow``s; a panel may name the ``permission`` needed to see it."""

    title_key: str

    def rows(self, s: Session, identity_id: str) -> Sequence[tuple[str, str] | PanelRow]: ...


@dataclass(frozen=True)
class PanelRow:
    """A row of a citizen panel with a state and, for operators holding ``permission``, one action: a form
    posted to ``action`` with a reason (and, with ``choices``, a select named ``code``)."""

    label: str
    value: str
    state: str = ""
    action: str = ""
    action_key: str = ""
    permission: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    # With a message key, the value shown is that message filled with ``params`` (in the page's language).
    value_key: str = ""
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CitizenFile:
    identity: Identity
    person: Person
    factors: list[Factor]
    recovery_codes_left: int
    linked: list[tuple[str, str, Any]]  # (client_id, portal name, since)
    sessions: list[dict[str, Any]]
    lockouts: list[Lockout]
    history: list[AuditRecord]
    panels: list[tuple[str, Sequence[tuple[str, str] | PanelRow]]] = field(default_factory=list)


def find_by_personal_id(s: Session, identities: IdentityStore, value: str) -> Identity | None:
    """Exact match through the blind index; anything that is not a valid personal ID number finds nobody."""
    try:
        pid = parse_personal_id(value.strip())
    except ValueError:
        return None
    return identities.find_by_username(s, pid.value)


def citizen_file(
    s: Session,
    identities: IdentityStore,
    accounts: AccountAdministration,
    identity: Identity,
    panels: Sequence[CitizenPanel] = (),
) -> CitizenFile:
    person = identities.person(identity)
    factors = list(
        s.scalars(select(Factor).where(Factor.identity_id == identity.id).order_by(Factor.created_at))
    )
    codes = len(
        list(
            s.scalars(
                select(RecoveryCode.id).where(
                    RecoveryCode.identity_id == identity.id, RecoveryCode.used_at.is_(None)
                )
            )
        )
    )
    linked = [
        (cid, name, since)
        for cid, name, since in s.execute(
            select(Consent.client_id, Client.name, Consent.created_at)
            .join(Client, Client.client_id == Consent.client_id)
            .where(Consent.identity_id == identity.id, Consent.revoked_at.is_(None))
            .order_by(Consent.created_at)
        )
    ]
    sessions = [_session(row) for row in open_sessions(s, identity.id)]
    history = list(
        s.scalars(
            select(AuditRecord)
            .where(AuditRecord.identity_id == identity.id)
            .order_by(AuditRecord.seq.desc())
            .limit(HISTORY)
        )
    )
    extra = [(panel.title_key, panel.rows(s, identity.id)) for panel in panels]
    lockouts = accounts.lockouts(s, person)
    return CitizenFile(identity, person, factors, codes, linked, sessions, lockouts, history, extra)


def _session(row: SsoSession) -> dict[str, Any]:
    return {
        "sid": row.sid[:8],
        "started": row.created_at,
        "auth_time": row.auth_time,
        "level": level_of(row.acr),
        "amr": row.amr,
        "browser": short_browser(row.user_agent),
        "ip": row.ip,
    }
