"""idp.shared_state against a real redis-server: answers when up, "don't know" (None) when not."""

from __future__ import annotations

from pathlib import Path

from idp.shared_state import SharedState
from tests.serving.cluster import RedisServer, free_port


def test_claim_once_is_true_once_then_false(tmp_path: Path) -> None:
    server = RedisServer(free_port(), tmp_path)
    server.start()
    try:
        shared = SharedState(server.url)
        assert shared.available
        assert shared.claim_once("jti:abc", 30) is True
        assert shared.claim_once("jti:abc", 30) is False
        assert shared.claim_once("jti:other", 30) is True
        shared.close()
    finally:
        server.stop()


def test_without_redis_every_answer_is_unknown(tmp_path: Path) -> None:
    assert SharedState(None).claim_once("jti:abc", 30) is None
    # Configured but nothing listening: unknown, and Redis is left alone until retry_after has passed.
    down = SharedState(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2, retry_after=60)
    assert down.claim_once("jti:abc", 30) is None
    server = RedisServer(int(down.url.rsplit(":", 1)[1].split("/")[0]), tmp_path)  # type: ignore[union-attr]
    server.start()
    try:
        assert down.claim_once("jti:abc", 30) is None  # still within retry_after: not asked
        assert SharedState(server.url).claim_once("jti:abc", 30) is True  # it was never claimed
    finally:
        server.stop()
