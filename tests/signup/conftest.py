"""Signup fixtures: a real SMTP server in this process, a small imported registry, form helpers."""

from __future__ import annotations

import csv
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from idp.config import Settings
from idp.platform import Platform
from idp.registry import import_csv
from tests.support.flows import csrf_of

REGISTRY_CSV = Path("/work/shared/data/population_registry.csv")
PASSWORD = "Mật-khẩu-mới-đủ-dài-2025"


@dataclass(frozen=True)
class RegistryPerson:
    personal_id: str
    full_name: str
    birth_date: str
    sex: str


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def link(self, path: str) -> str:
        """The token of the newest link to ``path`` in the newest message."""
        assert self.messages, "no email was sent"
        body = self.messages[-1].get_payload(decode=True)
        assert isinstance(body, bytes)
        match = re.search(rf"{re.escape(path)}\?token=([\w\-]+)", body.decode())
        assert match, "no link in the email"
        return match.group(1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox(_free_port())
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def settings(settings: Settings, inbox: Inbox) -> Settings:
    settings.smtp_port = inbox.port
    return settings


@pytest.fixture(scope="session")
def registry_people() -> dict[str, RegistryPerson]:
    """One active and one deceased citizen from the shared synthetic registry."""
    if not REGISTRY_CSV.exists():
        pytest.skip(f"{REGISTRY_CSV} is missing")
    found: dict[str, RegistryPerson] = {}
    with REGISTRY_CSV.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["status"] not in found:
                found[row["status"]] = RegistryPerson(
                    row["personal_id"], row["full_name"], row["date_of_birth"], row["sex"]
                )
            if len(found) == 2:
                break
    return found


@pytest.fixture
def imported(platform: Platform, registry_people: dict[str, RegistryPerson], tmp_path: Path) -> None:
    """Only the chosen rows are imported: the whole file would cost seconds per test."""
    path = tmp_path / "registry.csv"
    with REGISTRY_CSV.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as dst:
        lines = src.read().splitlines()
        wanted = {p.personal_id for p in registry_people.values()}
        dst.write("\n".join([lines[0], *(x for x in lines[1:] if x.split(",", 1)[0] in wanted)]) + "\n")
    with platform.db.session() as s:
        import_csv(s, path, sealer=platform.sealer, index=platform.blind_index, actor="test")


def signup_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "personal_id": "001090123456",
        "full_name": "Trần Thị Bình",
        "birth_date": "1990-03-04",
        "sex": "M",
        "email": "binh.tran@example.vn",
        "phone": "",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    fields.update(overrides)
    return fields


def post_form(browser: TestClient, page: str, action: str, fields: dict[str, str]) -> Any:
    """GET the page for its CSRF token, then POST the form as a browser would."""
    token = csrf_of(browser.get(page).text)
    return browser.post(action, data={**fields, "csrf_token": token})


def sign_up(browser: TestClient, **overrides: str) -> Any:
    return post_form(browser, "/signup", "/signup", signup_fields(**overrides))
