"""Shared request helpers for routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from idp.provider import OpenIDProvider
from idp.web.pages import Pages


def provider(request: Request) -> OpenIDProvider:
    op: OpenIDProvider = request.app.state.provider
    return op


def pages(request: Request) -> Pages:
    p: Pages = request.app.state.pages
    return p


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def form_dict(request: Request) -> dict[str, str]:
    """Form fields as single strings; a repeated parameter is refused by the caller (RFC 6749 Section 3.1)."""
    form = await request.form()
    out: dict[str, str] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            out[key] = "\x00dup" if key in out else value
    return out


Provider = Annotated[OpenIDProvider, Depends(provider)]
PagesDep = Annotated[Pages, Depends(pages)]
