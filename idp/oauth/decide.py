"""What an authorization request needs next, given the browser's SSO session (OIDC Core 3.1.2.3-3.1.2.4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from idp.errors import ConsentRequired, LoginRequired, OAuthError, UnmetAuthenticationRequirements
from idp.models import Consent
from idp.oauth.authorize import AuthorizationRequest
from idp.oauth.claims import requested_claim_names
from idp.sessions import ActiveSession, level_of

# Highest authentication level the login methods of this package reach: password is one factor (level 2).
# Second factors (idp.factors) raise it to 3: the provider passes max_auth_level=3 when the identity has one.
PASSWORD_LEVEL = 2


class Step(StrEnum):
    LOGIN = "login"
    SELECT_ACCOUNT = "select_account"
    CONSENT = "consent"
    # The session is the right person, freshly enough logged in, but at a lower level than asked:
    # a second factor raises it without the password again (issue 3).
    SECOND_FACTOR = "second_factor"
    ISSUE = "issue"


@dataclass(frozen=True)
class Decision:
    step: Step
    error: OAuthError | None = None


# Read at every authorization with a session: the two columns it decides by, by Core.
_CONSENTED = select(Consent.scopes, Consent.claims).where(
    Consent.identity_id == bindparam("identity_id"),
    Consent.client_id == bindparam("client_id"),
    Consent.revoked_at.is_(None),
)


def consent_covers(s: Session, identity_id: str, request: AuthorizationRequest) -> bool:
    s.flush()  # a consent recorded earlier in this unit of work counts (the ORM's autoflush, by hand)
    consent = (
        s.connection()
        .execute(_CONSENTED, {"identity_id": identity_id, "client_id": request.client_id})
        .first()
    )
    if consent is None:
        return False
    wanted_scopes = set(request.scope) - {"openid"}
    wanted_claims = set(requested_claim_names(request.scope, request.claims))
    return wanted_scopes <= set(consent.scopes) and wanted_claims <= set(consent.claims)


def session_fresh_enough(session: ActiveSession, request: AuthorizationRequest, now: datetime) -> bool:
    """OIDC Core 3.1.2.1 max_age: re-authenticate when the last login is older than max_age seconds."""
    if request.max_age is None:
        return True
    return (now - session.row.auth_time).total_seconds() <= request.max_age


def decide(
    s: Session,
    request: AuthorizationRequest,
    session: ActiveSession | None,
    *,
    now: datetime,
    expected_sub_matches: bool = True,
    just_logged_in: bool = False,
    just_consented: bool = False,
    max_auth_level: int = PASSWORD_LEVEL,
) -> Decision:
    none = "none" in request.prompt
    if session is not None and request.min_level > session.identity.loa:
        # The identity itself is proofed too low: no login can fix that here.
        return Decision(
            Step.ISSUE,
            UnmetAuthenticationRequirements("the identity's level of assurance is lower than requested"),
        )
    needs_login = (
        session is None
        or not expected_sub_matches
        or ("login" in request.prompt and not just_logged_in)
        # A login completed in this very request satisfies max_age, even max_age=0: otherwise the clock
        # has moved on by a few microseconds and the person would be asked to log in again forever.
        or (not just_logged_in and not session_fresh_enough(session, request, now))
    )
    too_low = session is not None and request.min_level > level_of(session.effective_acr)
    if needs_login or too_low:
        if session is not None and request.min_level > max(level_of(session.row.acr), max_auth_level):
            return Decision(
                Step.ISSUE,
                UnmetAuthenticationRequirements(
                    "the requested level of assurance cannot be reached with the available login methods"
                ),
            )
        step = Step.LOGIN if needs_login else Step.SECOND_FACTOR
        if none:
            return Decision(step, LoginRequired("the user must log in"))
        return Decision(step)
    assert session is not None
    if "select_account" in request.prompt and not just_logged_in:
        if none:
            return Decision(Step.SELECT_ACCOUNT, LoginRequired("account selection requires interaction"))
        return Decision(Step.SELECT_ACCOUNT)
    asked = "consent" in request.prompt and not just_consented
    if asked or not consent_covers(s, session.identity.id, request):
        if none:
            return Decision(Step.CONSENT, ConsentRequired("the user must consent"))
        return Decision(Step.CONSENT)
    return Decision(Step.ISSUE)
