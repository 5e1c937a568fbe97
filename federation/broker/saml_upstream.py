"""NIXA as a SAML 2.0 service provider of an upstream identity provider (Web Browser SSO and Single Logout).

pysaml2 (with xmlsec1) builds and verifies the messages. On top of its checks this module requires what the
SAML profiles make a MUST for the Web Browser SSO profile and what pysaml2 leaves optional: a signed
assertion, an AudienceRestriction naming us, a Destination equal to our ACS, InResponseTo equal to the
request we sent, and single use of every assertion ID (a replay cache in the database).
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.response import AuthnResponse
from saml2.saml import AuthnContextClassRef, NameID, name_id_from_string
from saml2.samlp import RequestedAuthnContext
from saml2.sigver import get_xmlsec_binary
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from federation.broker.errors import UpstreamLoginRefused
from federation.broker.linking import UpstreamAnswer, map_attributes
from federation.broker.logout import LogoutState
from federation.broker.service import Broker, BrokeredLogin
from federation.broker.sp_keys import ServiceProviderKeys
from federation.upstream.catalogue import ProviderInfo, callback_url
from federation.upstream.models import BrokerLogin, ReplayGuard, UpstreamSession
from idp.crypto import sha256_hex
from idp.db import utcnow

CLOCK_SKEW = 60
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
# SHA-1 signatures are forgeable in practice (SHAttered); an assertion signed with them is refused.
WEAK_ALGORITHMS = {"http://www.w3.org/2000/09/xmldsig#rsa-sha1", "http://www.w3.org/2000/09/xmldsig#sha1"}
_STASH = b"federation:saml-response"


class SamlBroker:
    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self.keys = ServiceProviderKeys(broker.platform)
        self.state = LogoutState(broker.platform.settings.secrets.csrf)
        self._lock = threading.Lock()
        self._clients: dict[str, tuple[Any, Saml2Client]] = {}

    # -- configuration --------------------------------------------------------------------------------
    def entity_id(self, provider: ProviderInfo) -> str:
        return f"{self.broker.issuer}/federation/saml/{provider.name}/metadata"

    def slo_url(self, provider: ProviderInfo) -> str:
        return f"{self.broker.issuer}/federation/saml/{provider.name}/slo"

    def _config(self, provider: ProviderInfo) -> SPConfig:
        key_file, cert_file = self.keys.files()
        cfg = SPConfig()
        cfg.load(
            {
                "entityid": self.entity_id(provider),
                "service": {
                    "sp": {
                        "endpoints": {
                            "assertion_consumer_service": [
                                (callback_url(self.broker.issuer, provider), BINDING_HTTP_POST)
                            ],
                            "single_logout_service": [(self.slo_url(provider), BINDING_HTTP_REDIRECT)],
                        },
                        "allow_unsolicited": False,
                        "authn_requests_signed": True,
                        "logout_requests_signed": True,
                        "want_assertions_signed": True,
                        "want_response_signed": False,
                        "want_assertions_or_response_signed": True,
                    }
                },
                "metadata": {"inline": [provider.config.metadata_xml]},
                "key_file": str(key_file),
                "cert_file": str(cert_file),
                "encryption_keypairs": [{"key_file": str(key_file), "cert_file": str(cert_file)}],
                "xmlsec_binary": get_xmlsec_binary(["/usr/bin", "/usr/local/bin"]),
                "accepted_time_diff": CLOCK_SKEW,
                "signing_algorithm": RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "allow_unknown_attributes": True,
            }
        )
        return cfg

    def client(self, provider: ProviderInfo) -> Saml2Client:
        version = (provider.config.metadata_xml, self.broker.issuer)
        with self._lock:
            hit = self._clients.get(provider.id)
            if hit is not None and hit[0] == version:
                return hit[1]
        client = Saml2Client(config=self._config(provider))
        with self._lock:
            self._clients[provider.id] = (version, client)
        return client

    def metadata_xml(self, name: str) -> str:
        with self.broker.db.session() as s:
            provider = self.broker.provider(s, name, "saml")
        return str(entity_descriptor(self.client(provider).config))

    # -- Web Browser SSO ------------------------------------------------------------------------------
    def start(self, name: str, interaction_id: str, browser_id: str, min_level: int) -> str:
        """An AuthnRequest (HTTP-Redirect binding, signed); RelayState is the trip's state."""
        from idp.crypto import new_token

        with self.broker.db.session() as s:
            provider = self.broker.provider(s, name, "saml")
            client = self.client(provider)
            cfg = provider.config
            extra: dict[str, Any] = {}
            wanted = [ref for ref, level in cfg.acr_map.items() if level >= min_level]
            if min_level and wanted:
                # SAML Core 3.3.2.2.1: ask for the contexts that reach the level, "minimum" comparison.
                extra["requested_authn_context"] = RequestedAuthnContext(
                    authn_context_class_ref=[AuthnContextClassRef(text=ref) for ref in wanted],
                    comparison="exact",
                )
            state = new_token(32)
            request_id, info = client.prepare_for_authenticate(
                entityid=cfg.entity_id, relay_state=state, binding=BINDING_HTTP_REDIRECT, sign=True, **extra
            )
            self.broker._new_trip(
                s,
                provider,
                state,
                interaction_id,
                browser_id,
                min_level=min_level,
                saml_request_id=request_id,
            )
        return str(dict(info["headers"])["Location"])

    def stash(self, name: str, relay_state: str | None, saml_response: str | None) -> bool:
        """The HTTP-POST binding arrives cross-site, without our SameSite cookies: keep the response (sealed)
        with its trip, so the browser-bound checks run on the same-site GET that follows."""
        if not relay_state or not saml_response or len(saml_response) > 200_000:
            return False
        with self.broker.db.session() as s:
            done = s.execute(
                update(BrokerLogin)
                .where(
                    BrokerLogin.state_hash == sha256_hex(relay_state),
                    BrokerLogin.used_at.is_(None),
                    BrokerLogin.answer_enc.is_(None),
                    BrokerLogin.expires_at > utcnow(),
                )
                .values(answer_enc=self.broker.sealer.seal(saml_response.encode(), _STASH))
            )
            return bool(done.rowcount == 1)  # type: ignore[attr-defined]

    def finish(
        self, name: str, relay_state: str | None, browser_id: str | None, ip: str | None
    ) -> BrokeredLogin:
        with self.broker.db.session() as s:
            provider = self.broker.provider(s, name, "saml")
            try:
                trip = self.broker._take_trip(s, relay_state, browser_id, provider)
            except UpstreamLoginRefused as exc:
                self.broker._refused(s, provider, exc, ip)
                raise
            stashed = trip.answer_enc
            trip.answer_enc = None
        try:
            if stashed is None:
                raise UpstreamLoginRefused("no SAMLResponse")
            saml_response = self.broker.sealer.open(stashed, _STASH).decode()
            answer = self._answer(provider, trip.saml_request_id or "", saml_response)
            with self.broker.db.session() as s:
                self._not_replayed(
                    s, provider, answer.logout_data["assertion_id"], answer.logout_data["expires"]
                )
                return self.broker._resolve(s, provider, trip, answer, ip)
        except UpstreamLoginRefused as exc:
            with self.broker.db.session() as s:
                self.broker._refused(s, provider, exc, ip)
            raise

    def _parse(self, provider: ProviderInfo, request_id: str, saml_response: str) -> AuthnResponse:
        client = self.client(provider)
        try:
            resp = client.parse_authn_request_response(
                saml_response, BINDING_HTTP_POST, outstanding={request_id: "nixa"}
            )
        except Exception as exc:  # pysaml2 raises many types; every one means "refuse"
            raise UpstreamLoginRefused(f"SAML response rejected: {type(exc).__name__}") from None
        if resp is None or resp.assertion is None:
            raise UpstreamLoginRefused("SAML response rejected: no valid response or assertion")
        return resp

    def _answer(self, provider: ProviderInfo, request_id: str, saml_response: str) -> UpstreamAnswer:
        resp = self._parse(provider, request_id, saml_response)
        acs = callback_url(self.broker.issuer, provider)
        # SAML Bindings 3.5.5.2: a signed message MUST carry Destination, equal to where it arrived.
        if resp.response.destination != acs:
            raise UpstreamLoginRefused("SAML response Destination is not our ACS")
        # SAML Profiles 4.1.4.3: InResponseTo MUST equal the ID of the request we sent.
        if resp.in_response_to != request_id:
            raise UpstreamLoginRefused("SAML response InResponseTo does not match the request")
        assertion = resp.assertion
        self._strong_signature(assertion)
        if resp.response.issuer is not None and resp.response.issuer.text != provider.config.entity_id:
            raise UpstreamLoginRefused("SAML response Issuer is not the provider")
        if assertion.issuer is None or assertion.issuer.text != provider.config.entity_id:
            raise UpstreamLoginRefused("SAML assertion Issuer is not the provider")
        # SAML Profiles 4.1.4.2: the assertion MUST contain an AudienceRestriction including our entity ID.
        conditions = assertion.conditions
        audiences = [
            a.text.strip()
            for r in (conditions.audience_restriction if conditions else [])
            for a in r.audience
            if a.text
        ]
        if self.entity_id(provider) not in audiences:
            raise UpstreamLoginRefused("SAML assertion AudienceRestriction does not name NIXA")
        self._bearer_recipient(assertion, acs)
        name_id: NameID | None = resp.name_id
        if name_id is None or not name_id.text:
            raise UpstreamLoginRefused("SAML assertion without a NameID")
        class_refs = [info[0] for info in resp.authn_info() if info and info[0]]
        class_ref = class_refs[0] if class_refs else None
        attributes, ignored = map_attributes(provider, dict(resp.ava or {}))
        statement = assertion.authn_statement[0] if assertion.authn_statement else None
        expires = resp.not_on_or_after or int(utcnow().timestamp()) + 3600
        return UpstreamAnswer(
            provider_id=provider.id,
            subject=name_id.text.strip(),
            level=provider.config.level_for(class_ref),
            upstream_acr=class_ref,
            attributes=attributes,
            ignored_claims=ignored,
            upstream_sid=statement.session_index if statement is not None else None,
            logout_data={
                "name_id": str(name_id),
                "session_index": statement.session_index if statement is not None else None,
                "assertion_id": assertion.id,
                "expires": int(expires),
            },
        )

    @staticmethod
    def _bearer_recipient(assertion: Any, acs: str) -> None:
        """SAML Profiles 4.1.4.2: a bearer SubjectConfirmation's Recipient MUST be the ACS it arrived at
        (pysaml2 checks it only when given conversation info, so it is checked here)."""
        confirmations = assertion.subject.subject_confirmation if assertion.subject is not None else []
        bearer = [c for c in confirmations if c.method == "urn:oasis:names:tc:SAML:2.0:cm:bearer"]
        if not bearer or any(
            c.subject_confirmation_data is None or c.subject_confirmation_data.recipient != acs
            for c in bearer
        ):
            raise UpstreamLoginRefused("SAML bearer confirmation Recipient is not our ACS")

    @staticmethod
    def _strong_signature(assertion: Any) -> None:
        signature = assertion.signature
        if signature is None:
            raise UpstreamLoginRefused("SAML assertion is not signed")
        used = {signature.signed_info.signature_method.algorithm}
        used |= {ref.digest_method.algorithm for ref in signature.signed_info.reference}
        if used & WEAK_ALGORITHMS:
            raise UpstreamLoginRefused("SAML assertion signed with SHA-1")

    def _not_replayed(self, s: Session, provider: ProviderInfo, assertion_id: str, expires: int) -> None:
        """SAML Profiles 4.1.4.5: the SP MUST ensure bearer assertions are not replayed, keeping each ID at
        least until its NotOnOrAfter; the primary key makes the second use fail in the database."""
        from datetime import UTC, datetime

        until = max(datetime.fromtimestamp(expires, UTC), utcnow()) + timedelta(seconds=CLOCK_SKEW)
        s.add(ReplayGuard(key=f"saml:{sha256_hex(provider.id + ':' + assertion_id)}"[:80], expires_at=until))
        try:
            s.flush()
        except IntegrityError:
            raise UpstreamLoginRefused("SAML assertion replayed") from None

    # -- Single Logout --------------------------------------------------------------------------------
    def logout_url(
        self, s: Session, row: UpstreamSession, provider: ProviderInfo, next_url: str | None
    ) -> str | None:
        """SAML Profiles 4.4: a signed LogoutRequest to the IdP's SLO endpoint (HTTP-Redirect), if any."""
        client = self.client(provider)
        try:
            destinations = client.metadata.single_logout_service(
                provider.config.entity_id, BINDING_HTTP_REDIRECT, "idpsso"
            )
        except Exception:
            return None
        if not destinations:
            return None
        destination = destinations[0]["location"]
        data = json.loads(
            self.broker.sealer.open(row.logout_data_enc or b"", f"federation:logout:{row.sid}".encode())
        )
        name_id = name_id_from_string(data["name_id"])
        session_indexes = [data["session_index"]] if data.get("session_index") else None
        _req_id, request = client.create_logout_request(
            destination,
            provider.config.entity_id,
            name_id=name_id,
            session_indexes=session_indexes,
            sign=False,
        )
        info = client.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(request),
            destination,
            relay_state=self.state.encode(next_url),
            sign=True,
        )
        return str(dict(info["headers"])["Location"])

    def logout_response(self, name: str, saml_response: str, relay_state: str | None) -> str | None:
        """The IdP's LogoutResponse to our request: verified, then on to where NIXA's logout was going."""
        with self.broker.db.session() as s:
            provider = self.broker.provider(s, name, "saml")
        try:
            client = self.client(provider)
            client.parse_logout_request_response(saml_response, BINDING_HTTP_REDIRECT)
        except Exception:
            raise UpstreamLoginRefused("SAML LogoutResponse rejected") from None
        return self.state.decode(relay_state)

    def logout_request(self, name: str, query: dict[str, str]) -> tuple[str, list[str]]:
        """An IdP-initiated LogoutRequest (HTTP-Redirect, signature required): the NIXA sessions it names.
        Returns the LogoutResponse URL and the NIXA sids to end."""
        with self.broker.db.session() as s:
            provider = self.broker.provider(s, name, "saml")
        client = self.client(provider)
        try:
            request = client.parse_logout_request(
                query["SAMLRequest"],
                BINDING_HTTP_REDIRECT,
                relay_state=query.get("RelayState"),
                sigalg=query.get("SigAlg"),
                signature=query.get("Signature"),
            )
        except Exception:
            raise UpstreamLoginRefused("SAML LogoutRequest rejected") from None
        if request is None or not query.get("Signature"):
            raise UpstreamLoginRefused("unsigned SAML LogoutRequest")
        message = request.message
        if message.issuer is None or message.issuer.text != provider.config.entity_id:
            raise UpstreamLoginRefused("SAML LogoutRequest from another issuer")
        subject = message.name_id.text.strip() if message.name_id is not None and message.name_id.text else ""
        sids = self._sessions_for(provider, subject, [i.text for i in message.session_index or [] if i.text])
        response = client.create_logout_response(message, [BINDING_HTTP_REDIRECT], sign=False)
        destination = client.metadata.single_logout_service(
            provider.config.entity_id, BINDING_HTTP_REDIRECT, "idpsso"
        )
        location = destinations_location(destination)
        info = client.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            location,
            relay_state=query.get("RelayState", ""),
            response=True,
            sign=True,
        )
        return str(dict(info["headers"])["Location"]), sids

    def _sessions_for(self, provider: ProviderInfo, subject: str, session_indexes: list[str]) -> list[str]:
        with self.broker.db.session() as s:
            query = select(UpstreamSession).where(
                UpstreamSession.provider_id == provider.id,
                UpstreamSession.subject_index == self.broker.linker.subject_index(provider.id, subject),
                UpstreamSession.ended_at.is_(None),
            )
            if session_indexes:
                # SAML Core 3.7.3.2: with SessionIndex, only the sessions it names end.
                wanted = [self.broker.upstream_sid_index(provider.id, i) for i in session_indexes]
                query = query.where(UpstreamSession.upstream_sid_index.in_(wanted))
            rows = list(s.scalars(query))
            for row in rows:
                row.ended_at = utcnow()
            return [row.sid for row in rows]


def destinations_location(destinations: list[dict[str, str]]) -> str:
    if not destinations:
        raise UpstreamLoginRefused("the provider has no SLO endpoint for HTTP-Redirect")
    return destinations[0]["location"]
