"""NIXA (with the broker) served by uvicorn on loopback, beside a real upstream OpenID Provider that knows
NIXA's address, for the tests that need the two to call each other (logout) and for Chromium."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx

from federation.upstream.catalogue import ProviderInfo
from idp.config import Settings
from idp.platform import Platform
from idp.provider import OpenIDProvider
from nixa.composition import build_idp_app
from tests.e2e.live_server import loopback_socket, require_e2e_tools, serve_asgi
from tests.federation.conftest import ACCOUNTS, add_oidc_provider, nixa_client
from tests.federation.node_op import NodeOP, run_node_op

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"\s*/?>')
FORM_ACTION = re.compile(r'<form[^>]*method="post"[^>]*action="([^"]+)"', re.IGNORECASE)


@dataclass
class LiveBroker:
    base_url: str
    platform: Platform
    provider: OpenIDProvider
    upstream: NodeOP
    bank: ProviderInfo


@contextlib.contextmanager
def serve_broker(tmp_path: Path, database_url: str) -> Iterator[LiveBroker]:
    require_e2e_tools()
    sock, base_url = loopback_socket()
    settings = Settings(
        issuer=base_url,
        data_dir=tmp_path / "data",
        database_url=database_url,
        argon2_memory_kib=1024,
        argon2_time_cost=1,
        rsa_key_bits=2048,
        backchannel_backoff_base=0.05,
    )
    platform = Platform(settings)
    try:
        with run_node_op(clients=[nixa_client(base_url, ("bank",))], accounts=ACCOUNTS) as upstream:
            bank = add_oidc_provider(platform, upstream)
            app = build_idp_app(platform)
            with serve_asgi(app, sock, base_url):
                yield LiveBroker(base_url, platform, app.state.provider, upstream, bank)
    finally:
        platform.close()


def walk(http: httpx.Client, url: str, stop: str) -> httpx.Response | str:
    """Follow redirects like a browser until one points at ``stop`` (returned as a URL) or a page answers."""
    resp = http.get(url)
    while resp.status_code in (302, 303):
        location = urljoin(str(resp.url), resp.headers["location"])
        if location.startswith(stop):
            return location
        resp = http.get(location)
    return resp


def submit(http: httpx.Client, page: httpx.Response, data: dict[str, str], stop: str) -> httpx.Response | str:
    """Post the page's first form (with its hidden fields: CSRF token, logout parameters), then follow
    redirects."""
    import html

    action = urljoin(str(page.url), html.unescape(FORM_ACTION.search(page.text).group(1)))  # type: ignore[union-attr]
    hidden = {name: html.unescape(value) for name, value in HIDDEN.findall(page.text)}
    resp = http.post(action, data={**hidden, **data})
    while resp.status_code in (302, 303):
        location = urljoin(str(resp.url), resp.headers["location"])
        if location.startswith(stop):
            return location
        resp = http.get(location)
    return resp
