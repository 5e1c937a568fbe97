"""Why an SD-JWT or its Key Binding JWT was refused; protocol layers map these to their own error codes."""

from __future__ import annotations


class SdJwtError(Exception):
    """The SD-JWT is malformed, tampered with or fails a check. ``reason`` is a stable machine tag."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
