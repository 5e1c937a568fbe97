"""Attempt limits for the anonymous credential endpoints (OWASP ASVS 4 V11.1.4), on idp's shared counters.

Both endpoints create a database row per call without any authentication, so one address must not be
able to create them in bulk. Chosen so a counter that verifies a queue of people, or a ward office
behind one address, never meets them.
"""

from __future__ import annotations

from idp.crypto import BlindIndex
from idp.signup.ratelimit import RateLimit

# 120 c_nonces per address per 10 minutes: a wallet takes one per credential it asks for.
NONCES_PER_IP = (120, 600)
# 240 presentation requests per address per hour from the verifier page: one per person at a counter.
PRESENTATIONS_PER_IP = (240, 3600)


def nonce_limit(index: BlindIndex) -> RateLimit:
    return RateLimit(index, "wallet-nonce", *NONCES_PER_IP)


def presentation_page_limit(index: BlindIndex) -> RateLimit:
    return RateLimit(index, "wallet-vp-page", *PRESENTATIONS_PER_IP)
