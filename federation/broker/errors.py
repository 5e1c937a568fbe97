"""Why an upstream login was refused: a reason for the audit trail, a message key for the person's page."""

from __future__ import annotations


class UpstreamLoginRefused(Exception):
    """The upstream answer failed a check. ``reason`` goes to the audit trail and the log (never personal
    data); ``message_key`` names the text the person sees."""

    def __init__(self, reason: str, message_key: str = "federation.error.refused") -> None:
        super().__init__(reason)
        self.reason = reason
        self.message_key = message_key


class UpstreamUnavailable(UpstreamLoginRefused):
    """The upstream provider could not be reached or answered nonsense."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, "federation.error.unavailable")
