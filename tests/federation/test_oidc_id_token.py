"""OIDC Core 3.1.3.7 checks of an upstream ID token, with tokens crafted and signed by test keys and the
provider's discovery document and JWKS served over loopback HTTP (so fetching and refreshing are real)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey

from federation.broker.errors import UpstreamLoginRefused, UpstreamUnavailable
from federation.broker.oidc_upstream import UpstreamDirectory, UpstreamMetadata, verify_id_token
from idp.crypto import sha256_hex

CLIENT = "nixa-broker"
NONCE = "nonce-sent-in-the-request"


class FakeUpstream:
    """Serves /.well-known/openid-configuration and /jwks; counts JWKS fetches."""

    def __init__(self) -> None:
        self.keys = [ECKey.generate_key("P-256", parameters={"kid": "k1"})]
        self.jwks_fetches = 0
        self.issuer_override: str | None = None
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/jwks":
                    upstream.jwks_fetches += 1
                    body: dict[str, Any] = {"keys": [k.as_dict(private=False) for k in upstream.keys]}
                else:
                    base = upstream.issuer
                    body = {
                        "issuer": upstream.issuer_override or base,
                        "authorization_endpoint": f"{base}/auth",
                        "token_endpoint": f"{base}/token",
                        "jwks_uri": f"{base}/jwks",
                    }
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def sign(self, key: Any = None, alg: str = "ES256", kid: str | None = "k1", **claims: Any) -> str:
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": CLIENT,
            "sub": "upstream-sub",
            "nonce": NONCE,
            "iat": now,
            "exp": now + 300,
        }
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        header = {"alg": alg, **({"kid": kid} if kid else {})}
        return jwt.encode(header, body, key or self.keys[0], algorithms=[alg])


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    fake = FakeUpstream()
    yield fake
    fake.server.shutdown()


@pytest.fixture
def meta(upstream: FakeUpstream) -> tuple[UpstreamDirectory, UpstreamMetadata]:
    directory = UpstreamDirectory(min_refresh=0)
    return directory, directory.metadata(f"{upstream.issuer}/.well-known/openid-configuration")


def check(meta: tuple[UpstreamDirectory, UpstreamMetadata], token: str) -> dict[str, Any]:
    directory, metadata = meta
    return verify_id_token(directory, metadata, token, client_id=CLIENT, nonce_hash=sha256_hex(NONCE))


def refused(meta: tuple[UpstreamDirectory, UpstreamMetadata], token: str, reason: str) -> None:
    with pytest.raises(UpstreamLoginRefused, match=reason):
        check(meta, token)


def test_a_valid_id_token_passes(upstream: FakeUpstream, meta: Any) -> None:
    assert check(meta, upstream.sign())["sub"] == "upstream-sub"


def test_oidc_core_3_1_3_7_step_11_wrong_nonce_is_refused(upstream: FakeUpstream, meta: Any) -> None:
    refused(meta, upstream.sign(nonce="another-nonce"), "nonce")
    refused(meta, upstream.sign(nonce=None), "nonce")


def test_oidc_core_3_1_3_7_step_3_wrong_audience_is_refused(upstream: FakeUpstream, meta: Any) -> None:
    refused(meta, upstream.sign(aud="another-client"), "aud")
    refused(meta, upstream.sign(aud=[CLIENT, "untrusted-client"]), "audiences")


def test_oidc_core_3_1_3_7_step_5_azp_of_another_client_is_refused(upstream: FakeUpstream, meta: Any) -> None:
    refused(meta, upstream.sign(azp="another-client"), "azp")


def test_oidc_core_3_1_3_7_step_2_wrong_issuer_is_refused(upstream: FakeUpstream, meta: Any) -> None:
    refused(meta, upstream.sign(iss="https://attacker.example"), "iss")


def test_oidc_core_3_1_3_7_step_9_expired_token_is_refused(upstream: FakeUpstream, meta: Any) -> None:
    now = int(time.time())
    refused(meta, upstream.sign(iat=now - 400, exp=now - 120), "expired")


def test_oidc_core_3_1_3_7_step_10_token_not_yet_valid_is_refused(upstream: FakeUpstream, meta: Any) -> None:
    now = int(time.time())
    refused(meta, upstream.sign(iat=now + 3600, exp=now + 7200), "iat")
    refused(meta, upstream.sign(nbf=now + 3600), "not yet valid")
    refused(meta, upstream.sign(iat=now - 3600, exp=now + 3600), "iat")  # stale, however long its exp


def test_oidc_core_3_1_3_7_step_6_signature_by_another_key_is_refused(
    upstream: FakeUpstream, meta: Any
) -> None:
    impostor = ECKey.generate_key("P-256", parameters={"kid": "k1"})
    refused(meta, upstream.sign(key=impostor), "signature")


def test_oidc_core_3_1_3_7_step_6_hmac_and_none_are_refused(upstream: FakeUpstream, meta: Any) -> None:
    secret = OctKey.import_key("a-shared-secret-that-is-long-enough-32b")
    refused(meta, upstream.sign(key=secret, alg="HS256", kid=None), "signature|format")


def test_unknown_kid_refreshes_the_jwks_once_then_verifies(upstream: FakeUpstream, meta: Any) -> None:
    check(meta, upstream.sign())
    assert upstream.jwks_fetches == 1
    rotated = ECKey.generate_key("P-256", parameters={"kid": "k2"})
    upstream.keys = [rotated]
    assert check(meta, upstream.sign(key=rotated, kid="k2"))["sub"] == "upstream-sub"
    assert upstream.jwks_fetches == 2, "one refresh on the unknown kid"
    check(meta, upstream.sign(key=rotated, kid="k2"))
    assert upstream.jwks_fetches == 2, "the refreshed set is cached"


def test_unknown_kid_after_the_refresh_is_refused(upstream: FakeUpstream, meta: Any) -> None:
    check(meta, upstream.sign())
    stranger = ECKey.generate_key("P-256", parameters={"kid": "k9"})
    refused(meta, upstream.sign(key=stranger, kid="k9"), "does not publish")
    assert upstream.jwks_fetches == 2, "exactly one refresh per token, not a fetch loop"


def test_forced_refreshes_are_rate_limited(upstream: FakeUpstream) -> None:
    directory = UpstreamDirectory(min_refresh=60)
    metadata = directory.metadata(f"{upstream.issuer}/.well-known/openid-configuration")
    stranger = ECKey.generate_key("P-256", parameters={"kid": "k9"})
    for _ in range(3):
        with pytest.raises(UpstreamLoginRefused):
            verify_id_token(
                directory, metadata, upstream.sign(key=stranger, kid="k9"), client_id=CLIENT, nonce_hash="x"
            )
    assert upstream.jwks_fetches == 1, "made-up kids do not make NIXA fetch the JWKS again and again"


def test_discovery_4_3_an_issuer_other_than_the_discovery_url_is_refused(upstream: FakeUpstream) -> None:
    upstream.issuer_override = "https://elsewhere.example"
    with pytest.raises(UpstreamUnavailable, match="another issuer"):
        UpstreamDirectory().metadata(f"{upstream.issuer}/.well-known/openid-configuration")
