"""Password hashes: RFC 9106 PHC strings whichever library computes them, and the old ones still verify."""

from __future__ import annotations

import base64
import os
import threading
import time
from pathlib import Path

import nacl.pwhash.argon2id
import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from pydantic import ValidationError

from idp.config import Settings
from idp.passwords import PasswordHashing, PasswordPolicyError, usable_cores
from idp.platform import Platform

PASSWORD = "Mật-khẩu-của-tôi-2026"
# Small parameters keep the suite fast; the bench measures the production ones.
MEMORY_KIB, TIME_COST = 1024, 2


@pytest.fixture
def sodium_calls(monkeypatch) -> list[str]:
    """Which of libsodium's argon2id functions ran, the real ones, in order."""
    calls: list[str] = []
    for name in ("str", "verify"):
        real = getattr(nacl.pwhash.argon2id, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(nacl.pwhash.argon2id, name, spy)
    return calls


def _b64(part: str) -> bytes:
    return base64.b64decode(part + "=" * (-len(part) % 4))


def test_rfc9106_one_lane_hashes_are_libsodium_phc_strings(sodium_calls) -> None:
    hashing = PasswordHashing(MEMORY_KIB, TIME_COST, parallelism=1)
    assert hashing.implementation == "libsodium"
    sodium_calls.clear()  # the dummy hash made at start
    stored = hashing.hash(PASSWORD)
    assert sodium_calls == ["str"]
    params = extract_parameters(stored)
    assert (params.type, params.version) == (Type.ID, 19)
    assert (params.memory_cost, params.time_cost, params.parallelism) == (MEMORY_KIB, TIME_COST, 1)
    salt, tag = stored.split("$")[-2:]
    assert len(_b64(salt)) == 16 and len(_b64(tag)) == 32
    # The reference implementation (argon2-cffi) computes the same tag from that string.
    assert PasswordHasher().verify(stored, PASSWORD)
    assert hashing.verify(stored, PASSWORD)
    assert not hashing.verify(stored, PASSWORD + "x")
    assert sodium_calls == ["str", "verify", "verify"]
    assert not hashing.needs_rehash(stored)


def test_hashes_written_by_argon2_cffi_still_log_in(sodium_calls) -> None:
    """Every hash stored before libsodium took over is argon2-cffi's: one lane or several, they verify."""
    hashing = PasswordHashing(MEMORY_KIB, TIME_COST, parallelism=1)
    for lanes in (1, 2):
        old = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=lanes).hash(PASSWORD)
        sodium_calls.clear()
        assert hashing.verify(old, PASSWORD)
        assert not hashing.verify(old, "Mat-khau-cua-toi-2026")
        # libsodium verifies argon2id v1.3 strings of any lane count.
        assert sodium_calls == ["verify", "verify"]
        assert hashing.needs_rehash(old) is (lanes != 1)


def test_several_lanes_are_hashed_by_argon2_cffi(sodium_calls) -> None:
    hashing = PasswordHashing(MEMORY_KIB, TIME_COST, parallelism=2)
    assert hashing.implementation == "argon2-cffi"
    stored = hashing.hash(PASSWORD)
    assert extract_parameters(stored).parallelism == 2
    assert hashing.verify(stored, PASSWORD)
    assert "str" not in sodium_calls


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "not a hash",
        "$argon2id$v=19$garbage",
        "$argon2id$v=19$m=1024,t=2,p=1$c2FsdA$",
        "$argon2id$v=19$m=1024,t=2,p=1$ñ$ñ",
        "$argon2i$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
    ],
)
def test_a_malformed_or_foreign_stored_hash_is_a_refusal_not_an_error(stored: str) -> None:
    assert PasswordHashing(MEMORY_KIB, TIME_COST, parallelism=1).verify(stored, PASSWORD) is False


def test_no_stored_hash_is_refused_after_a_hash_of_the_same_cost(sodium_calls) -> None:
    """An unknown username costs one verification, like a known one (the time does not tell them apart)."""
    hashing = PasswordHashing(MEMORY_KIB, TIME_COST, parallelism=1)
    sodium_calls.clear()
    assert hashing.verify(None, "nixa-dummy-password-for-timing") is False
    assert sodium_calls == ["verify"]


