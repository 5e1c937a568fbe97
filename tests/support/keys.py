"""Faster signing-key set-up for tests.

Every test starts a fresh provider, and generating its RSA keys (current and next) is most of the start-up
time. ``pooled_rsa_keys`` hands out a few RSA keys generated once per process instead, each under the kid
the key manager asks for (``tests/conftest.py`` installs it for every test). Only the key manager's
generation call is replaced, so sealing, publication, rotation and signing run as in production.
"""

from __future__ import annotations

import itertools
from typing import Any

from joserfc.jwk import RSAKey

from idp import keys

POOL_SIZE = 6
_real_generate = keys._generate
_pool: list[RSAKey] = []
_turn = itertools.count()


def pooled_generate(alg: str, kid: str, *args: Any, **kwargs: Any) -> Any:
    if alg != "RS256":
        return _real_generate(alg, kid, *args, **kwargs)
    if len(_pool) < POOL_SIZE:
        _pool.append(_real_generate(alg, kid, *args, **kwargs))
    base = _pool[next(_turn) % len(_pool)]
    return RSAKey(base.raw_value, base.raw_value, {"kid": kid, "use": "sig", "alg": alg})
