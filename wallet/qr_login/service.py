"""A QR log-in request, from the browser's QR to the browser carrying on.

States: pending -> scanned (the wallet fetched it) -> approved (the wallet signed) -> consumed (the browser
carried on); or refused / expired. Each step is one conditional UPDATE on the expected state, so a second
scan, a replayed approval or a second "continue" finds the row already moved on and is refused.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import Sealer, constant_time_equal, new_token, sha256_hex
from idp.db import utcnow
from idp.models import Client, Interaction
from wallet.audit_events import WalletAuditEvent
from wallet.qr_login import jws
from wallet.qr_login.devices import DeviceService
from wallet.qr_login.errors import ExpiredToken, Refused
from wallet.qr_login.models import QrLoginRequest, WalletDevice

APPROVAL_TYP = "nixa-qr-approval+jwt"
REQUEST_PATH = "/wallet/qr-login/r"


@dataclass(frozen=True)
class StartedLogin:
    id: str
    request_uri: str
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class ApprovedLogin:
    interaction_id: str
    identity_id: str
    amr: list[str]
    auth_level: int
    device_id: str


class QrLoginService:
    def __init__(
        self, issuer: str, sealer: Sealer, devices: DeviceService, ttl: int, code_digits: int
    ) -> None:
        self.issuer = issuer
        self.sealer = sealer
        self.devices = devices
        self.ttl = ttl
        self.code_digits = code_digits

    # -- the browser --------------------------------------------------------------------------------
    def start(self, s: Session, interaction: Interaction, browser_id: str, *, ip: str | None) -> StartedLogin:
        token = new_token(32)
        request_uri = f"{self.issuer}{REQUEST_PATH}/{token}"
        code = f"{secrets.randbelow(10**self.code_digits):0{self.code_digits}d}"
        row = QrLoginRequest(
            id=secrets.token_hex(16),
            interaction_id=interaction.id,
            browser_hash=sha256_hex(browser_id),
            client_id=interaction.client_id,
            token_hash=sha256_hex(token),
            request_uri_enc=b"",
            nonce=new_token(24),
            code=code,
            browser_ip=ip,
            expires_at=min(interaction.expires_at, utcnow() + timedelta(seconds=self.ttl)),
        )
        row.request_uri_enc = self.sealer.seal(request_uri.encode(), row.id.encode())
        s.add(row)
        audit.record(s, WalletAuditEvent.QR_LOGIN_STARTED, client_id=row.client_id, data={"request": row.id})
        return StartedLogin(row.id, request_uri, code, row.expires_at)

    def shown(self, row: QrLoginRequest) -> StartedLogin:
        """What the browser's page shows for a request it started (its QR and number)."""
        request_uri = self.sealer.open(row.request_uri_enc, row.id.encode()).decode()
        return StartedLogin(row.id, request_uri, row.code, row.expires_at)

    def for_browser(self, s: Session, login_id: str, browser_id: str | None) -> QrLoginRequest | None:
        """The request, for the browser that started it only; read-only, so the page can poll it cheaply."""
        row = s.get(QrLoginRequest, login_id)
        if row is None or not browser_id or not constant_time_equal(row.browser_hash, sha256_hex(browser_id)):
            return None
        return row

    @staticmethod
    def state_of(row: QrLoginRequest) -> str:
        """The state as the browser sees it: an open request past its time is expired, stored so or not."""
        if row.state in ("pending", "scanned", "approved") and row.expires_at <= utcnow():
            return "expired"
        return row.state

    def consume(self, s: Session, row: QrLoginRequest) -> ApprovedLogin | None:
        """The browser carries on once: approved -> consumed."""
        if row.state != "approved" or not self._move(
            s, row, "approved", state="consumed", consumed_at=utcnow()
        ):
            return None
        assert row.identity_id and row.device_id and row.amr is not None and row.auth_level is not None
        return ApprovedLogin(
            row.interaction_id, row.identity_id, list(row.amr), row.auth_level, row.device_id
        )

    # -- the wallet ---------------------------------------------------------------------------------
    def scan(self, s: Session, token: str) -> dict[str, Any]:
        """The wallet fetched the request URI: what it shows the person, and what it must sign."""
        row = self._by_token(s, token)
        if not self._move(s, row, "pending", state="scanned", scanned_at=utcnow()):
            # Scanned a second time (a shoulder-surfed or relayed QR): the caller burns the request.
            raise Refused("scanned_twice", "this QR code has already been scanned; start again")
        client = s.get(Client, row.client_id)
        return {
            "issuer": self.issuer,
            "client_id": row.client_id,
            "client_name": client.name if client else row.client_id,
            "nonce": row.nonce,
            "requested_from": {"ip": row.browser_ip, "at": int(row.created_at.timestamp())},
            "code_digits": self.code_digits,
            "approval_uri": f"{self.issuer}{REQUEST_PATH}/{token}/approval",
            "approval_typ": APPROVAL_TYP,
            "expires_at": int(row.expires_at.timestamp()),
        }

    def approve(self, s: Session, token: str, approval: str, *, ip: str | None) -> ApprovedLogin:
        """Check the wallet's signed approval. A refusal raises; the caller then calls ``refuse`` in a
        transaction of its own, so that the refusal is kept although this one rolls back."""
        row = self._by_token(s, token)
        header = jws.unverified_header(approval)
        device = self.devices.usable_device(s, header.get("kid"))
        key = jws.public_device_key(device.public_jwk)
        claims = jws.verify(approval, key, typ=APPROVAL_TYP, audience=self.issuer)
        if row.state != "scanned":
            raise Refused("replayed", "this request is not waiting for an approval")
        if not isinstance(claims.get("nonce"), str) or not constant_time_equal(claims["nonce"], row.nonce):
            raise Refused("wrong_nonce", "the approval is for another request")
        if not isinstance(claims.get("code"), str) or not constant_time_equal(claims["code"], row.code):
            # Number matching: the person typed the number their computer shows; a mismatch ends the request.
            raise Refused("number_mismatch", "the number does not match the one on the computer screen")
        amr, level = _amr(device, claims)
        moved = self._move(
            s,
            row,
            "scanned",
            state="approved",
            approved_at=utcnow(),
            device_id=device.id,
            identity_id=device.identity_id,
            amr=amr,
            auth_level=level,
        )
        if not moved:
            raise Refused("replayed", "this request is not waiting for an approval")
        device.last_used_at = utcnow()
        audit.record(
            s,
            WalletAuditEvent.QR_LOGIN_APPROVED,
            identity_id=device.identity_id,
            client_id=row.client_id,
            ip=ip,
            data={"request": row.id, "device": device.id, "amr": amr},
        )
        return ApprovedLogin(row.interaction_id, device.identity_id, amr, level, device.id)

    # -- steps ----------------------------------------------------------------------------------------
    def _by_token(self, s: Session, token: str) -> QrLoginRequest:
        row = s.query(QrLoginRequest).filter(QrLoginRequest.token_hash == sha256_hex(token)).one_or_none()
        if row is None:
            raise Refused("unknown_request", "unknown log-in request")
        if row.expires_at <= utcnow():
            if row.state in ("pending", "scanned"):
                self._move(s, row, row.state, state="expired")
            raise ExpiredToken("the log-in request has expired")
        if row.state in ("refused", "expired", "consumed"):
            raise Refused("request_closed", "this log-in request is closed; start again")
        return row

    def _move(self, s: Session, row: QrLoginRequest, expected: str, **values: Any) -> bool:
        result = s.execute(
            update(QrLoginRequest)
            .where(QrLoginRequest.id == row.id, QrLoginRequest.state == expected)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def refuse(self, s: Session, token: str, reason: str, *, ip: str | None = None) -> None:
        """Close the request after a refused scan or approval (a replay leaves a finished one alone)."""
        row = s.query(QrLoginRequest).filter(QrLoginRequest.token_hash == sha256_hex(token)).one_or_none()
        if row is None:
            return
        if reason != "replayed":
            for state in ("pending", "scanned", "approved"):
                if self._move(s, row, state, state="refused", refusal=reason):
                    break
        audit.record(
            s,
            WalletAuditEvent.QR_LOGIN_REFUSED,
            client_id=row.client_id,
            ip=ip,
            data={"request": row.id, "reason": reason},
        )


def _amr(device: WalletDevice, claims: dict[str, Any]) -> tuple[list[str], int]:
    """RFC 8176: hwk or swk for the device key; pin when the wallet unlocked it with the person's PIN.
    Key and PIN are two factors (DESIGN.md: "wallet key + PIN" is a level 3 authentication)."""
    key = "hwk" if device.key_protection == "hardware" else "swk"
    user_verification = claims.get("amr")
    if isinstance(user_verification, list) and "pin" in user_verification:
        return [key, "pin", "mfa"], 3
    return [key], 2
