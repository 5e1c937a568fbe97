"""Attempt limits for the wallet's public endpoints (OWASP ASVS 4 V11.1.4), on idp.signup.ratelimit's
counters: per client address, stored only as keyed hashes.

Chosen so that a person, or a counter clerk checking codes all day, never meets them, while one client
cannot make the server decode images, open log-in requests or try registration codes in bulk.
"""

from __future__ import annotations

from fastapi import Request, Response

from idp.platform import Platform
from idp.signup.ratelimit import Decision, RateLimit, ip_bucket
from idp.web.pages import Pages

VERIFY_PER_IP = (300, 3600)  # the verifier page decodes images: bounded per address
QR_LOGIN_START_PER_IP = (30, 600)  # a person needs a handful of QR codes, not dozens
DEVICE_REGISTRATION_PER_IP = (20, 3600)  # registration codes are single use; this bounds the guessing


def hit(platform: Platform, prefix: str, limit: tuple[int, int], ip: str | None) -> Decision:
    rate = RateLimit(platform.blind_index, prefix, *limit)
    with platform.db.session() as s:
        return rate.hit(s, ip_bucket(ip))


def limited(pages: Pages, request: Request, decision: Decision) -> Response:
    """429 with Retry-After (RFC 6585 Section 4) and a page saying so in the person's language."""
    page = pages.error(request, "wallet.rate_limited", status_code=429)
    page.headers["Retry-After"] = str(decision.retry_after())
    return page
