"""The issuer side of the Token Status List: indexes, statuses and signed Status List Tokens.

draft-ietf-oauth-status-list: Section 4 (the list), Section 5 (Status List Token as JWT and CWT), Section 6
(the ``status`` claim of a Referenced Token), Section 7 (status values). Indexes are drawn at random
(Section 12.5, unlinkability: an index must not reveal the order of issuance), and a list is closed once
half of it is taken so that random draws stay cheap and the list stays large enough to hide in.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Any, cast

import cbor2
from joserfc import jwt
from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from idp import audit
from idp.db import InsertIfAbsent, utcnow
from idp.platform import Platform
from wallet import cose
from wallet.audit_events import WalletAuditEvent
from wallet.settings import WalletSettings
from wallet.status_list import bits as bitarray
from wallet.status_list.models import StatusEntry, StatusList

# Section 7.1: the registered status types.
STATUS_VALID, STATUS_INVALID, STATUS_SUSPENDED = 0, 1, 2
STATUS_NAMES = {STATUS_VALID: "valid", STATUS_INVALID: "invalid", STATUS_SUSPENDED: "suspended"}

JWT_TYP = "statuslist+jwt"  # Section 5.1
CWT_TYP = "application/statuslist+cwt"  # Section 5.2
# CWT claim keys, Section 5.2 and Section 6.3 (IANA CWT registry).
CWT_STATUS_LIST, CWT_TTL, CWT_STATUS = 65533, 65534, 65535
PATH = "/status-lists"


class UnknownStatusReference(LookupError):
    pass


# The unique (list_id, idx) decides who holds an index: a row returned is ours, none means taken.
_insert_entry = InsertIfAbsent(cast(Table, StatusEntry.__table__), "list_id", "idx", returning="id")


@dataclass(frozen=True)
class StatusReference:
    """Where a credential's status lives: the list's URI and the index in it (Section 6)."""

    uri: str
    idx: int

    @property
    def list_id(self) -> str:
        return self.uri.rstrip("/").rsplit("/", 1)[-1]

    def jwt_claim(self) -> dict[str, Any]:
        # Section 6.1: "status": {"status_list": {"idx": ..., "uri": ...}}
        return {"status_list": {"idx": self.idx, "uri": self.uri}}

    def cwt_claim(self) -> dict[str, Any]:
        # Section 6.3: the same structure under CWT claim key 65535.
        return {"status_list": {"idx": self.idx, "uri": self.uri}}


class StatusListService:
    def __init__(self, platform: Platform, settings: WalletSettings | None = None) -> None:
        self.platform = platform
        self.settings = settings or WalletSettings()
        self.issuer = platform.issuer

    def uri(self, list_id: str) -> str:
        return f"{self.issuer}{PATH}/{list_id}"

    # -- issuance ---------------------------------------------------------------------------------------
    def allocate(self, s: Session, *, purpose: str) -> StatusReference:
        """A fresh random index in an open list of this purpose, held for one credential."""
        for _ in range(32):
            status_list = self._open_list(s, purpose)
            idx = secrets.randbelow(status_list.size)
            claimed = s.connection().execute(
                _insert_entry(s), {"list_id": status_list.id, "idx": idx, "status": STATUS_VALID}
            )
            if claimed.first() is None:
                continue  # the index is taken: draw again
            s.execute(
                update(StatusList)
                .where(StatusList.id == status_list.id)
                .values(allocated=StatusList.allocated + 1)
            )
            return StatusReference(self.uri(status_list.id), idx)
        raise RuntimeError("could not allocate a status list index")

    def _open_list(self, s: Session, purpose: str) -> StatusList:
        candidates = s.scalars(
            select(StatusList)
            .where(StatusList.purpose == purpose, StatusList.allocated * 2 < StatusList.size)
            .order_by(StatusList.created_at)
        ).all()
        if candidates:
            return secrets.choice(list(candidates))
        row = StatusList(
            id=secrets.token_hex(8),
            purpose=purpose,
            bits=self.settings.status_list_bits,
            size=self.settings.status_list_size,
        )
        s.add(row)
        s.flush()
        return row

    def set_status(
        self, s: Session, ref: StatusReference, status: int, *, actor: str, reason: str | None = None
    ) -> None:
        entry = self._entry(s, ref)
        status_list = s.get(StatusList, entry.list_id)
        assert status_list is not None
        if not 0 <= status < (1 << status_list.bits):
            raise ValueError("status does not fit the list's bits")
        previous = entry.status
        entry.status, entry.reason, entry.updated_at = status, reason, utcnow()
        audit.record(
            s,
            WalletAuditEvent.STATUS_CHANGED,
            actor=actor,
            data={
                "list": status_list.id,
                "idx": ref.idx,
                "from": STATUS_NAMES.get(previous, str(previous)),
                "to": STATUS_NAMES.get(status, str(status)),
                "reason": reason,
            },
        )

    def status_of(self, s: Session, ref: StatusReference) -> int:
        return self._entry(s, ref).status

    def _entry(self, s: Session, ref: StatusReference) -> StatusEntry:
        if ref.uri != self.uri(ref.list_id):
            raise UnknownStatusReference("not one of this issuer's status lists")
        entry = s.scalar(
            select(StatusEntry).where(StatusEntry.list_id == ref.list_id, StatusEntry.idx == ref.idx)
        )
        if entry is None:
            raise UnknownStatusReference("no such status list entry")
        return entry

    # -- publication ----------------------------------------------------------------------------------
    def _list_claim(self, s: Session, list_id: str) -> tuple[int, bytes] | None:
        status_list = s.get(StatusList, list_id)
        if status_list is None:
            return None
        entries = s.execute(
            select(StatusEntry.idx, StatusEntry.status).where(
                StatusEntry.list_id == list_id, StatusEntry.status != STATUS_VALID
            )
        ).all()
        packed = bitarray.pack(
            ((e.idx, e.status) for e in entries), bits=status_list.bits, size=status_list.size
        )
        return status_list.bits, packed

    def token_jwt(self, s: Session, list_id: str) -> str | None:
        claim = self._list_claim(s, list_id)
        if claim is None:
            return None
        bits, packed = claim
        now = int(utcnow().timestamp())
        payload = {
            # Section 5.1: sub MUST equal the URI the token was fetched from; iat MUST; exp and ttl SHOULD.
            "sub": self.uri(list_id),
            "iss": self.issuer,
            "iat": now,
            "exp": now + self.settings.status_list_token_ttl,
            "ttl": self.settings.status_list_cache_ttl,
            # Section 4.2: "lst" is the base64url-encoded compressed byte array.
            "status_list": {"bits": bits, "lst": base64.urlsafe_b64encode(packed).rstrip(b"=").decode()},
        }
        key = self.platform.keys.signing_key("ES256")
        return jwt.encode({"alg": "ES256", "kid": key.kid, "typ": JWT_TYP}, payload, key)

    def token_cwt(self, s: Session, list_id: str) -> bytes | None:
        claim = self._list_claim(s, list_id)
        if claim is None:
            return None
        bits, packed = claim
        now = int(utcnow().timestamp())
        claims = {
            cose.CWT_SUB: self.uri(list_id),
            cose.CWT_ISS: self.issuer,
            cose.CWT_IAT: now,
            cose.CWT_EXP: now + self.settings.status_list_token_ttl,
            CWT_TTL: self.settings.status_list_cache_ttl,
            # Section 4.3: the CBOR Status List carries "lst" as a byte string, not base64.
            CWT_STATUS_LIST: {"bits": bits, "lst": packed},
        }
        key = self.platform.keys.signing_key("ES256")
        return cose.sign1(cbor2.dumps(claims), key.private_key, kid=key.kid, typ=CWT_TYP)  # type: ignore[arg-type]
