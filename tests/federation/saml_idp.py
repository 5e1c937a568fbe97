"""An upstream SAML 2.0 identity provider built with pysaml2 (xmlsec1), independent of NIXA's SP code.

It parses NIXA's AuthnRequests and LogoutRequests and answers with assertions that tests may alter on the
way (``mutate``: change the XML, then the assertion is signed again, so only the change is wrong) or sign
with another key (``signer``), or not sign at all. ``app()`` serves it over HTTP for the browser test.
"""

from __future__ import annotations

import base64
import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.sigver import get_xmlsec_binary

from federation.broker.sp_keys import new_key_pair

ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"
CLASS_HIGH = "urn:upstream:saml:loa:high"
CLASS_LOW = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


@functools.cache
def _key_pair(name: str) -> tuple[str, bytes]:
    # One key pair per name and process: generating RSA keys is slow, and "impostor" must differ from "idp".
    # The key is generated here, not by sp_keys.generate_rsa_key: the tests replace that one with a single
    # pooled key, which would give "idp" and "impostor" the same key whenever both were made under it.
    return new_key_pair(name, 2048, key=rsa.generate_private_key(public_exponent=65537, key_size=2048))


def key_files(folder: Path, name: str) -> tuple[str, str]:
    cert, pem = _key_pair(name)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.key").write_bytes(pem)
    (folder / f"{name}.crt").write_text(cert)
    return str(folder / f"{name}.key"), str(folder / f"{name}.crt")


