"""Credential Issuer Metadata, OpenID4VCI 1.0 Section 12.2, and JWT VC Issuer Metadata (SD-JWT VC Section 4).

NIXA is its own Authorization Server, so ``authorization_servers`` is omitted (Section 12.2.4: the issuer
identifier then doubles as the authorization server's).
"""

from __future__ import annotations

from typing import Any

SD_JWT_VC_FORMAT = "dc+sd-jwt"  # SD-JWT VC draft Section 3.2.1 (the media type's short name)
IDENTITY_CONFIGURATION = "nixa_identity_sd_jwt"
IDENTITY_VCT = "urn:nixa:vct:identity"
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_ALGS = ("ES256", "EdDSA")
# The scope a wallet app asks for in the authorization code flow (Section 5.1.2); its access token must
# also carry the consent to release the personal ID number.
CREDENTIAL_SCOPE = "nixa.personal_id"

# Each identity claim with its label in Vietnamese and English (Section 12.2.4, credential_metadata).
IDENTITY_CLAIMS: dict[str, tuple[str, str]] = {
    "personal_id": ("Số định danh cá nhân", "Personal ID number"),
    "name": ("Họ và tên", "Full name"),
    "family_name": ("Họ", "Family name"),
    "given_name": ("Tên", "Given name"),
    "birthdate": ("Ngày sinh", "Date of birth"),
    "gender": ("Giới tính", "Sex"),
    "nationalities": ("Quốc tịch", "Nationality"),
    "address": ("Địa chỉ", "Address"),
    "age_over_18": ("Đủ 18 tuổi", "Aged 18 or over"),
}


def _display(vi: str, en: str) -> list[dict[str, str]]:
    return [{"name": vi, "locale": "vi"}, {"name": en, "locale": "en"}]


def credential_issuer_metadata(issuer: str) -> dict[str, Any]:
    return {
        "credential_issuer": issuer,
        "credential_endpoint": f"{issuer}/credential",
        "nonce_endpoint": f"{issuer}/nonce",
        "display": _display("NIXA — Định danh quốc gia", "NIXA national identity"),
        "credential_configurations_supported": {
            IDENTITY_CONFIGURATION: {
                "format": SD_JWT_VC_FORMAT,
                "vct": IDENTITY_VCT,
                "scope": CREDENTIAL_SCOPE,
                "cryptographic_binding_methods_supported": ["jwk"],
                "credential_signing_alg_values_supported": ["ES256"],
                "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGS)}},
                "credential_metadata": {
                    "display": _display("Căn cước điện tử NIXA", "NIXA digital identity"),
                    "claims": [
                        {"path": [name], "display": _display(vi, en)}
                        for name, (vi, en) in IDENTITY_CLAIMS.items()
                    ],
                },
            }
        },
    }


def jwt_vc_issuer_metadata(issuer: str) -> dict[str, Any]:
    """SD-JWT VC draft Section 4: where verifiers find the keys that sign NIXA's credentials."""
    return {"issuer": issuer, "jwks_uri": f"{issuer}/jwks"}


def authorization_server_metadata() -> dict[str, Any]:
    """Members OpenID4VCI Section 12.3 adds to the OAuth Authorization Server metadata."""
    return {"pre-authorized_grant_anonymous_access_supported": True}
