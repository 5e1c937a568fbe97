"""Password hashing with argon2id at explicit parameters (OWASP ASVS 2.4.4, NIST SP 800-63B 5.1.1.2)."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class PasswordPolicyError(ValueError):
    pass


MIN_LENGTH = 8  # NIST SP 800-63B 3.1.1.2: at least 8 characters when chosen by the subscriber.
MAX_LENGTH = 128


class PasswordHashing:
    def __init__(self, memory_kib: int, time_cost: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        # Verified against for unknown usernames so the time taken does not reveal whether an account exists.
        self._dummy = self._hasher.hash("nixa-dummy-password-for-timing")

    def hash(self, password: str) -> str:
        check_policy(password)
        return self._hasher.hash(password)

    def rehash(self, password: str) -> str:
        """New parameters for a password that was already accepted: the policy it met is not re-applied."""
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)


def check_policy(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(f"password must have at most {MAX_LENGTH} characters")
