"""Errors of the proofing domain, each carrying the i18n key of the message people see."""

from __future__ import annotations


class ProofingError(Exception):
    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(detail or key)
        self.key = key


class NotEligible(ProofingError):
    """The identity's level does not allow proofing to loa 3 (it must first be matched: loa 2)."""


class AlreadyOpen(ProofingError):
    """One open request per identity."""


class DecisionRefused(ProofingError):
    """An operator decision that the four-eyes rule or the request's state does not allow."""


class UnknownRequest(ProofingError):
    pass
