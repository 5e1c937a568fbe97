"""RFC 6749 Section 4.5 extension grants: an extension adds a grant type to the token endpoint."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from idp.errors import InvalidGrant
from idp.platform import Platform
from idp.web.app import create_app
from idp.web.extensions import Extension
from tests.conftest import ISSUER
from tests.support.factories import PortalInfo

GRANT = "urn:example:params:oauth:grant-type:test"


class EchoGrant:
    def __init__(self) -> None:
        self.seen: list[tuple[str | None, dict[str, str]]] = []

    def __call__(
        self, s: Session, authorization: str | None, form: Mapping[str, str], ip: str | None
    ) -> dict[str, Any]:
        self.seen.append((authorization, dict(form)))
        if form.get("secret") != "open-sesame":
            raise InvalidGrant("wrong secret")
        return {"access_token": "issued-by-extension", "token_type": "Bearer", "expires_in": 60}


@pytest.fixture
def grant() -> EchoGrant:
    return EchoGrant()


@pytest.fixture
def grant_api(platform: Platform, grant: EchoGrant) -> Iterator[TestClient]:
    app: FastAPI = create_app(
        platform=platform, extensions=[Extension(name="t", token_grants={GRANT: grant})]
    )
    with TestClient(app, base_url=ISSUER) as c:
        yield c


def test_rfc6749_4_5_extension_grant_answers_its_grant_type(grant_api: TestClient, grant: EchoGrant) -> None:
    resp = grant_api.post("/token", data={"grant_type": GRANT, "secret": "open-sesame"})
    assert resp.status_code == 200 and resp.json()["access_token"] == "issued-by-extension"
    assert resp.headers["cache-control"] == "no-store"
    assert grant.seen == [(None, {"grant_type": GRANT, "secret": "open-sesame"})]


def test_rfc6749_5_2_extension_grant_errors_are_oauth_errors(grant_api: TestClient) -> None:
    resp = grant_api.post("/token", data={"grant_type": GRANT, "secret": "wrong"})
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_grant"


def test_other_grant_types_still_need_client_authentication(
    grant_api: TestClient, grant: EchoGrant, portal: PortalInfo
) -> None:
    resp = grant_api.post("/token", data={"grant_type": "client_credentials"})
    assert resp.status_code == 401 and resp.json()["error"] == "invalid_client"
    assert grant.seen == []
