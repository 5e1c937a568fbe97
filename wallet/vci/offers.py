"""Credential Offers (OpenID4VCI 1.0 Section 4.1) and the Pre-Authorized Code grant (Section 6.1).

A citizen logged in to their self-service pages asks for an offer; the wallet scans it, asks for the
transaction code shown beside the QR, and trades both at the token endpoint for an access token to the
Credential Endpoint. The code is single use (conditional UPDATE); the transaction code allows a few wrong
tries, then the offer is void.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import BlindIndex, constant_time_equal, new_token, sha256_hex
from idp.db import utcnow
from idp.errors import InvalidGrant, InvalidRequest
from idp.models import Identity
from idp.params import DUPLICATE
from wallet.models import CredentialAccessToken, CredentialOffer
from wallet.vci.events import CredentialAuditEvent
from wallet.vci.metadata import IDENTITY_CONFIGURATION, PRE_AUTHORIZED_GRANT
from wallet.vci.settings import CredentialSettings

OFFER_SCHEME = "openid-credential-offer://"
MIN_LOA = 2  # only identities matched against the population registry or better get a credential


class NotEligible(Exception):
    """The identity's level of assurance is too low (or it is locked) for a credential."""


@dataclass(frozen=True)
class NewOffer:
    offer_id: str
    offer: dict[str, Any]
    tx_code: str
    expires_in: int

    @property
    def uri(self) -> str:
        """Section 4.1: the offer by value, as the QR shows it."""
        return OFFER_SCHEME + "?credential_offer=" + quote(json.dumps(self.offer, separators=(",", ":")))


def check_eligible(identity: Identity | None) -> Identity:
    if identity is None or identity.locked or identity.loa < MIN_LOA:
        raise NotEligible("only a verified identity (level 2 or above) can receive a credential")
    return identity


class Offers:
    def __init__(self, issuer: str, settings: CredentialSettings, blind_index: BlindIndex) -> None:
        self.issuer = issuer
        self.settings = settings
        self.index = blind_index

    def tx_index(self, offer_id: str, tx_code: str) -> str:
        # Six digits are guessable from a plain hash; a keyed hash bound to the offer is not.
        return self.index("wallet-tx-code", f"{offer_id}:{tx_code}")

    def create(self, s: Session, identity_id: str, *, actor: str, ip: str | None = None) -> NewOffer:
        check_eligible(s.get(Identity, identity_id))
        offer_id, code = str(uuid.uuid4()), new_token(32)
        tx_code = "".join(secrets.choice("0123456789") for _ in range(self.settings.tx_code_digits))
        s.add(
            CredentialOffer(
                id=offer_id,
                identity_id=identity_id,
                credential_configuration_id=IDENTITY_CONFIGURATION,
                pre_authorized_code_hash=sha256_hex(code),
                tx_code_index=self.tx_index(offer_id, tx_code),
                expires_at=utcnow() + timedelta(seconds=self.settings.offer_ttl),
            )
        )
        audit.record(
            s,
            CredentialAuditEvent.OFFER_CREATED,
            actor=actor,
            identity_id=identity_id,
            ip=ip,
            data={"offer_id": offer_id},
        )
        offer = {
            "credential_issuer": self.issuer,
            "credential_configuration_ids": [IDENTITY_CONFIGURATION],
            "grants": {
                PRE_AUTHORIZED_GRANT: {
                    "pre-authorized_code": code,
                    "tx_code": {
                        "input_mode": "numeric",
                        "length": self.settings.tx_code_digits,
                        "description": "Nhập mã số hiển thị cạnh mã QR / Enter the code shown beside the QR",
                    },
                }
            },
        }
        return NewOffer(offer_id, offer, tx_code, self.settings.offer_ttl)


class PreAuthorizedCodeGrant:
    """The token endpoint handler for ``urn:ietf:params:oauth:grant-type:pre-authorized_code``."""

    def __init__(self, offers: Offers) -> None:
        self.offers = offers

    def __call__(
        self, s: Session, authorization: str | None, form: Mapping[str, str], ip: str | None
    ) -> dict[str, Any]:
        code = form.get("pre-authorized_code")
        if not code or code == DUPLICATE:
            raise InvalidRequest("pre-authorized_code is required")
        offer = s.scalar(
            select(CredentialOffer).where(CredentialOffer.pre_authorized_code_hash == sha256_hex(code))
        )
        if offer is None or offer.expires_at <= utcnow() or offer.redeemed_at is not None:
            raise InvalidGrant("the pre-authorized code is invalid, expired or already used")
        self._check_tx_code(s, offer, form.get("tx_code"), ip)
        # Section 6.1 / RFC 6749 Section 4.1.2: the code is single use, enforced by one conditional UPDATE.
        redeemed = s.execute(
            update(CredentialOffer)
            .where(CredentialOffer.id == offer.id, CredentialOffer.redeemed_at.is_(None))
            .values(redeemed_at=utcnow())
        )
        if redeemed.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidGrant("the pre-authorized code was already used")
        identity = check_eligible_or_grant_error(s.get(Identity, offer.identity_id))
        token = new_token(32)
        ttl = self.offers.settings.credential_access_token_ttl
        s.add(
            CredentialAccessToken(
                token_hash=sha256_hex(token),
                identity_id=identity.id,
                offer_id=offer.id,
                credential_configuration_id=offer.credential_configuration_id,
                expires_at=utcnow() + timedelta(seconds=ttl),
            )
        )
        audit.record(
            s,
            CredentialAuditEvent.OFFER_REDEEMED,
            identity_id=identity.id,
            ip=ip,
            data={"offer_id": offer.id},
        )
        return {"access_token": token, "token_type": "Bearer", "expires_in": ttl}

    def _check_tx_code(self, s: Session, offer: CredentialOffer, tx_code: str | None, ip: str | None) -> None:
        if offer.tx_code_index is None:
            return
        # Section 6.1: tx_code MUST be present when the offer announced one.
        if not tx_code or tx_code == DUPLICATE:
            raise InvalidRequest("tx_code is required for this offer")
        if constant_time_equal(self.offers.tx_index(offer.id, tx_code), offer.tx_code_index):
            return
        offer.tx_code_failures += 1
        if offer.tx_code_failures >= self.offers.settings.tx_code_max_failures:
            offer.redeemed_at = utcnow()  # void: too many wrong tries
        audit.record(
            s,
            CredentialAuditEvent.OFFER_TX_CODE_FAILED,
            identity_id=offer.identity_id,
            ip=ip,
            data={"offer_id": offer.id, "failures": offer.tx_code_failures},
        )
        s.commit()  # the failed try counts even though the request fails
        # Section 6.3: a wrong transaction code is answered with invalid_grant.
        raise InvalidGrant("the transaction code is wrong")


def check_eligible_or_grant_error(identity: Identity | None) -> Identity:
    try:
        return check_eligible(identity)
    except NotEligible as exc:
        raise InvalidGrant("the identity behind this offer cannot receive a credential") from exc
