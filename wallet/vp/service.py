"""Presentation requests of NIXA's verifier, from creation to verdict (OpenID4VP 1.0, direct_post).

The request handle in the request_uri and the secret that lets the asker read the result are random and
stored only as hashes; the response is accepted once (conditional UPDATE); the verified claims are
sealed at rest and every verdict goes to the audit trail.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from joserfc.jwk import ECKey, RSAKey
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from idp import audit
from idp.crypto import constant_time_equal, new_token, sha256_hex
from idp.db import utcnow
from idp.errors import InvalidRequest
from idp.platform import Platform
from wallet.models import PresentationRequest
from wallet.sd_jwt.errors import SdJwtError
from wallet.sd_jwt.verification import PublicKey
from wallet.status_list.service import StatusListService, StatusReference
from wallet.vci.events import CredentialAuditEvent
from wallet.vci.settings import CredentialSettings
from wallet.vp.dcql import parse_query
from wallet.vp.request_objects import request_object, wallet_uri
from wallet.vp.verification import Verdict, verify_vp_token
from wallet.vp.verifier_key import VerifierKeys

REQUEST_PATH = "/vp/request"
RESPONSE_PATH = "/vp/response"


@dataclass(frozen=True)
class NewPresentationRequest:
    id: str
    request_uri: str
    wallet_uri: str
    result_secret: str
    expires_in: int


@dataclass(frozen=True)
class PresentationResult:
    state: str  # pending | expired | a verdict
    claims: dict[str, Any] | None = None


class Presentations:
    def __init__(
        self, platform: Platform, settings: CredentialSettings, status_lists: StatusListService
    ) -> None:
        self.platform = platform
        self.issuer = platform.issuer
        self.settings = settings
        self.status_lists = status_lists
        self.keys = VerifierKeys(platform.issuer, platform.sealer)

    def create(
        self, s: Session, dcql_query: dict[str, Any], *, requested_by: str | None, actor: str
    ) -> NewPresentationRequest:
        parse_query(dcql_query)  # refuses what we could not verify, before anyone scans
        # Answered or abandoned requests are of no use a day later; their sealed results go with them.
        s.execute(
            delete(PresentationRequest).where(PresentationRequest.expires_at < utcnow() - timedelta(days=1))
        )
        request_id, secret = str(uuid.uuid4()), new_token(24)
        handle = self._handle(request_id)
        row = PresentationRequest(
            id=request_id,
            request_handle_hash=sha256_hex(handle),
            result_secret_hash=sha256_hex(secret),
            requested_by=requested_by,
            nonce=new_token(24),
            state=new_token(24),
            dcql_query=dcql_query,
            expires_at=utcnow() + timedelta(seconds=self.settings.presentation_ttl),
        )
        s.add(row)
        audit.record(
            s,
            CredentialAuditEvent.PRESENTATION_REQUESTED,
            actor=actor,
            client_id=requested_by,
            data={"request_id": row.id, "claims": _claim_names(dcql_query)},
        )
        return NewPresentationRequest(
            row.id,
            self._request_uri(row.id),
            self.wallet_uri(s, row.id),
            secret,
            self.settings.presentation_ttl,
        )

    def _handle(self, request_id: str) -> str:
        # A keyed hash of the id: unguessable, yet the verifier page can show the QR again on each refresh.
        return self.platform.blind_index("vp-request-handle", request_id)

    def _request_uri(self, request_id: str) -> str:
        return f"{self.issuer}{REQUEST_PATH}/{self._handle(request_id)}"

    def wallet_uri(self, s: Session, request_id: str) -> str:
        return wallet_uri(self.keys.current(s).client_id, self._request_uri(request_id))

    def request_object(self, s: Session, handle: str) -> str | None:
        row = s.scalar(
            select(PresentationRequest).where(PresentationRequest.request_handle_hash == sha256_hex(handle))
        )
        if row is None or row.expires_at <= utcnow() or row.responded_at is not None:
            return None
        row.fetched_at = row.fetched_at or utcnow()
        now = int(utcnow().timestamp())
        return request_object(
            self.keys.current(s),
            response_uri=f"{self.issuer}{RESPONSE_PATH}",
            nonce=row.nonce,
            state=row.state,
            dcql_query=row.dcql_query,
            iat=now,
            exp=int(row.expires_at.timestamp()),
            requested_by=row.requested_by,
        )

    def respond(self, s: Session, form: dict[str, str], ip: str | None) -> Verdict:
        state = form.get("state")
        row = (
            s.scalar(select(PresentationRequest).where(PresentationRequest.state == state)) if state else None
        )
        if row is None or row.expires_at <= utcnow():
            raise InvalidRequest("unknown or expired presentation request")
        # One response per request: a replayed or second response is refused by the database.
        taken = s.execute(
            update(PresentationRequest)
            .where(PresentationRequest.id == row.id, PresentationRequest.responded_at.is_(None))
            .values(responded_at=utcnow())
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidRequest("this presentation request was already answered")
        verdict = self._verify(s, row, form)
        row.verdict = verdict.verdict
        if verdict.valid:
            row.result_enc = self.platform.sealer.seal(json.dumps(verdict.claims).encode(), row.id.encode())
        event = (
            CredentialAuditEvent.PRESENTATION_VERIFIED
            if verdict.valid
            else CredentialAuditEvent.PRESENTATION_REFUSED
        )
        audit.record(
            s,
            event,
            client_id=row.requested_by,
            ip=ip,
            data={"request_id": row.id, "verdict": verdict.verdict},
        )
        return verdict

    def _verify(self, s: Session, row: PresentationRequest, form: dict[str, str]) -> Verdict:
        if "error" in form:  # Section 8.5: the wallet declined or failed
            return Verdict("declined")
        return verify_vp_token(
            form.get("vp_token"),
            parse_query(row.dcql_query),
            keys=self.trusted_issuer_key,
            client_id=self.keys.current(s).client_id,
            nonce=row.nonce,
            now=int(utcnow().timestamp()),
            max_age=self.settings.proof_max_age,
            status_of=lambda uri, idx: self.status_lists.status_of(s, StatusReference(uri, idx)),
        )

    def trusted_issuer_key(self, header: dict[str, Any], payload: dict[str, Any]) -> PublicKey:
        """NIXA trusts the credentials it issued itself; the key is one of its published signing keys."""
        if payload.get("iss") != self.issuer:
            raise SdJwtError("unknown_issuer", "the credential's issuer is not trusted")
        for key in self.platform.keys.verification_keys().keys:
            if key.kid == header.get("kid") and isinstance(key, ECKey | RSAKey):
                return key
        raise SdJwtError("unknown_issuer", "no published key matches the credential's kid")

    def result(self, s: Session, request_id: str, secret: str | None) -> PresentationResult | None:
        row = s.get(PresentationRequest, request_id)
        if row is None or not secret or not constant_time_equal(sha256_hex(secret), row.result_secret_hash):
            return None
        if row.verdict is None:
            return PresentationResult("expired" if row.expires_at <= utcnow() else "pending")
        claims = (
            json.loads(self.platform.sealer.open(row.result_enc, row.id.encode())) if row.result_enc else None
        )
        return PresentationResult(row.verdict, claims)


def _claim_names(dcql_query: dict[str, Any]) -> list[str]:
    return [c["path"][0] for q in dcql_query.get("credentials", []) for c in q.get("claims", [])]
