"""What ``nixa demo`` shows of credentials: the pages, and a ready offer for the reference wallet."""

from __future__ import annotations

import shlex

from idp.identities import IdentityStore
from idp.platform import Platform
from wallet.credential_extension import CredentialServices
from wallet.vci.offers import NotEligible

DEMO_HOLDER = "079195000002"  # Trần Thị Bình, a level 3 identity among the demo citizens


def credential_demo_lines(platform: Platform) -> list[str]:
    issuer = platform.issuer
    services = CredentialServices(platform)
    store = IdentityStore(platform.sealer, platform.blind_index, platform.passwords)
    lines = [
        f"Wallet credentials:     {issuer}/account/credentials  (offer QR, revoke)",
        f"Verifier page:          {issuer}/presentations/verify  (ask for claims, scan with the wallet)",
        f"Credential issuer:      {issuer}/.well-known/openid-credential-issuer",
    ]
    with platform.db.session() as s:
        identity = store.find_by_username(s, DEMO_HOLDER)
        if identity is None:
            return lines
        try:
            offer = services.offers.create(s, identity.id, actor="demo")
        except NotEligible:
            return lines
    lines.append(f"Reference wallet (offer for {DEMO_HOLDER}, valid {offer.expires_in // 60} min):")
    lines.append(f"  .venv/bin/nixa-wallet receive {shlex.quote(offer.uri)} --tx-code {offer.tx_code}")
    lines.append("  then: .venv/bin/nixa-wallet present '<openid4vp:// link from the verifier page>'")
    return lines
