"""The local registry decrypts only the row of the personal ID number asked about."""

from __future__ import annotations

import pytest

from idp.crypto import Sealer
from idp.population.interface import MatchStatus
from idp.population.local import LocalRegistry
from tests.population.conftest import Rows, declared


def count_opens(monkeypatch: pytest.MonkeyPatch, sealer: Sealer) -> list[bytes]:
    opened: list[bytes] = []
    original = sealer.open

    def spy(blob: bytes, context: bytes = b"") -> bytes:
        opened.append(context)
        return original(blob, context)

    monkeypatch.setattr(sealer, "open", spy)
    return opened


def test_only_the_matched_row_is_decrypted(
    local_registry: LocalRegistry, rows: Rows, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = count_opens(monkeypatch, local_registry.sealer)
    assert local_registry.match(declared(rows.active)).matched
    key = local_registry.index("personal_id", rows.active["personal_id"])
    assert opened == [f"registry:{key}:full_name".encode(), f"registry:{key}:birth_date".encode()]


def test_unknown_id_decrypts_nothing(
    local_registry: LocalRegistry, rows: Rows, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = count_opens(monkeypatch, local_registry.sealer)
    result = local_registry.match(declared(rows.active, personal_id="001099999999"))
    assert result.status is MatchStatus.NO_RECORD and opened == []
