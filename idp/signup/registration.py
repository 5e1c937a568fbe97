"""Self-registration: match the declared person against the population registry, then create the account.

DESIGN.md levels: a registry match gives level 2, anything short of it level 1 with the reason kept; a
deceased person is refused. The registry is asked outside the write transaction so a slow registry does
not hold database locks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import BlindIndex
from idp.db import Database
from idp.identities import IdentityExists, IdentityStore
from idp.models import Identity
from idp.models.signup import RegistryVerdict
from idp.population.interface import DeclaredIdentity, MatchResult, MatchStatus, PopulationRegistry
from idp.population.recheck import queue_recheck
from idp.signup.confirmations import CONFIRM, Confirmations, IssuedCode
from idp.signup.form import SignupForm
from idp.signup.outbox import DeliveryFailed, Notifier
from idp.signup.ratelimit import SIGNUP_PER_IP, RateLimit, ip_bucket

log = logging.getLogger("nixa.signup")


class SignupStatus(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"
    DECEASED = "deceased"
    LIMITED = "limited"  # too many signups from this address: nothing was looked up or created


@dataclass(frozen=True)
class SignupOutcome:
    status: SignupStatus
    loa: int = 0
    registry: MatchStatus | None = None
    email_sent: bool = False
    phone_ref: str | None = None  # names the SMS code row for the code form
    retry_at: datetime | None = None  # LIMITED: when the next attempt will be let through


class Registration:
    def __init__(
        self,
        db: Database,
        identities: IdentityStore,
        index: BlindIndex,
        registry: PopulationRegistry,
        confirmations: Confirmations,
        notifier: Notifier,
    ) -> None:
        self.db = db
        self.identities = identities
        self.index = index
        self.registry = registry
        self.confirmations = confirmations
        self.notifier = notifier
        self.limit = RateLimit(index, "signup-ip", *SIGNUP_PER_IP)

    def register(self, form: SignupForm, ip: str | None) -> SignupOutcome:
        # Counted in its own transaction before anything else: every attempt counts, duplicates too
        # (they are what probing the registry of accounts looks like), and the count survives a refusal.
        with self.db.session() as s:
            decision = self.limit.hit(s, ip_bucket(ip))
            if not decision.allowed:
                audit.record(
                    s, audit.AuditEvent.SIGNUP_REFUSED, actor="signup", ip=ip, data={"reason": "rate_limited"}
                )
                return SignupOutcome(SignupStatus.LIMITED, retry_at=decision.retry_at)
        with self.db.session() as s:
            if taken := self._taken(s, form):
                return self._refuse(s, taken, ip)
        verdict = self._match(form)
        if verdict.status is MatchStatus.DECEASED:
            with self.db.session() as s:
                return self._refuse(s, "deceased", ip)
        try:
            with self.db.session() as s:
                token, code = self._create(s, form, verdict, ip)
        except (IdentityExists, IntegrityError):  # another signup for the same person won the race
            with self.db.session() as s:
                return self._refuse(s, "duplicate", ip)
        return SignupOutcome(
            SignupStatus.CREATED,
            loa=2 if verdict.matched else 1,
            registry=verdict.status,
            email_sent=self._send_email(form.email, token),
            phone_ref=self._send_code(form.phone, code),
        )

    def _taken(self, s: Session, form: SignupForm) -> str | None:
        """Which identifier already has an account: checked before asking the registry anything."""
        if s.scalar(
            select(Identity.id).where(
                Identity.personal_id_index == self.index("personal_id", form.personal_id)
            )
        ):
            return "duplicate_personal_id"
        if form.email and s.scalar(
            select(Identity.id).where(Identity.email_index == self.index("email", form.email))
        ):
            return "duplicate_email"
        return None

    def _refuse(self, s: Session, reason: str, ip: str | None) -> SignupOutcome:
        # The audit record names the reason only: no ID number, name or address of the person who tried.
        audit.record(s, audit.AuditEvent.SIGNUP_REFUSED, actor="signup", ip=ip, data={"reason": reason})
        status = SignupStatus.DECEASED if reason == "deceased" else SignupStatus.DUPLICATE
        return SignupOutcome(status)

    def _match(self, form: SignupForm) -> MatchResult:
        declared = DeclaredIdentity(form.personal_id, form.full_name, form.birth_date)
        try:
            return self.registry.match(declared)
        except Exception as exc:  # any registry failure means "ask again later", never a failed signup
            log.warning("population registry failed: %s", type(exc).__name__)
            return MatchResult(MatchStatus.UNAVAILABLE, reason="error")

    def _create(
        self, s: Session, form: SignupForm, verdict: MatchResult, ip: str | None
    ) -> tuple[str | None, IssuedCode | None]:
        loa = 2 if verdict.matched else 1
        row = self.identities.create(
            s,
            personal_id=form.personal_id,
            password=form.password,
            full_name=form.full_name,
            birth_date=form.birth_date,
            sex=form.sex,
            email=form.email,
            phone=form.phone,
            loa=loa,
            actor="signup",
        )
        s.add(
            RegistryVerdict(
                identity_id=row.id,
                status=verdict.status.value,
                reason=verdict.reason if not verdict.matched else None,
            )
        )
        if verdict.status is MatchStatus.UNAVAILABLE:
            queue_recheck(s, row.id, verdict.reason, actor="signup")
        token = self.confirmations.issue_link(s, row.id, CONFIRM) if form.email else None
        code = self.confirmations.issue_code(s, row.id, CONFIRM) if form.phone else None
        audit.record(
            s,
            audit.AuditEvent.SIGNUP_COMPLETED,
            actor="signup",
            identity_id=row.id,
            ip=ip,
            data={"loa": loa, "registry": verdict.status.value},
        )
        return token, code

    def _send_email(self, email: str | None, token: str | None) -> bool:
        if not email or not token:
            return False
        try:
            self.notifier.confirm_email(email, token)
        except DeliveryFailed:
            return False
        return True

    def _send_code(self, phone: str | None, code: IssuedCode | None) -> str | None:
        if not phone or code is None:
            return None
        self.notifier.phone_code(phone, code.code)
        return code.ref
