"""OWASP ASVS 4 V11.1.4: the anonymous nonce endpoint and the verifier page limit each address."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from idp.platform import Platform
from idp.web.app import create_app
from tests.conftest import ISSUER
from tests.support.flows import csrf_of
from wallet import credential_extension as extension
from wallet.vci import limits
from wallet.vp.routes import PAGE


@pytest.fixture
def tight(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setattr(limits, "NONCES_PER_IP", (2, 600))
    monkeypatch.setattr(limits, "PRESENTATIONS_PER_IP", (1, 3600))
    return TestClient(
        create_app(platform=platform, extensions=[extension.credential_extension(platform)]), base_url=ISSUER
    )


def test_rfc6585_4_nonce_endpoint_answers_429_past_the_limit(tight: TestClient) -> None:
    assert [tight.post("/nonce").status_code for _ in range(2)] == [200, 200]
    refused = tight.post("/nonce")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert refused.json() == {"error": "temporarily_unavailable"}


def test_verifier_page_limits_new_requests_per_address(tight: TestClient) -> None:
    token = csrf_of(tight.get(PAGE).text)
    assert (
        tight.post(PAGE, data={"csrf_token": token, "claim": "name"}, follow_redirects=False).status_code
        == 303
    )
    again = tight.post(PAGE, data={"csrf_token": token, "claim": "name"}, follow_redirects=False)
    assert again.status_code == 429
