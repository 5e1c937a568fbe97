"""Self-registration (/signup) and confirmation of the email address (link) and phone (code)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Request, Response
from jinja2 import Environment, Template
from starlette.concurrency import run_in_threadpool

from idp.signup.form import KEPT_FIELDS, parse_signup
from idp.signup.ratelimit import Decision
from idp.signup.registration import SignupOutcome, SignupStatus
from idp.signup.services import SignupServices
from idp.web.deps import PagesDep, client_ip, form_dict
from idp.web.pages import Pages

router = APIRouter()
_STATUS = {SignupStatus.DUPLICATE: 409, SignupStatus.DECEASED: 422}


async def signup_services(request: Request) -> SignupServices:
    """Built on first use, so a registry set on app.state (tests, other deployments) is picked up."""
    services: SignupServices | None = getattr(request.app.state, "signup", None)
    if services is None:
        registry = getattr(request.app.state, "population_registry", None)
        services = SignupServices(request.app.state.provider, registry)
        request.app.state.signup = services
    return services


Services = Annotated[SignupServices, Depends(signup_services)]


def _form_page(
    request: Request, pages: Pages, *, values: dict[str, str], errors: dict[str, str], **extra: Any
) -> Response:
    return pages.render(
        request,
        "signup.html",
        values={k: values.get(k, "") for k in KEPT_FIELDS},
        errors=errors,
        csrf_token=pages.csrf_token(request, "signup"),
        page_path="/signup",
        **extra,
    )


@router.get("/signup")
def signup_form(request: Request, pages: PagesDep) -> Response:
    return _form_page(request, pages, values={}, errors={})


@router.post("/signup")
async def signup(request: Request, pages: PagesDep, services: Services) -> Response:
    fields = await form_dict(request)
    if not pages.csrf_ok(request, "signup", fields.get("csrf_token")):
        return pages.error(request, "error.csrf", status_code=403)
    form, errors = parse_signup(fields)
    if form is None:
        return _form_page(request, pages, values=fields, errors=errors, status_code=400)
    # Threadpool: argon2, the registry and SMTP must not stall the event loop.
    outcome = await run_in_threadpool(services.registration.register, form, client_ip(request))
    if outcome.status is SignupStatus.LIMITED and outcome.retry_at is not None:
        # Everything typed is kept except the passwords (KEPT_FIELDS), so the person only waits and resends.
        values = {k: fields.get(k, "") for k in KEPT_FIELDS}
        return limited_page(
            request,
            pages,
            "signup.html",
            "signup.rate_limited",
            outcome.retry_at,
            values=values,
            errors={},
            csrf_token=pages.csrf_token(request, "signup"),
            page_path="/signup",
        )
    if outcome.status is not SignupStatus.CREATED:
        return _form_page(
            request,
            pages,
            values=fields,
            errors={},
            refused=outcome.status.value,
            status_code=_STATUS[outcome.status],
        )
    return _done_page(request, pages, outcome)


# The page of the form, with the reason and the time to come back above it: the form stays as it was.
_LIMITED = """{% extends base_template %}{% block main %}
<div class="error" role="alert" id="rate-limited" data-error="{{ limit_key }}">{{
t(limit_key, time=retry_time, minutes=retry_minutes) }}</div>
{{ super() }}{% endblock %}"""


@lru_cache(maxsize=4)
def _limited_template(env: Environment) -> Template:
    return env.from_string(_LIMITED)


def limited_page(
    request: Request, pages: Pages, base_template: str, key: str, retry_at: datetime, **context: Any
) -> Response:
    """429 with Retry-After (RFC 6585 Section 4) and the page saying when, in the person's language."""
    seconds = Decision(False, retry_at).retry_after()
    shown = (retry_at + timedelta(seconds=59)).replace(second=0, microsecond=0)  # never earlier than due
    page = pages.render(
        request,
        # Environment.get_template returns a Template object unchanged (Jinja API).
        cast(str, _limited_template(pages.env)),
        status_code=429,
        base_template=base_template,
        limit_key=key,
        retry_time=shown.strftime("%H:%M"),
        retry_minutes=max(1, (seconds + 59) // 60),
        **context,
    )
    page.headers["Retry-After"] = str(seconds)
    return page


def _done_page(request: Request, pages: Pages, outcome: SignupOutcome) -> Response:
    return pages.render(
        request,
        "signup_done.html",
        status_code=201,
        loa=outcome.loa,
        email_sent=outcome.email_sent,
        phone_ref=outcome.phone_ref,
        csrf_token=pages.csrf_token(request, "signup:phone"),
        page_path="/signup",
    )


@router.get("/signup/email")
async def email_link(request: Request, pages: PagesDep, services: Services, token: str = "") -> Response:
    # The link only opens a form: mail scanners that fetch links must not use up the single-use token.
    open_ = bool(token) and await run_in_threadpool(services.verification.link_is_open, token)
    return pages.render(
        request,
        "signup_email.html",
        status_code=200 if open_ else 410,
        state="open" if open_ else "invalid",
        token=token,
        csrf_token=pages.csrf_token(request, "signup:email"),
        page_path="/signup/email",
    )


@router.post("/signup/email")
async def confirm_email(request: Request, pages: PagesDep, services: Services) -> Response:
    fields = await form_dict(request)
    if not pages.csrf_ok(request, "signup:email", fields.get("csrf_token")):
        return pages.error(request, "error.csrf", status_code=403)
    ok = await run_in_threadpool(
        services.verification.confirm_email, fields.get("token", ""), client_ip(request)
    )
    return pages.render(
        request,
        "signup_email.html",
        status_code=200 if ok else 410,
        state="confirmed" if ok else "invalid",
        page_path="/signup/email",
    )


@router.get("/signup/phone")
def phone_form(request: Request, pages: PagesDep, ref: str = "") -> Response:
    return _phone_page(request, pages, ref=ref)


def _phone_page(
    request: Request, pages: Pages, *, ref: str, state: str = "open", status_code: int = 200
) -> Response:
    return pages.render(
        request,
        "signup_phone.html",
        status_code=status_code,
        state=state,
        ref=ref,
        csrf_token=pages.csrf_token(request, "signup:phone"),
        page_path="/signup/phone",
    )


@router.post("/signup/phone")
async def confirm_phone(request: Request, pages: PagesDep, services: Services) -> Response:
    fields = await form_dict(request)
    if not pages.csrf_ok(request, "signup:phone", fields.get("csrf_token")):
        return pages.error(request, "error.csrf", status_code=403)
    ref, code = fields.get("ref", ""), fields.get("code", "")
    ok = await run_in_threadpool(services.verification.confirm_phone, ref, code, client_ip(request))
    if ok:
        return _phone_page(request, pages, ref="", state="confirmed")
    return _phone_page(request, pages, ref=ref, state="wrong", status_code=400)
