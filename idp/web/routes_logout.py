"""The logout endpoint (RP-Initiated Logout 1.0), its pages, and the worker that delivers back-channel logout
tokens (started with the app through this router's lifespan).

GET or POST ``/logout`` with the RP's parameters shows a confirmation page; its form posts back to
``/logout`` with ``decision`` and a CSRF token, which is what ends the session. Nothing changes on a GET.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from idp.db import utcnow
from idp.errors import InvalidPageRequest
from idp.oauth.logout import DEFAULT_BACKOFF_BASE, LogoutRequest, LogoutResult, SingleLogout, deliver_due
from idp.platform import Platform
from idp.provider import OpenIDProvider
from idp.web.deps import PagesDep, Provider, client_ip, form_dict
from idp.web.pages import SESSION_COOKIE, Pages
from idp.web.routes_oidc import query_dict

log = logging.getLogger("nixa.logout")
CSRF_PURPOSE = "logout"
# How long the person's redirect may wait for the first back-channel attempt (RP-Initiated Logout 1.0
# Section 3: redirect after the RPs were notified), without a slow portal holding the page for long.
NOTIFY_WAIT = 2.0
REFRESH_SECONDS = 3  # time the front-channel iframes get before the page moves on by itself


class LogoutDeliveryWorker:
    """Runs ``deliver_due`` on a daemon thread: at once when woken, otherwise when the next retry is due.

    Started and stopped by the app's lifespan, counting users: several servers (or test clients) may share
    one app. ``max_sleep`` bounds each wait so deliveries queued by other processes are picked up too.
    """

    def __init__(
        self, platform: Platform, *, backoff_base: float = DEFAULT_BACKOFF_BASE, max_sleep: float = 30.0
    ) -> None:
        self.platform = platform
        self.backoff_base = backoff_base
        self.max_sleep = max_sleep
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._users = 0
        # Delivery passes begun and finished, so flush() can wait for one that began after it was called.
        self._passes = threading.Condition()
        self._begun = 0
        self._done = 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        with self._lock:
            self._users += 1
            if self._thread is None:
                # A fresh stop event per thread: a late stop() of an old thread cannot stop a new one.
                self._stop = threading.Event()
                self._thread = threading.Thread(
                    target=self._run, args=(self._stop,), name="nixa-logout-delivery", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        with self._lock:
            self._users = max(0, self._users - 1)
            if self._users or self._thread is None:
                return
            thread, stop, self._thread = self._thread, self._stop, None
        stop.set()
        self._wake.set()
        thread.join(timeout=self.platform.settings.backchannel_timeout + 5)

    def wake(self) -> None:
        self._wake.set()

    def flush(self, timeout: float) -> bool:
        """Wake the worker and wait, at most ``timeout`` seconds, for a pass that began after this call."""
        with self._passes:
            want = self._begun + 1
        self._wake.set()
        with self._passes:
            return self._passes.wait_for(lambda: self._done >= want, timeout)

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._wake.clear()  # before the pass counts as begun, so no wake-up between the two is lost
            with self._passes:
                self._begun += 1
            wait = self._pass()
            with self._passes:
                self._done += 1
                self._passes.notify_all()
            self._wake.wait(wait)

    def _pass(self) -> float:
        """One delivery pass; returns how long to sleep before the next."""
        try:
            next_due = deliver_due(self.platform, backoff_base=self.backoff_base)
        except Exception:
            log.exception("back-channel logout delivery failed")
            return self.max_sleep
        wait = self.max_sleep if next_due is None else (next_due - utcnow()).total_seconds()
        return min(self.max_sleep, max(0.01, wait))


def logout_worker(app: FastAPI) -> LogoutDeliveryWorker:
    """The app's delivery worker (one per app), created on first use."""
    worker: LogoutDeliveryWorker | None = getattr(app.state, "logout_worker", None)
    if worker is None:
        platform = app.state.platform
        worker = app.state.logout_worker = LogoutDeliveryWorker(
            platform, backoff_base=platform.settings.backchannel_backoff_base
        )
    return worker


@asynccontextmanager
async def delivery_lifespan(app: FastAPI) -> AsyncIterator[None]:
    worker = logout_worker(app)
    worker.start()
    try:
        yield
    finally:
        await anyio.to_thread.run_sync(worker.stop)


# FastAPI merges a router's lifespan into the app's when the router is included.
router = APIRouter(lifespan=delivery_lifespan)


def _single_logout(op: OpenIDProvider) -> SingleLogout:
    return op.single_logout


def _error(request: Request, pages: Pages, key: str) -> Response:
    return pages.render(request, "logout_error.html", status_code=400, error_key=key)


@router.get("/logout")
def logout_get(request: Request, op: Provider, pages: PagesDep) -> Response:
    return _confirmation(request, op, pages, query_dict(request))


