"""The demo's credential lines: a working offer for the reference wallet."""

from __future__ import annotations

import shlex
from datetime import date

from idp.platform import Platform
from idp.provider import OpenIDProvider
from tests.support.factories import make_citizen
from wallet.credential_demo import DEMO_HOLDER, credential_demo_lines
from wallet.holder.issuance import CredentialReceiver


def test_demo_prints_an_offer_the_wallet_accepts(
    platform: Platform, op: OpenIDProvider, phone: CredentialReceiver
) -> None:
    make_citizen(op, personal_id=DEMO_HOLDER, birth_date=date(1995, 8, 2), sex="F", loa=3)
    lines = credential_demo_lines(platform)
    command = next(line for line in lines if "nixa-wallet receive" in line)
    args = shlex.split(command)
    stored = phone.accept_offer(args[2], args[4])
    assert stored.vct == "urn:nixa:vct:identity"
