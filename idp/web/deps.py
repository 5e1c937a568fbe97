"""Shared request helpers for routes."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import Depends, Request

from idp.params import mark_repeats
from idp.provider import OpenIDProvider
from idp.web.pages import Pages

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


async def provider(request: Request) -> OpenIDProvider:
    op: OpenIDProvider = request.app.state.provider
    return op


async def pages(request: Request) -> Pages:
    p: Pages = request.app.state.pages
    return p


def client_ip(request: Request) -> str | None:
    """The citizen's address, for throttling and the audit trail (see ``resolve_client_ip``)."""
    peer = request.client.host if request.client else None
    trusted: list[IPNetwork] = request.app.state.trusted_proxies
    return resolve_client_ip(peer, request.headers.get("x-forwarded-for"), trusted)


def parse_networks(values: list[str]) -> list[IPNetwork]:
    return [ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip()]


def resolve_client_ip(peer: str | None, forwarded_for: str | None, trusted: list[IPNetwork]) -> str | None:
    """Behind reverse proxies every request comes from a proxy; X-Forwarded-For is believed only when the
    peer is a configured proxy, and read from the right, skipping our own proxies, because anything to the
    left of the first untrusted hop was written by the client and can be forged."""
    if peer is None or not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        if not _is_trusted(hop, trusted):
            return hop if _valid_ip(hop) else peer
    return peer


def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_trusted(address: str, trusted: list[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


async def form_dict(request: Request) -> dict[str, str]:
    """Form fields as single strings; a repeated parameter is refused by the caller (RFC 6749 Section 3.1)."""
    return mark_repeats((await request.form()).multi_items())


Provider = Annotated[OpenIDProvider, Depends(provider)]
PagesDep = Annotated[Pages, Depends(pages)]