@router.post("/logout")
async def logout_post(request: Request, op: Provider, pages: PagesDep) -> Response:
    # RP-Initiated Logout 1.0 Section 2: the OP SHOULD also accept the request as a form POST.
    form = await form_dict(request)
    if "decision" in form:
        return await _decide(request, op, pages, form)
    return await run_in_threadpool(_confirmation, request, op, pages, form)


def _confirmation(request: Request, op: OpenIDProvider, pages: Pages, params: dict[str, str]) -> Response:
    """RP-Initiated Logout 1.0 Section 2: the OP MUST ask the End-User without a matching id_token_hint;
    NIXA always asks, so no third-party page can log a person out unawares."""
    try:
        logout, has_session = _single_logout(op).check(params, request.cookies.get(SESSION_COOKIE))
    except InvalidPageRequest as exc:
        return _error(request, pages, exc.message_key)
    return pages.render(
        request,
        "logout.html",
        locale=pages.locale(request, logout.ui_locales),
        client_name=logout.client_name,
        has_session=has_session,
        params=logout.params,
        csrf_token=pages.csrf_token(request, CSRF_PURPOSE),
        # form-action also governs the redirect that answers the form.
        form_targets=[logout.redirect_to] if logout.redirect_to else [],
    )


async def _decide(request: Request, op: OpenIDProvider, pages: Pages, form: dict[str, str]) -> Response:
    if not pages.csrf_ok(request, CSRF_PURPOSE, form.get("csrf_token")):
        return pages.error(request, "error.csrf", status_code=403)
    cookie = request.cookies.get(SESSION_COOKIE)
    try:
        if form.get("decision") != "logout":
            checked = await run_in_threadpool(_single_logout(op).check, form, cookie)
            return _stayed(request, pages, checked[0])
        result = await run_in_threadpool(_single_logout(op).confirm, form, cookie, client_ip(request))
    except InvalidPageRequest as exc:
        return _error(request, pages, exc.message_key)
    response = await _logged_out(request, pages, result)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=pages.secure, httponly=True, samesite="lax")
    return response


def _stayed(request: Request, pages: Pages, logout: LogoutRequest) -> Response:
    """The person chose to stay: nothing ends; they may still go back to the portal that asked."""
    return pages.render(
        request,
        "logout_done.html",
        locale=pages.locale(request, logout.ui_locales),
        stayed=True,
        frontchannel_urls=[],
        continue_to=logout.redirect_to,
    )


async def _upstream_logout(request: Request, result: LogoutResult) -> str | None:
    """An extension (an upstream provider the person logged in with) may have to end its session too: the
    browser goes there first and comes back to ``redirect_to``."""
    for hook in request.app.state.session_end_hooks if result.sid else []:
        url: str | None = await run_in_threadpool(hook, result.sid, result.request.redirect_to)
        if url:
            return url
    return None


async def _logged_out(request: Request, pages: Pages, result: LogoutResult) -> Response:
    upstream = await _upstream_logout(request, result)
    target = upstream or result.request.redirect_to
    # A redirect answering the form must match form-action: the upstream's origin is not named there, so its
    # logout is reached from the logged-out page (Refresh header and link) instead.
    redirect_now = target is not None and not result.frontchannel_urls and upstream is None
    background = await _notify_backchannel(request, result, wait=redirect_now)
    if redirect_now:
        assert target is not None
        response: Response = pages.finish(request, RedirectResponse(target, status_code=303))
    else:
        # Front-Channel Logout 1.0 Section 2: the OP renders an iframe per portal; CSP frame-src names
        # exactly their origins. The Refresh header moves on without JavaScript once they had time to load.
        response = pages.render(
            request,
            "logout_done.html",
            locale=pages.locale(request, result.request.ui_locales),
            stayed=False,
            frontchannel_urls=result.frontchannel_urls,
            continue_to=target,
            frame_targets=result.frontchannel_urls,
        )
        if target:
            response.headers["Refresh"] = f"{REFRESH_SECONDS}; url={target}"
    response.background = background
    return response


async def _notify_backchannel(request: Request, result: LogoutResult, *, wait: bool) -> BackgroundTask | None:
    """Start delivering the queued logout tokens now, off the person's request."""
    if not result.deliveries:
        return None
    worker = logout_worker(request.app)
    if not worker.running:
        # Without the app's lifespan there is no worker: one attempt after the response; retries wait for
        # the next pass of deliver_due.
        return BackgroundTask(deliver_due, worker.platform, backoff_base=worker.backoff_base)
    if wait:
        await anyio.to_thread.run_sync(worker.flush, NOTIFY_WAIT)
    else:
        worker.wake()
    return None
