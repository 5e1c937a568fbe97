"""Append-only, hash-chained audit trail.

Each record's hash covers its content and the previous record's hash, so changing or deleting any record
breaks the chain from that point; ``audit_head`` holds the newest hash so cutting off the tail is seen too.
Appends are serialised by updating the head row first (a row lock on PostgreSQL, the write lock on SQLite),
inside the caller's transaction: the record commits or rolls back with the change it describes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from idp.db import Database, utcnow
from idp.models import AuditHead, AuditRecord

GENESIS = "0" * 64


class AuditEvent(StrEnum):
    LOGIN_SUCCEEDED = "login:succeeded"
    LOGIN_FAILED = "login:failed"
    LOGIN_LOCKED = "login:locked_out"
    CONSENT_GIVEN = "consent:given"
    CONSENT_REVOKED = "consent:revoked"
    TOKEN_ISSUED = "token:issued"
    TOKEN_REVOKED = "token:revoked"
    CODE_REUSED = "token:code_reused"
    REFRESH_REUSED = "token:refresh_reused"
    LOGOUT = "session:logout"
    CLIENT_CREATED = "client:created"
    CLIENT_UPDATED = "client:updated"
    CLIENT_REMOVED = "client:removed"
    KEY_CREATED = "key:created"
    KEY_ROTATED = "key:rotated"
    IDENTITY_CREATED = "identity:created"
    REGISTRY_IMPORTED = "registry:imported"
    INITIAL_ACCESS_TOKEN_ISSUED = "registration:initial_access_token_issued"
    SIGNUP_COMPLETED = "signup:completed"
    SIGNUP_REFUSED = "signup:refused"
    EMAIL_CONFIRMED = "signup:email_confirmed"
    PHONE_CONFIRMED = "signup:phone_confirmed"
    PASSWORD_RESET_REQUESTED = "account:password_reset_requested"
    PASSWORD_RESET = "account:password_reset"
    PROOFING_SUBMITTED = "proofing:submitted"
    PROOFING_EVIDENCE_VIEWED = "proofing:evidence_viewed"
    PROOFING_APPROVAL_RECORDED = "proofing:approval_recorded"
    PROOFING_APPROVED = "proofing:approved"
    PROOFING_REJECTED = "proofing:rejected"
    SECOND_FACTOR_SUCCEEDED = "login:second_factor:succeeded"
    SECOND_FACTOR_FAILED = "login:second_factor:failed"
    FACTOR_ADDED = "account:factor:added"
    FACTOR_REMOVED = "account:factor:removed"
    PASSWORD_CHANGED = "account:password:changed"
    RECOVERY_CODES_GENERATED = "account:recovery_codes:generated"
    RECOVERY_CODE_USED = "account:recovery_codes:used"
    SESSION_ENDED = "account:session:ended"
    REAUTHENTICATED = "account:reauthenticated"
    # Operators (issue 4): every action in the console names the operator and the reason.
    KEY_RETIRED = "key:retired"
    CLIENT_SECRET_ROTATED = "client:secret_rotated"
    CLIENT_DISABLED = "client:disabled"
    CLIENT_ENABLED = "client:enabled"
    IDENTITY_LOCKED = "identity:locked"
    IDENTITY_UNLOCKED = "identity:unlocked"
    IDENTITY_SESSIONS_ENDED = "identity:sessions_ended"
    IDENTITY_FACTOR_RESET = "identity:factor_reset"
    OPERATOR_ROLE_GRANTED = "operator:role_granted"
    OPERATOR_ROLE_REVOKED = "operator:role_revoked"
    OPERATOR_SIGNED_IN = "operator:signed_in"
    OPERATOR_SIGN_IN_REFUSED = "operator:sign_in_refused"
    OPERATOR_SIGNED_OUT = "operator:signed_out"
    OPERATOR_ACCESS_DENIED = "operator:access_denied"
    AUDIT_CHAIN_VERIFIED = "audit:chain_verified"
    FEDERATION_ENTITY_CREATED = "federation:entity:created"
    FEDERATION_SUBORDINATE_ENROLLED = "federation:subordinate:enrolled"
    FEDERATION_SUBORDINATE_REMOVED = "federation:subordinate:removed"
    FEDERATION_TRUST_MARK_ISSUED = "federation:trust_mark:issued"
    FEDERATION_TRUST_MARK_REVOKED = "federation:trust_mark:revoked"
    FEDERATION_CLIENT_ADMITTED = "federation:client:admitted"
    UPSTREAM_PROVIDER_ADDED = "federation:provider:added"
    UPSTREAM_PROVIDER_UPDATED = "federation:provider:updated"
    UPSTREAM_PROVIDER_REMOVED = "federation:provider:removed"
    FEDERATED_LOGIN_SUCCEEDED = "federation:login:succeeded"
    FEDERATED_LOGIN_REFUSED = "federation:login:refused"
    FEDERATED_LINK_CREATED = "federation:link:created"
    FEDERATED_LINK_REMOVED = "federation:link:removed"
    FEDERATED_PROFILE_UPDATED = "federation:profile:updated"
    UPSTREAM_LOGOUT_RECEIVED = "federation:logout:received"
    UPSTREAM_LOGOUT_SENT = "federation:logout:sent"


def _digest(
    prev_hash: str,
    seq: int,
    at: datetime,
    event: str,
    actor: str | None,
    identity_id: str | None,
    client_id: str | None,
    ip: str | None,
    data: dict[str, Any],
) -> str:
    body = json.dumps(
        [seq, at.isoformat(timespec="microseconds"), event, actor, identity_id, client_id, ip, data],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


_HEAD = cast(Table, AuditHead.__table__)
_RECORDS = cast(Table, AuditRecord.__table__)
# One statement takes the head's lock, bumps the sequence and reads it back (RETURNING: SQLite 3.35+,
# PostgreSQL). Core statements on the session's connection: the append is on the path of every token, and
# the ORM's bulk-update and unit-of-work machinery cost more than the three statements themselves.
_BUMP_HEAD = (
    update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq + 1).returning(_HEAD.c.seq, _HEAD.c.hash)
)
# Parameters are named apart from the columns (``record_seq``...): an UPDATE executed with a parameter
# named like one of its table's columns (audit_head has seq and hash) would also SET that column, and
# on PostgreSQL the two statements below run as one UPDATE.
_SET_HEAD_HASH = (
    update(_HEAD).where(_HEAD.c.id == 1).values(hash=bindparam("record_hash", type_=_HEAD.c.hash.type))
)
_APPEND = insert(_RECORDS).values({c.key: bindparam(f"record_{c.key}", type_=c.type) for c in _RECORDS.c})
# PostgreSQL: the append and the head's new hash in one statement, the INSERT as a data-modifying WITH
# (PostgreSQL manual, section 7.8.4: it runs exactly once and to completion whether or not the UPDATE
# reads its output). Every value is a parameter computed from the bump's RETURNING, read under the head's
# row lock, so no snapshot question arises. SQLite has no data-modifying WITH: there it stays two
# statements, on a connection in the same process, where a statement costs far less than a round trip.
_APPEND_AND_SET_HEAD = _SET_HEAD_HASH.add_cte(_APPEND.cte("appended"))


def record(
    session: Session,
    event: AuditEvent | str,
    *,
    actor: str | None = None,
    identity_id: str | None = None,
    client_id: str | None = None,
    ip: str | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """Append one record in the caller's transaction and return its sequence number. ``data`` must hold
    no personal data in clear."""
    # Pending changes go first, so the record is written after (and commits with) what it describes.
    session.flush()
    conn = session.connection()
    head = conn.execute(_BUMP_HEAD).one_or_none()
    if head is None:
        raise RuntimeError("audit head row missing: run `nixa db upgrade`")
    at = utcnow()
    payload = dict(data or {})
    event = str(event)
    digest = _digest(head.hash, head.seq, at, event, actor, identity_id, client_id, ip, payload)
    row = {
        "record_seq": head.seq,
        "record_at": at,
        "record_event": event,
        "record_actor": actor,
        "record_identity_id": identity_id,
        "record_client_id": client_id,
        "record_ip": ip,
        "record_data": payload,
        "record_prev_hash": head.hash,
        "record_hash": digest,
    }
    if conn.dialect.name == "postgresql":
        conn.execute(_APPEND_AND_SET_HEAD, row)
    else:
        conn.execute(_APPEND, row)
        conn.execute(_SET_HEAD_HASH, row)
    return int(head.seq)


@dataclass
class ChainVerdict:
    ok: bool
    records: int
    problems: list[str]


def verify(db: Database, batch: int = 5000) -> ChainVerdict:
    """Walk the chain in order; report the first record whose hash, link or sequence is wrong."""
    problems: list[str] = []
    prev, expected_seq, count = GENESIS, 1, 0
    with db.session() as s:
        last_seq = 0
        while True:
            rows = s.scalars(
                select(AuditRecord).where(AuditRecord.seq > last_seq).order_by(AuditRecord.seq).limit(batch)
            ).all()
            if not rows:
                break
            for r in rows:
                count += 1
                if r.seq != expected_seq:
                    problems.append(f"records {expected_seq}..{r.seq - 1} are missing (deleted)")
                if r.prev_hash != prev:
                    problems.append(f"record {r.seq}: link to the previous record is broken")
                digest = _digest(
                    r.prev_hash, r.seq, r.at, r.event, r.actor, r.identity_id, r.client_id, r.ip, r.data
                )
                if digest != r.hash:
                    problems.append(f"record {r.seq}: content changed after it was written")
                prev, expected_seq, last_seq = r.hash, r.seq + 1, r.seq
            if problems:
                break
        head = s.get(AuditHead, 1)
        if not problems and head is not None and (head.seq != last_seq or head.hash != prev):
            problems.append(f"the newest records after {last_seq} are missing (the head names {head.seq})")
    return ChainVerdict(ok=not problems, records=count, problems=problems)
