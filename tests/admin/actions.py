"""Posting the console's forms the way an operator's browser does: the session's CSRF token and a reason."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(browser: TestClient, page: str = "/") -> str:
    match = CSRF.search(browser.get(page).text)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def post(
    browser: TestClient, path: str, reason: str | None = "checked with the citizen", **fields: Any
) -> Any:
    data: dict[str, Any] = {"csrf_token": csrf(browser), **fields}
    if reason is not None:
        data["reason"] = reason
    return browser.post(path, data=data, follow_redirects=False)
