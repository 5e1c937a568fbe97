"""Fixtures of the factors tests: a level-3 citizen, a second browser and a TOTP clock under test control."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from idp.factors import totp
from idp.provider import OpenIDProvider
from tests.conftest import ISSUER
from tests.support.factories import Citizen, make_citizen


@pytest.fixture
def loa3_citizen(op: OpenIDProvider) -> Citizen:
    return make_citizen(op, email="binh.tran@example.vn", full_name="Trần Thị Bình", sex="F", loa=3)


@pytest.fixture
def other_browser(app: FastAPI) -> Iterator[TestClient]:
    """The same person's second browser (another device)."""
    with TestClient(app, base_url=ISSUER) as c:
        yield c


class Clock:
    def __init__(self) -> None:
        # The middle of a time step, so that "one step later" is never ambiguous.
        self.now = (int(time.time()) // 30) * 30 + 15.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(totp, "time", SimpleNamespace(time=c.time))
    return c
