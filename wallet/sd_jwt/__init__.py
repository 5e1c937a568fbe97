"""Selective Disclosure for JWTs (RFC 9901) and SD-JWT-based Verifiable Credentials (SD-JWT VC draft).

``disclosures`` builds and digests Disclosures, ``issuance`` signs an SD-JWT, ``presentation`` lets a
holder choose what to disclose and binds it with a Key Binding JWT, ``verification`` checks all of it.
"""

from wallet.sd_jwt.errors import SdJwtError
from wallet.sd_jwt.issuance import issue_sd_jwt
from wallet.sd_jwt.presentation import present
from wallet.sd_jwt.verification import VerifiedSdJwt, verify_presentation, verify_sd_jwt

__all__ = ["SdJwtError", "VerifiedSdJwt", "issue_sd_jwt", "present", "verify_presentation", "verify_sd_jwt"]
