"""Extension points through which the other packages (federation, wallet, admin) add to the IdP app.

DESIGN.md: ``idp`` imports none of the other packages; they plug in here. The composition root (``nixa``)
builds the extensions and passes them to ``create_app(..., extensions=[...])``.

- ``routers``: extra routes on the IdP's own origin (upstream callbacks, credential endpoints, ...).
- ``login_methods``: other ways to log in, offered on the login page beside the password form; each one
  links to a page of its own that, once the person is authenticated, calls
  ``OpenIDProvider.complete_external_login`` and answers with ``routes_interaction.finish_login``.
- ``messages``: translations (the same shape as ``idp.web.i18n.MESSAGES``) for the extension's pages.
- ``template_dirs``: folders searched after the IdP's own templates, so extension pages can extend
  ``base.html``.
- ``discovery``: extra members for ``/.well-known/openid-configuration``.
- ``on_session_ended``: called when a person ends a NIXA session at the logout page, with the session's
  ``sid`` and where the browser goes afterwards; may return a URL to send the browser to first (e.g. the
  upstream provider's logout, which comes back to that address).
- ``account_links``: links to the extension's self-service pages, listed on the account page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from fastapi import APIRouter

from idp.provider import InteractionView


@dataclass(frozen=True)
class LoginChoice:
    """One button on the login page: "Đăng nhập bằng ..." with where it goes (a GET link)."""

    key: str
    label: str
    href: str
    description: str = ""
    # The portal named this way to log in (e.g. ``idp_hint``): the login page goes straight there.
    preselected: bool = False


class LoginMethod(Protocol):
    def login_choices(self, view: InteractionView, locale: str) -> list[LoginChoice]:
        """The choices to offer for this interaction (none when the method cannot serve it, e.g. a level
        the portal asks for that it cannot reach)."""
        ...


@dataclass(frozen=True)
class AccountLink:
    """A link on the citizen's account page to a self-service page of an extension."""

    label_key: str
    href: str


@dataclass
class Extension:
    name: str
    routers: Sequence[APIRouter] = ()
    login_methods: Sequence[LoginMethod] = ()
    messages: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    template_dirs: Sequence[Path] = ()
    discovery: Callable[[], Mapping[str, Any]] | None = None
    on_session_ended: Callable[[str, str | None], str | None] | None = None
    account_links: Sequence[AccountLink] = ()
