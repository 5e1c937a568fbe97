"""Typed SQLAlchemy models. Import from here so Alembic sees every table."""

from idp.models import factors, population, proofing, signup  # noqa: F401  (their tables join Base.metadata)
from idp.models.audit import AuditHead, AuditRecord
from idp.models.clients import Client, ClientAssertionJti, InitialAccessToken
from idp.models.identity import Identity, LoginThrottle, PasswordCredential, RegistryRecord
from idp.models.keys import SigningKey
from idp.models.sessions import (
    AuthorizationCode,
    Consent,
    Grant,
    Interaction,
    IssuedAccessToken,
    LogoutDelivery,
    RefreshToken,
    SessionClient,
    SsoSession,
)

__all__ = [
    "AuditHead",
    "AuditRecord",
    "AuthorizationCode",
    "Client",
    "ClientAssertionJti",
    "Consent",
    "Grant",
    "Identity",
    "InitialAccessToken",
    "Interaction",
    "IssuedAccessToken",
    "LoginThrottle",
    "LogoutDelivery",
    "PasswordCredential",
    "RefreshToken",
    "RegistryRecord",
    "SessionClient",
    "SigningKey",
    "SsoSession",
]
