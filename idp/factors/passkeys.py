"""WebAuthn passkeys (W3C Web Authentication Level 2), ceremonies verified with py_webauthn.

amr (RFC 8176): a passkey whose authenticator reports it may be backed up or synced (BE flag, "multi_device")
lives in software the person's platform copies between devices, so it is ``swk``; a device-bound credential
("single_device": security keys, most platform authenticators without sync) is treated as ``hwk``. The
BE flag is the authenticator's own statement (WebAuthn L2 Section 6.1.3); without attestation it cannot be
proven, which is why level 3 also requires user verification rather than trusting the hardware claim.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from idp.crypto import new_token
from idp.db import utcnow
from idp.models.factors import Factor, WebAuthnChallenge

CHALLENGE_TTL = timedelta(minutes=5)


class PasskeyError(Exception):
    """The browser's response does not verify; the detail is for the log, never the page."""


@dataclass(frozen=True)
class RelyingParty:
    rp_id: str
    name: str
    origin: str


def _b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _client_challenge(credential: dict[str, Any]) -> str:
    try:
        client_data = json.loads(_b64url_decode(credential["response"]["clientDataJSON"]))
        return str(client_data["challenge"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PasskeyError("malformed clientDataJSON") from exc


class Passkeys:
    def __init__(self, rp: RelyingParty) -> None:
        self.rp = rp

    def _passkeys(self, s: Session, identity_id: str) -> list[Factor]:
        return list(
            s.scalars(select(Factor).where(Factor.identity_id == identity_id, Factor.kind == "passkey"))
        )

    def _descriptors(self, s: Session, identity_id: str) -> list[PublicKeyCredentialDescriptor]:
        return [
            PublicKeyCredentialDescriptor(id=_b64url_decode(f.credential_id or ""))
            for f in self._passkeys(s, identity_id)
        ]

    def _new_challenge(self, s: Session, identity_id: str, purpose: str, challenge: bytes) -> None:
        s.add(
            WebAuthnChallenge(
                id=new_token(24),
                identity_id=identity_id,
                purpose=purpose,
                challenge=bytes_to_base64url(challenge),
                expires_at=utcnow() + CHALLENGE_TTL,
            )
        )
        s.flush()

    def _consume_challenge(self, s: Session, identity_id: str, purpose: str, challenge: str) -> bytes:
        # WebAuthn L2 Section 13.4.3: challenges are random, kept by the RP and used for one ceremony only.
        result = s.execute(
            update(WebAuthnChallenge)
            .where(
                WebAuthnChallenge.identity_id == identity_id,
                WebAuthnChallenge.purpose == purpose,
                WebAuthnChallenge.challenge == challenge,
                WebAuthnChallenge.used_at.is_(None),
                WebAuthnChallenge.expires_at > utcnow(),
            )
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise PasskeyError("unknown, expired or reused challenge")
        return _b64url_decode(challenge)

    # -- registration (WebAuthn L2 Section 7.1) ---------------------------------------------------------
    def registration_options(self, s: Session, identity_id: str, user_name: str) -> str:
        options = generate_registration_options(
            rp_id=self.rp.rp_id,
            rp_name=self.rp.name,
            # Section 14.6.1: the user handle must not carry personal data; the identity's UUID does not.
            user_id=identity_id.encode(),
            user_name=user_name,
            exclude_credentials=self._descriptors(s, identity_id),
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.PREFERRED,
                user_verification=UserVerificationRequirement.REQUIRED,
            ),
        )
        self._new_challenge(s, identity_id, "register", options.challenge)
        return options_to_json(options)

    def register(self, s: Session, identity_id: str, credential: dict[str, Any]) -> Factor:
        challenge = self._consume_challenge(s, identity_id, "register", _client_challenge(credential))
        try:
            # Section 7.1 steps 9-16: origin, rp_id hash, UP and (level 3) UV flags are checked here.
            verified = verify_registration_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=self.rp.rp_id,
                expected_origin=self.rp.origin,
                require_user_verification=True,
            )
        except WebAuthnException as exc:
            raise PasskeyError(str(exc)) from exc
        multi = verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE
        row = Factor(
            id=str(uuid.uuid4()),
            identity_id=identity_id,
            kind="passkey",
            amr="swk" if multi else "hwk",
            credential_id=bytes_to_base64url(verified.credential_id),
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            confirmed_at=utcnow(),
        )
        s.add(row)
        s.flush()
        return row

    # -- authentication (WebAuthn L2 Section 7.2) -------------------------------------------------------
    def authentication_options(self, s: Session, identity_id: str) -> str:
        options = generate_authentication_options(
            rp_id=self.rp.rp_id,
            allow_credentials=self._descriptors(s, identity_id),
            user_verification=UserVerificationRequirement.REQUIRED,
        )
        self._new_challenge(s, identity_id, "authenticate", options.challenge)
        return options_to_json(options)

    def authenticate(self, s: Session, identity_id: str, credential: dict[str, Any]) -> Factor:
        challenge = self._consume_challenge(s, identity_id, "authenticate", _client_challenge(credential))
        factor = s.scalar(
            select(Factor).where(
                Factor.identity_id == identity_id,
                Factor.kind == "passkey",
                Factor.credential_id == str(credential.get("id", "")),
            )
        )
        # Section 7.2 step 6: the credential must belong to the user being authenticated.
        if factor is None or factor.public_key is None:
            raise PasskeyError("credential not registered to this identity")
        try:
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=self.rp.rp_id,
                expected_origin=self.rp.origin,
                credential_public_key=factor.public_key,
                credential_current_sign_count=factor.sign_count,
                require_user_verification=True,
            )
        except WebAuthnException as exc:
            raise PasskeyError(str(exc)) from exc
        self._store_count(s, factor, verified.new_sign_count)
        return factor

    def _store_count(self, s: Session, factor: Factor, new_count: int) -> None:
        # Section 7.2 step 21: a counter that does not grow signals a cloned authenticator (py_webauthn
        # refuses it above); the conditional UPDATE stops two concurrent assertions both advancing it.
        result = s.execute(
            update(Factor)
            .where(Factor.id == factor.id, Factor.sign_count == factor.sign_count)
            .values(sign_count=new_count, last_used_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise PasskeyError("sign counter changed concurrently")
        s.refresh(factor)
