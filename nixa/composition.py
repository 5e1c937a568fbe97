"""The composition root: which extensions the IdP app runs with (``nixa serve``, the demo, the tests).

``idp`` imports none of the other packages (DESIGN.md); they plug in here as ``Extension``s. Each package
that adds routes or login methods to the IdP contributes one factory to ``EXTENSION_FACTORIES``.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from federation.broker.extension import federation_extension as broker_extension
from federation.openid_federation.extension import federation_extension as openid_federation_extension
from idp.platform import Platform
from idp.web.app import create_app
from idp.web.extensions import Extension
from wallet.credential_extension import credential_extension
from wallet.extension import wallet_extension

ExtensionFactory = Callable[[Platform], Extension]

# Packages add their factory here, in the order their login choices should appear.
EXTENSION_FACTORIES: list[ExtensionFactory] = [
    broker_extension,
    openid_federation_extension,
    wallet_extension,
    credential_extension,
]


def idp_extensions(platform: Platform) -> list[Extension]:
    return [factory(platform) for factory in EXTENSION_FACTORIES]


def build_idp_app(platform: Platform) -> FastAPI:
    """The IdP with every extension of this build."""
    return create_app(platform=platform, extensions=idp_extensions(platform))
