"""The Credential Endpoint, OpenID4VCI 1.0 Section 8: one SD-JWT VC bound to the proven holder key.

The access token is either one bought with a pre-authorized code (opaque, hashed in our table) or a
NIXA access token from the authorization code flow, issued to a wallet app allowed to receive
credentials and carrying the consent to release the personal ID number.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import sha256_hex
from idp.db import utcnow
from idp.errors import InvalidToken
from idp.identities import IdentityStore
from idp.models import Grant, Identity
from idp.oauth.resource import AccessTokens
from idp.platform import Platform
from wallet.models import CredentialAccessToken, IssuedCredential
from wallet.sd_jwt import issue_sd_jwt
from wallet.status_list.service import StatusListService
from wallet.vci.claims import identity_claims
from wallet.vci.errors import (
    CredentialRequestDenied,
    InvalidCredentialRequest,
    InvalidProof,
    UnknownCredentialConfiguration,
    UnknownCredentialIdentifier,
)
from wallet.vci.events import CredentialAuditEvent
from wallet.vci.metadata import CREDENTIAL_SCOPE, IDENTITY_CONFIGURATION, IDENTITY_VCT, SD_JWT_VC_FORMAT
from wallet.vci.nonces import NonceStore
from wallet.vci.offers import MIN_LOA
from wallet.vci.proofs import ProvenKey, verify_proof
from wallet.vci.settings import CredentialSettings

STATUS_PURPOSE = "sd-jwt-vc"


@dataclass(frozen=True)
class CredentialAccess:
    identity_id: str
    configuration_id: str
    client_id: str | None


class CredentialIssuer:
    def __init__(
        self,
        platform: Platform,
        settings: CredentialSettings,
        status_lists: StatusListService,
        nonces: NonceStore,
    ) -> None:
        self.platform = platform
        self.issuer = platform.issuer
        self.settings = settings
        self.status_lists = status_lists
        self.nonces = nonces
        self.identities = IdentityStore(platform.sealer, platform.blind_index, platform.passwords)

    # -- the access token -------------------------------------------------------------------------------
    def access(self, s: Session, tokens: AccessTokens, token: str) -> CredentialAccess:
        if token.count(".") != 2:
            row = s.get(CredentialAccessToken, sha256_hex(token))
            if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
                raise InvalidToken("the access token is not active")
            return CredentialAccess(row.identity_id, row.credential_configuration_id, None)
        info = tokens.verify(s, token)
        # Only wallet apps may turn a login into a credential: a portal holding a credential bound to its
        # own key could present it elsewhere as the citizen.
        if info.client_id not in self.settings.credential_clients or info.grant_id is None:
            raise InvalidToken("this access token cannot be used for credentials")
        if CREDENTIAL_SCOPE not in info.scope:
            raise CredentialRequestDenied("the access token lacks the consent to the personal ID number")
        grant = s.get(Grant, info.grant_id)
        if grant is None or grant.identity_id is None:
            raise InvalidToken("the access token is not active")
        return CredentialAccess(grant.identity_id, IDENTITY_CONFIGURATION, info.client_id)

    # -- the request ------------------------------------------------------------------------------------
    def issue(self, s: Session, access: CredentialAccess, body: Any, ip: str | None) -> dict[str, Any]:
        proof = self._parse_request(body, access)
        identity = s.get(Identity, access.identity_id)
        if identity is None or identity.locked or identity.loa < MIN_LOA:
            raise CredentialRequestDenied("only a verified identity (level 2 or above) can receive it")
        key = verify_proof(
            s,
            proof,
            audience=self.issuer,
            client_id=access.client_id,
            nonces=self.nonces,
            now=int(utcnow().timestamp()),
            max_age=self.settings.proof_max_age,
        )
        credential = self._sign(s, identity, key, access, ip)
        return {"credentials": [{"credential": credential}]}

    def _parse_request(self, body: Any, access: CredentialAccess) -> Any:
        if not isinstance(body, dict):
            raise InvalidCredentialRequest("the credential request must be a JSON object")
        # Section 8.2: credential_identifier only after authorization_details, which we do not return.
        if "credential_identifier" in body:
            raise UnknownCredentialIdentifier("no credential identifiers were issued with this token")
        configuration = body.get("credential_configuration_id")
        if configuration is None:
            raise InvalidCredentialRequest("credential_configuration_id is required")
        if configuration != IDENTITY_CONFIGURATION or configuration != access.configuration_id:
            raise UnknownCredentialConfiguration("this credential configuration is not offered here")
        if "proof" in body:
            raise InvalidCredentialRequest("proof (singular) is not part of OpenID4VCI 1.0; use proofs")
        proofs = body.get("proofs")
        # Section 8.3.1.2: a missing or invalid proofs parameter is invalid_proof.
        if not isinstance(proofs, dict) or set(proofs) != {"jwt"}:
            raise InvalidProof("proofs must hold key proofs of type jwt")
        jwts = proofs["jwt"]
        # No batch issuance is advertised, so exactly one proof (Section 8.2).
        if not isinstance(jwts, list) or len(jwts) != 1:
            raise InvalidProof("exactly one jwt proof is expected")
        return jwts[0]

    def _sign(
        self, s: Session, identity: Identity, key: ProvenKey, access: CredentialAccess, ip: str | None
    ) -> str:
        now = utcnow()
        expires = now + timedelta(seconds=self.settings.credential_ttl)
        ref = self.status_lists.allocate(s, purpose=STATUS_PURPOSE)
        visible = {
            "iss": self.issuer,
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "vct": IDENTITY_VCT,
            # SD-JWT VC Section 3.2.2.2: cnf binds the holder key; status points at the revocation entry.
            "cnf": {"jwk": key.public_jwk},
            "status": ref.jwt_claim(),
            "assurance_level": f"urn:nixa:loa:{identity.loa}",
        }
        disclosable = identity_claims(s, self.identities, identity, now.date())
        signing_key = self.platform.keys.signing_key("ES256")
        credential = issue_sd_jwt(
            key=signing_key,
            alg="ES256",
            typ=SD_JWT_VC_FORMAT,
            always_visible=visible,
            selectively_disclosable=disclosable,
        )
        row = IssuedCredential(
            id=str(uuid.uuid4()),
            identity_id=identity.id,
            credential_configuration_id=IDENTITY_CONFIGURATION,
            vct=IDENTITY_VCT,
            holder_jkt=key.thumbprint,
            status_list_uri=ref.uri,
            status_index=ref.idx,
            issued_at=now,
            expires_at=expires,
        )
        s.add(row)
        audit.record(
            s,
            CredentialAuditEvent.CREDENTIAL_ISSUED,
            identity_id=identity.id,
            client_id=access.client_id,
            ip=ip,
            data={"credential_id": row.id, "vct": IDENTITY_VCT, "holder_jkt": key.thumbprint},
        )
        return credential
