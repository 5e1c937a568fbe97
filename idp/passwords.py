"""Password hashing with argon2id at explicit parameters (OWASP ASVS 2.4.4, NIST SP 800-63B 5.1.1.2).

The hash is the PHC string of RFC 9106 (``$argon2id$v=19$m=…,t=…,p=…$salt$tag``), whichever library
computes it. argon2id with one lane is computed by libsodium (PyNaCl): the same function at the same
cost to an attacker, but libsodium's AVX2/AVX-512 code takes about 60 % of the CPU time of
argon2-cffi's portable build on the servers we run on (bench/RESULTS.md, sixth round), and the password
check is most of the CPU of a login. libsodium verifies every argon2id v1.3 string, whatever its lane
count (it computes the lanes one after the other). argon2-cffi computes new hashes when several lanes
are configured, verifies other variants and versions (hashes imported from elsewhere), and parses the
parameters for ``needs_rehash``.

At most as many hashes run at once as the process has cores (or ``concurrent``): argon2 is bound by CPU and
memory, so more hashes than cores only time-slice each other, each evicting the others' memory from
the caches. Eight threads hashing at once on one core took 8.8 ms of CPU a hash against 7.1 ms one at
a time (7 MiB, t=5; bench/RESULTS.md, eleventh round); the bound also caps the memory a flood of logins
can hold in hashes at ``concurrent`` × m.
"""

from __future__ import annotations

import os
import threading

import nacl.exceptions
import nacl.pwhash.argon2id
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class PasswordPolicyError(ValueError):
    pass


MIN_LENGTH = 8  # NIST SP 800-63B 3.1.1.2: at least 8 characters when chosen by the subscriber.
MAX_LENGTH = 128
SALT_BYTES = 16  # RFC 9106 3.1: 16 bytes are recommended for password hashing; libsodium's fixed size.
TAG_BYTES = 32  # libsodium's fixed tag length, and argon2-cffi's default.
_SODIUM_PREFIX = "$argon2id$v=19$"


def _sodium_can_verify(stored: str) -> bool:
    # libsodium's verifier takes every lane count, but only the 1.3 (v=19) argon2id strings are routed
    # to it: anything else is argon2-cffi's to accept or refuse.
    return stored.startswith(_SODIUM_PREFIX)


def _sodium_verify(stored: str, secret: bytes) -> bool:
    try:
        # libsodium compares the tags in constant time (crypto_pwhash_str_verify).
        return nacl.pwhash.argon2id.verify(stored.encode("ascii"), secret)
    except (nacl.exceptions.CryptoError, UnicodeEncodeError):  # a mismatch is InvalidkeyError, a CryptoError
        return False


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, as ``taskset`` or a container sets it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class PasswordHashing:
    def __init__(self, memory_kib: int, time_cost: int, parallelism: int, *, concurrent: int = 0) -> None:
        if concurrent < 0:
            raise ValueError("concurrent hashes cannot be negative")
        # Threads beyond the bound wait here for a turn instead of competing for the core mid-hash; 0 (as
        # NIXA_ARGON2_CONCURRENCY=0) is one turn per usable core.
        self.concurrent = concurrent or usable_cores()
        self._turns = threading.BoundedSemaphore(self.concurrent)
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=TAG_BYTES,
            salt_len=SALT_BYTES,
            type=Type.ID,
        )
        self._memory_bytes = memory_kib * 1024
        self._time_cost = time_cost
        # libsodium computes one lane only (crypto_pwhash_argon2id has no parallelism parameter).
        self._sodium = parallelism == 1
        # Verified against for unknown usernames so the time taken does not reveal whether an account exists.
        self._dummy = self._hash("nixa-dummy-password-for-timing")

    @property
    def implementation(self) -> str:
        """Which library computes new hashes: what a benchmark of the login's ceiling must measure."""
        return "libsodium" if self._sodium else "argon2-cffi"

    def _hash(self, password: str) -> str:
        with self._turns:
            return self._compute(password)

    def _compute(self, password: str) -> str:
        if self._sodium:
            return nacl.pwhash.argon2id.str(
                password.encode(), opslimit=self._time_cost, memlimit=self._memory_bytes
            ).decode("ascii")
        return self._hasher.hash(password)

    def hash(self, password: str) -> str:
        check_policy(password)
        return self._hash(password)

    def rehash(self, password: str) -> str:
        """New parameters for a password that was already accepted: the policy it met is not re-applied."""
        return self._hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            secret = password.encode()
        except UnicodeEncodeError:
            return False  # not text (a lone surrogate): no hash could match, whichever library
        # The dummy's check for an unknown username waits for its turn like any other.
        with self._turns:
            ok = self._check(stored or self._dummy, secret)
        return ok and stored is not None

    def _check(self, candidate: str, secret: bytes) -> bool:
        if _sodium_can_verify(candidate):
            return _sodium_verify(candidate, secret)
        try:
            return self._hasher.verify(candidate, secret)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)


def check_policy(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(f"password must have at most {MAX_LENGTH} characters")
