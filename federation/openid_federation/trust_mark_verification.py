"""Trust marks checked for a resolved chain (OpenID Federation 1.0 Section 7.3 and 8.4): the issuer's
keys come from the trust anchor's configuration, from NIXA's own entities, or from the issuer's own
chain to the same anchor; revocation is asked of the issuer's trust mark status endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from federation.openid_federation import trust_marks
from federation.openid_federation.entities import LocalEntities
from federation.openid_federation.errors import FederationError, InvalidTrustChain
from federation.openid_federation.resolver import TrustChainResolver, check_entity_id
from federation.openid_federation.statements import parse, self_signed, verify
from federation.openid_federation.trust_chain import TrustChain
from federation.openid_federation.trust_marks import VerifiedTrustMark


class TrustMarkVerifier:
    def __init__(
        self,
        resolver: TrustChainResolver,
        entities: LocalEntities,
        local_status: Callable[[str], str],
        *,
        timeout: float = 5.0,
        allow_loopback: bool = True,
        allow_private: bool = True,
    ) -> None:
        self.resolver = resolver
        self.entities = entities
        self.local_status = local_status
        self.timeout = timeout
        self.allow_loopback = allow_loopback
        self.allow_private = allow_private

    def _issuer_jwks(self, issuer: str, anchor: str) -> dict[str, Any]:
        anchors = self.resolver.anchors()
        if issuer == anchor and anchor in anchors:
            return anchors[anchor]
        # An issuer other than the anchor is trusted only as far as its own chain to that anchor goes.
        return self.resolver.resolve(issuer, anchor).statements[0].jwks

    def _status(self, issuer: str, token: str, jwks: dict[str, Any], now: int) -> str:
        if self.entities.is_local(issuer):
            return self.local_status(token)
        configuration = self_signed(self.resolver.source.entity_configuration(issuer), now=now)
        endpoint = configuration.federation_endpoint("federation_trust_mark_status_endpoint")
        if not endpoint:
            return "active"  # Section 8.4 is optional: signature and lifetime are then all there is
        try:
            resp = httpx.post(
                check_entity_id(
                    endpoint, allow_loopback=self.allow_loopback, allow_private=self.allow_private
                ),
                data={"trust_mark": token},
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise InvalidTrustChain(
                "a trust mark issuer could not be asked for the status", detail=str(exc)
            ) from exc
        if resp.status_code != 200:
            return "invalid"
        answer = parse(resp.text, typ=trust_marks.STATUS_TYP, require_exp=False, require_sub=False)
        verify(answer, jwks, now=now)
        if answer.claims.get("trust_mark") != token or answer.iss != issuer:
            raise InvalidTrustChain("a trust mark status response is about another trust mark")
        status = answer.claims.get("status")
        return status if status in trust_marks.STATUSES else "invalid"

    def check(self, chain: TrustChain, token: str, now: int) -> VerifiedTrustMark:
        anchor = chain.statements[-1]
        keys: dict[str, dict[str, Any]] = {}

        def issuer_jwks(issuer: str) -> dict[str, Any]:
            keys[issuer] = self._issuer_jwks(issuer, anchor.iss)
            return keys[issuer]

        return trust_marks.verify_trust_mark(
            token,
            subject=chain.subject,
            anchor=anchor,
            issuer_jwks=issuer_jwks,
            status=lambda issuer, mark: self._status(issuer, mark, keys[issuer], now),
            now=now,
        )

    def verified(self, chain: TrustChain, now: int) -> list[VerifiedTrustMark]:
        """The subject's trust marks that hold; the others are left out (Section 8.3.2)."""
        out: list[VerifiedTrustMark] = []
        for entry in chain.trust_marks:
            token = entry.get("trust_mark")
            if not isinstance(token, str) or entry.get("trust_mark_type") is None:
                continue
            try:
                mark = self.check(chain, token, now)
            except FederationError:
                continue
            if mark.trust_mark_type == entry.get("trust_mark_type"):
                out.append(mark)
        return out

    def require(self, chain: TrustChain, types: list[str], now: int) -> list[VerifiedTrustMark]:
        """Each of ``types`` must be held by a valid, unrevoked trust mark; the first failure says why."""
        held: list[VerifiedTrustMark] = []
        for mark_type in types:
            entries = [e for e in chain.trust_marks if e.get("trust_mark_type") == mark_type]
            if not entries:
                raise InvalidTrustChain(
                    "the entity lacks a trust mark this provider requires", detail=mark_type
                )
            error: FederationError | None = None
            for entry in entries:
                try:
                    mark = self.check(chain, str(entry.get("trust_mark", "")), now)
                except FederationError as exc:
                    error = exc
                    continue
                if mark.trust_mark_type == mark_type:
                    held.append(mark)
                    break
            else:
                raise error or InvalidTrustChain("a required trust mark does not hold", detail=mark_type)
        return held