def saml_time(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class AuthnRequestSeen:
    id: str
    relay_state: str
    acs_url: str
    sp_entity_id: str


class SamlIdP:
    def __init__(
        self, base_url: str, folder: Path, *, sp_metadata: str | None = None, key_name: str = "idp"
    ) -> None:
        self.base_url = base_url
        self.entity_id = f"{base_url}/idp/metadata"
        self.key_file, self.cert_file = key_files(folder, key_name)
        self.folder = folder
        self._sp_metadata = sp_metadata
        self.server = self._server(self.key_file, self.cert_file)

    def _config(self, key_file: str, cert_file: str) -> dict[str, Any]:
        conf: dict[str, Any] = {
            "entityid": self.entity_id,
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(f"{self.base_url}/sso", BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [(f"{self.base_url}/slo", BINDING_HTTP_REDIRECT)],
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "want_authn_requests_signed": True,
                    "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None}},
                }
            },
            "key_file": key_file,
            "cert_file": cert_file,
            "xmlsec_binary": get_xmlsec_binary(["/usr/bin", "/usr/local/bin"]),
            "allow_unknown_attributes": True,
            "signing_algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "digest_algorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
        }
        if self._sp_metadata:
            conf["metadata"] = {"inline": [self._sp_metadata]}
        return conf

    def _server(self, key_file: str, cert_file: str) -> Server:
        config = IdPConfig()
        config.load(self._config(key_file, cert_file))
        return Server(config=config)

    @functools.cached_property
    def _metadata(self) -> str:
        return str(entity_descriptor(self.server.config))

    def metadata_xml(self) -> str:
        return self._metadata

    def trust(self, sp_metadata: str) -> None:
        """Load NIXA's SP metadata (which needs the provider in NIXA's catalogue first)."""
        if sp_metadata != self._sp_metadata:
            self._sp_metadata = sp_metadata
            self.server = self._server(self.key_file, self.cert_file)

    # -- single sign-on ---------------------------------------------------------------------------------
    def read_authn_request(self, redirect_url: str) -> AuthnRequestSeen:
        query = {k: v[0] for k, v in parse_qs(urlsplit(redirect_url).query).items()}
        # The request's signature (HTTP-Redirect: over the query) must verify with NIXA's metadata key.
        assert "Signature" in query, "NIXA signs its AuthnRequests"
        request = self.server.parse_authn_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query["SigAlg"],
            signature=query["Signature"],
        )
        message = request.message
        return AuthnRequestSeen(
            message.id,
            query.get("RelayState", ""),
            message.assertion_consumer_service_url,
            message.issuer.text,
        )

    def response(
        self,
        seen: AuthnRequestSeen,
        *,
        subject: str,
        attributes: dict[str, list[str]],
        class_ref: str = CLASS_HIGH,
        in_response_to: str | None = None,
        destination: str | None = None,
        audience: str | None = None,
        mutate: Any = None,
        sign: bool = True,
        signer: SamlIdP | None = None,
        encrypt: bool = False,
    ) -> str:
        """A base64 SAMLResponse (HTTP-POST binding) with a signed assertion for ``seen``."""
        resp = self.server.create_authn_response(
            identity=attributes,
            in_response_to=in_response_to or seen.id,
            destination=destination or seen.acs_url,
            sp_entity_id=audience or seen.sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject),
            authn={"class_ref": class_ref, "authn_auth": self.entity_id},
            sign_assertion=sign,
            sign_response=False,
            sign_alg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
            # Encrypted to the key NIXA's SP metadata publishes for encryption.
            encrypt_assertion=encrypt,
            encrypt_assertion_self_contained=True,
        )
        xml = str(resp)
        if sign and (mutate is not None or signer is not None):
            xml = mutate(xml) if mutate is not None else xml
            assertion_id = re.search(r'<\w+:Assertion\b[^>]* ID="([^"]+)"', xml).group(1)  # type: ignore[union-attr]
            by = (signer or self).server
            xml = by.sec.sign_statement(xml, node_name=ASSERTION, node_id=assertion_id)
        elif mutate is not None:
            xml = mutate(xml)
        return base64.b64encode(xml.encode()).decode()

    # -- single logout ---------------------------------------------------------------------------------------
    def logout_request_url(
        self, sp_slo: str, subject: str, session_index: str | None, *, sign: bool = True
    ) -> str:
        """An IdP-initiated LogoutRequest to NIXA (HTTP-Redirect binding)."""
        _, request = self.server.create_logout_request(
            sp_slo,
            self.entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject),
            session_indexes=[session_index] if session_index else None,
            sign=False,
        )
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), sp_slo, relay_state="idp-rs", sign=sign
        )
        return str(dict(info["headers"])["Location"])

    def answer_logout_request(self, url: str, sp_slo: str) -> tuple[str, str]:
        """Verify NIXA's LogoutRequest (signature included); returns (NameID, LogoutResponse URL to NIXA)."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        request = self.server.parse_logout_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query["SigAlg"],
            signature=query["Signature"],
        )
        response = self.server.create_logout_response(request.message, [BINDING_HTTP_REDIRECT], sign=False)
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            sp_slo,
            relay_state=query.get("RelayState", ""),
            response=True,
        )
        return request.message.name_id.text, str(dict(info["headers"])["Location"])


def shift_not_on_or_after(minutes: int) -> Any:
    """A mutation moving every NotOnOrAfter to now + ``minutes``."""
    when = saml_time(datetime.now(UTC) + timedelta(minutes=minutes))
    return lambda xml: re.sub(r'NotOnOrAfter="[^"]+"', f'NotOnOrAfter="{when}"', xml)


def not_before(minutes: int) -> Any:
    when = saml_time(datetime.now(UTC) + timedelta(minutes=minutes))
    return lambda xml: re.sub(r'NotBefore="[^"]+"', f'NotBefore="{when}"', xml)


__all__ = ["BINDING_HTTP_POST", "CLASS_HIGH", "CLASS_LOW", "SamlIdP", "not_before", "shift_not_on_or_after"]


def idp_app(idp: SamlIdP, attributes: dict[str, list[str]]) -> Any:
    """The IdP over HTTP for the browser: a login page, then the HTTP-POST binding form to NIXA's ACS
    (a visible button: no JavaScript needed)."""
    import html

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, PlainTextResponse
    from starlette.routing import Route

    pending: dict[str, AuthnRequestSeen] = {}

    async def sso(request: Request) -> HTMLResponse:
        seen = idp.read_authn_request(str(request.url))
        pending[seen.id] = seen
        return HTMLResponse(
            "<!DOCTYPE html><html><head><title>Bưu điện – đăng nhập</title></head><body>"
            '<form method="post" action="/login">'
            f'<input type="hidden" name="req" value="{html.escape(seen.id)}">'
            '<label for="user">User</label><input id="user" name="user">'
            '<button id="idp-submit" type="submit">Sign in</button></form></body></html>'
        )

    async def login(request: Request) -> HTMLResponse:
        form = await request.form()
        seen = pending.pop(str(form["req"]))
        saml_response = idp.response(seen, subject=str(form["user"]), attributes=attributes)
        return HTMLResponse(
            "<!DOCTYPE html><html><head><title>Bưu điện</title></head><body>"
            f'<form method="post" action="{html.escape(seen.acs_url)}">'
            f'<input type="hidden" name="SAMLResponse" value="{saml_response}">'
            f'<input type="hidden" name="RelayState" value="{html.escape(seen.relay_state)}">'
            '<button id="idp-continue" type="submit">Continue</button></form></body></html>'
        )

    async def healthz(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/sso", sso),
            Route("/login", login, methods=["POST"]),
            Route("/healthz", healthz),
        ]
    )
