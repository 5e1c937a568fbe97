"""Helpers shared by the credential tests: the app with both wallet extensions, offers, a holder."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from wallet.credential_extension import CredentialServices
from wallet.holder.issuance import CredentialReceiver
from wallet.holder.store import StoredCredential, WalletStore
from wallet.vci.offers import NewOffer


def make_offer(services: CredentialServices, identity_id: str) -> NewOffer:
    with services.platform.db.session() as s:
        return services.offers.create(s, identity_id, actor="test")


def holder_wallet(tmp_path: Path, http: TestClient, name: str = "phone") -> CredentialReceiver:
    return CredentialReceiver(WalletStore(tmp_path / name), http)


def receive(services: CredentialServices, receiver: CredentialReceiver, identity_id: str) -> StoredCredential:
    offer = make_offer(services, identity_id)
    return receiver.accept_offer(offer.uri, offer.tx_code)
