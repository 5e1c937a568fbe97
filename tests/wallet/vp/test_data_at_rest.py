"""DESIGN.md data rules for the credential tables: no personal data or issued secret in clear in a dump, and
every issuance, revocation and verdict is in the hash-chained audit trail."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from idp import audit
from idp.models import AuditRecord
from tests.support.db import dump_text
from tests.support.factories import Citizen, PortalInfo
from tests.wallet.credentials import ask, make_offer, result
from wallet.credential_extension import CredentialServices
from wallet.holder.issuance import CredentialReceiver
from wallet.holder.presentation import Presenter
from wallet.vci.events import CredentialAuditEvent


def test_a_dump_shows_no_personal_data_nor_issued_secrets(
    api: TestClient,
    portal: PortalInfo,
    services: CredentialServices,
    phone: CredentialReceiver,
    verified: Citizen,
) -> None:
    offer = make_offer(services, verified.id)
    phone.accept_offer(offer.uri, offer.tx_code)
    asked = ask(api, portal, ["personal_id", "name"])
    holder = Presenter(phone.store, phone.http)
    assert holder.respond(holder.fetch(asked["wallet_uri"])).status_code == 200
    assert result(api, asked)["claims"]["identity"]["personal_id"] == verified.personal_id
    dump = dump_text(services.platform.db)
    code = offer.offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"][
        "pre-authorized_code"
    ]
    for secret in (
        verified.personal_id,
        "Nguyễn Văn An",
        code,
        asked["result_token"],
        asked["request_uri"].rsplit("/", 1)[1],
    ):
        assert secret not in dump
    verdict = audit.verify(services.platform.db)
    assert verdict.ok
    with services.platform.db.read_session() as s:
        events = set(s.scalars(select(AuditRecord.event)))
    assert {
        CredentialAuditEvent.OFFER_CREATED,
        CredentialAuditEvent.OFFER_REDEEMED,
        CredentialAuditEvent.CREDENTIAL_ISSUED,
        CredentialAuditEvent.PRESENTATION_REQUESTED,
        CredentialAuditEvent.PRESENTATION_VERIFIED,
    } <= events
