"""Second factors (issue 3): TOTP (RFC 6238), WebAuthn passkeys (WebAuthn Level 2) and recovery codes.

Protocol logic only, no FastAPI: routes in ``idp.web.routes_factors`` parse, call and render.
"""

from idp.factors.service import SecondFactors, StepUpResult

__all__ = ["SecondFactors", "StepUpResult"]
