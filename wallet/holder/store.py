"""The wallet's local storage: one holder key and the credentials received, in a private folder.

The reference wallet stands in for the phone app; it keeps its key in a file readable by its owner only
(a phone keeps it in its secure element).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey

KEY_FILE = "holder-key.jwk"
CREDENTIALS_FILE = "credentials.json"


@dataclass
class StoredCredential:
    id: str
    issuer: str
    vct: str
    format: str
    credential: str
    received_at: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class WalletStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _write_private(self, path: Path, text: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)

    def holder_key(self) -> ECKey:
        """The device's P-256 key, created on first use."""
        path = self.folder / KEY_FILE
        if path.exists():
            return ECKey.import_key(json.loads(path.read_text(encoding="utf-8")))
        key = ECKey.generate_key("P-256", private=True)
        self._write_private(path, json.dumps(key.as_dict(private=True)))
        return key

    def credentials(self) -> list[StoredCredential]:
        path = self.folder / CREDENTIALS_FILE
        if not path.exists():
            return []
        return [StoredCredential(**c) for c in json.loads(path.read_text(encoding="utf-8"))]

    def add(self, *, issuer: str, vct: str, fmt: str, credential: str) -> StoredCredential:
        items = self.credentials()
        stored = StoredCredential(
            id=f"cred-{len(items) + 1}-{int(time.time())}",
            issuer=issuer,
            vct=vct,
            format=fmt,
            credential=credential,
            received_at=int(time.time()),
        )
        self._write_private(
            self.folder / CREDENTIALS_FILE, json.dumps([*(c.as_dict() for c in items), stored.as_dict()])
        )
        return stored
