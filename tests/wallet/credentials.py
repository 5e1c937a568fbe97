"""Helpers shared by the credential tests: the app with both wallet extensions, offers, a holder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.support.factories import PortalInfo
from wallet.credential_extension import CredentialServices
from wallet.holder.issuance import CredentialReceiver
from wallet.holder.store import StoredCredential, WalletStore
from wallet.vci.metadata import IDENTITY_VCT
from wallet.vci.offers import NewOffer
from wallet.vp.dcql import identity_query


def make_offer(services: CredentialServices, identity_id: str) -> NewOffer:
    with services.platform.db.session() as s:
        return services.offers.create(s, identity_id, actor="test")


def holder_wallet(tmp_path: Path, http: TestClient, name: str = "phone") -> CredentialReceiver:
    return CredentialReceiver(WalletStore(tmp_path / name), http)


def receive(services: CredentialServices, receiver: CredentialReceiver, identity_id: str) -> StoredCredential:
    offer = make_offer(services, identity_id)
    return receiver.accept_offer(offer.uri, offer.tx_code)


def ask(api: TestClient, portal: PortalInfo, claims: list[str]) -> dict[str, Any]:
    resp = api.post(
        "/vp/presentations",
        data={"dcql_query": json.dumps(identity_query(IDENTITY_VCT, claims))},
        auth=(portal.client_id, portal.client_secret or ""),
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def result(api: TestClient, asked: dict[str, Any]) -> dict[str, Any]:
    resp = api.get(
        f"/vp/presentations/{asked['id']}", headers={"Authorization": f"Bearer {asked['result_token']}"}
    )
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body
