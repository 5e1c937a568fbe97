"""Headless Chromium (Debian's, driven by Python Playwright) for end-to-end tests.

Usage::

    from tests.e2e.browser import chromium_available, chromium_page

    pytestmark = pytest.mark.skipif(not chromium_available(), reason="chromium/playwright not available")

    def test_login(request: pytest.FixtureRequest) -> None:
        with chromium_page(request.node.name) as page:
            page.goto(...)

If the ``with`` body raises, a screenshot and the page HTML are written to
``<repo>/test-artifacts/<artifact_name>.png`` and ``.html`` before the exception propagates.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACT_DIR = REPO_ROOT / "test-artifacts"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 15_000


def chromium_executable() -> str:
    """Path of the Chromium binary: ``$NIXA_CHROMIUM`` or Debian's ``/usr/bin/chromium``."""
    return os.environ.get("NIXA_CHROMIUM") or DEFAULT_CHROMIUM


def chromium_available() -> bool:
    """True if Python Playwright is importable and the Chromium executable exists (cheap, no launch)."""
    exe = chromium_executable()
    return (
        importlib.util.find_spec("playwright") is not None and os.path.isfile(exe) and os.access(exe, os.X_OK)
    )


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return cleaned[:150] or "artifact"


def _save_artifacts(page: Page, artifact_name: str) -> None:
    ARTIFACT_DIR.mkdir(parents=True, exist_ok=True)
    base = ARTIFACT_DIR / _safe_name(artifact_name)
    # Best effort: never let artifact capture mask the real failure.
    with contextlib.suppress(Exception):
        page.screenshot(path=str(base.with_suffix(".png")), full_page=True, timeout=5_000)
    with contextlib.suppress(Exception):
        html = page.content()
        base.with_suffix(".html").write_text(f"<!-- url: {page.url} -->\n{html}", encoding="utf-8")


@contextlib.contextmanager
def chromium_page(artifact_name: str, *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Iterator[Page]:
    """Yield a Playwright sync ``Page`` in a fresh context of a headless Chromium.

    On an exception from the body, saves ``test-artifacts/<artifact_name>.png`` and ``.html``
    (relative to the repository root) and re-raises.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_executable(),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            context = browser.new_context()
            context.set_default_timeout(timeout_ms)
            context.set_default_navigation_timeout(timeout_ms)
            page = context.new_page()
            try:
                yield page
            except BaseException as exc:
                # BaseException so pytest.fail()/timeouts are covered; not for generator close or skips.
                if isinstance(exc, GeneratorExit) or type(exc).__name__ == "Skipped":
                    raise
                _save_artifacts(page, artifact_name)
                exc.add_note(f"browser artifacts: {ARTIFACT_DIR / _safe_name(artifact_name)}.png/.html")
                raise
            finally:
                with contextlib.suppress(Exception):
                    context.close()
        finally:
            browser.close()