@pytest.mark.parametrize("lanes", [1, 2])
def test_a_password_that_is_not_valid_text_is_refused(lanes: int) -> None:
    """Whichever library holds the hash: libsodium's (one lane) or argon2-cffi's (an argon2i string)."""
    hashing = PasswordHashing(MEMORY_KIB, TIME_COST, parallelism=lanes)
    stored = hashing.hash(PASSWORD)
    assert hashing.verify(stored, "\ud800 lone surrogate") is False
    argon2i = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, type=Type.I).hash(PASSWORD)
    assert hashing.verify(argon2i, PASSWORD)
    assert hashing.verify(argon2i, "\ud800 lone surrogate") is False


def test_policy_applies_to_new_passwords_only() -> None:
    hashing = PasswordHashing(MEMORY_KIB, TIME_COST, parallelism=1)
    with pytest.raises(PasswordPolicyError):
        hashing.hash("short")
    assert hashing.verify(hashing.rehash("short"), "short")


@pytest.fixture
def overlap(monkeypatch) -> dict[str, int]:
    """The most argon2 computations (libsodium's or argon2-cffi's, the real ones) seen running at once.
    Each is held 20 ms longer, so that threads which may overlap do."""
    lock, seen = threading.Lock(), {"now": 0, "most": 0}

    def counted(real):
        def spy(*args, **kwargs):
            with lock:
                seen["now"] += 1
                seen["most"] = max(seen["most"], seen["now"])
            try:
                time.sleep(0.02)
                return real(*args, **kwargs)
            finally:
                with lock:
                    seen["now"] -= 1

        return spy

    for name in ("str", "verify"):
        monkeypatch.setattr(nacl.pwhash.argon2id, name, counted(getattr(nacl.pwhash.argon2id, name)))
    for name in ("hash", "verify"):
        monkeypatch.setattr(PasswordHasher, name, counted(getattr(PasswordHasher, name)))
    return seen


def _at_once(hashing: PasswordHashing, threads: int) -> list[bool]:
    """``threads`` logins and password changes started together: known, unknown and wrong passwords."""
    stored = hashing.hash(PASSWORD)
    start, results = threading.Barrier(threads), [False] * threads

    def one(i: int) -> None:
        start.wait()
        kind = i % 4
        if kind == 0:
            results[i] = hashing.verify(stored, PASSWORD)
        elif kind == 1:
            results[i] = not hashing.verify(None, PASSWORD)  # the dummy's check for an unknown username
        elif kind == 2:
            results[i] = not hashing.verify(stored, "sai-mật-khẩu")
        else:
            results[i] = hashing.verify(hashing.hash(PASSWORD + "!"), PASSWORD + "!")

    workers = [threading.Thread(target=one, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results


@pytest.mark.parametrize("lanes", [1, 2])
def test_no_more_hashes_run_at_once_than_allowed(overlap, lanes: int) -> None:
    """More hashes than cores only slow each other down (bench/RESULTS.md, eleventh round): the others
    wait their turn, whichever library computes them, and every answer is still right."""
    hashing = PasswordHashing(MEMORY_KIB, TIME_COST, parallelism=lanes, concurrent=2)
    overlap["most"] = 0
    assert _at_once(hashing, 8) == [True] * 8
    assert overlap["most"] == 2
    assert overlap["now"] == 0


def test_by_default_one_hash_at_a_time_per_usable_core(overlap) -> None:
    cores = usable_cores()
    assert cores == len(os.sched_getaffinity(0))
    hashing = PasswordHashing(MEMORY_KIB, TIME_COST, parallelism=1)
    assert hashing.concurrent == cores
    overlap["most"] = 0
    assert all(_at_once(hashing, cores + 3))
    assert overlap["most"] == cores


def test_the_bound_comes_from_the_settings(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="negative"):
        PasswordHashing(MEMORY_KIB, TIME_COST, parallelism=1, concurrent=-1)
    with pytest.raises(ValidationError):
        Settings(argon2_concurrency=-1)
    common = {"data_dir": tmp_path / "data", "argon2_memory_kib": MEMORY_KIB, "argon2_time_cost": 1}
    for configured, expected in ((3, 3), (0, usable_cores())):
        platform = Platform(Settings(**common, argon2_concurrency=configured))
        try:
            assert platform.passwords.concurrent == expected
        finally:
            platform.close()
