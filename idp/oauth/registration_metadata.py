"""Client metadata as sent to the registration endpoint: the JSON body (RFC 7591 Section 3.1), typed members
(RFC 7591 Section 2, OpenID Connect Dynamic Client Registration 1.0 Section 2) and their defaults, turned into
a ``ClientSpec``. The rules every client obeys live in ``ClientSpec.validate``; this module only reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from idp.clients import ClientSpec, check_redirect_uri
from idp.errors import InvalidClientMetadata, InvalidRedirectUri, InvalidRequest, OAuthError

MAX_BODY = 64 * 1024
MAX_LIST = 20
MAX_STRING = 2000
DEFAULT_SCOPES = ("openid", "profile", "email", "phone", "address")
INFO_URIS = ("logo_uri", "client_uri", "policy_uri", "tos_uri")
LOCALISABLE = ("client_name", *INFO_URIS)
# Tokens are signed, never encrypted: accepting these would leave a client believing its tokens are sealed.
UNSUPPORTED = (
    "id_token_encrypted_response_alg",
    "id_token_encrypted_response_enc",
    "userinfo_encrypted_response_alg",
    "userinfo_encrypted_response_enc",
)
_LANG_TAG = re.compile(r"[A-Za-z0-9]{1,8}(-[A-Za-z0-9]{1,8})*")


# -- request body and typed members -----------------------------------------------------------------------


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two parsers reading different values of a repeated member is a classic confusion; refuse it.
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("repeated member")
    return out


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json_object(raw: bytes, content_type: str | None) -> dict[str, Any]:
    """RFC 7591 Section 3.1: the metadata is a JSON object sent as application/json."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise InvalidRequest("the request body must be application/json")
    if len(raw) > MAX_BODY:
        raise InvalidRequest("the request body is too large")
    try:
        data = json.loads(raw, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest("the request body is not valid JSON (or repeats a member)") from None
    if not isinstance(data, dict):
        raise InvalidRequest("the request body must be a JSON object")
    return data


class _Members:
    """Typed access to metadata members; a wrong type is invalid_client_metadata (RFC 7591 Section 3.2.2)."""

    def __init__(self, body: Mapping[str, Any]) -> None:
        # RFC 7592 Section 2.2: omitted, null and empty values all mean "not registered".
        self.body = {k: v for k, v in body.items() if v is not None and v != "" and v != [] and v != {}}

    def has(self, name: str) -> bool:
        return name in self.body

    def string(self, name: str, *, max_len: int = MAX_STRING) -> str | None:
        value = self.body.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > max_len):
            raise InvalidClientMetadata(f"{name} must be a string of at most {max_len} characters")
        return value

    def strings(self, name: str, *, error: type[OAuthError] = InvalidClientMetadata) -> list[str] | None:
        value = self.body.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(
            isinstance(v, str) and 0 < len(v) <= MAX_STRING for v in value
        ):
            raise error(f"{name} must be an array of non-empty strings")
        if len(value) > MAX_LIST:
            raise error(f"{name} may hold at most {MAX_LIST} values")
        return list(dict.fromkeys(value))

    def boolean(self, name: str) -> bool:
        value = self.body.get(name, False)  # Back-Channel 2.2 / Front-Channel 2: false when omitted
        if not isinstance(value, bool):
            raise InvalidClientMetadata(f"{name} must be true or false")
        return value

    def json_object(self, name: str) -> dict[str, Any] | None:
        value = self.body.get(name)
        if value is not None and not isinstance(value, dict):
            raise InvalidClientMetadata(f"{name} must be a JSON object")
        return value


# -- metadata -> ClientSpec -------------------------------------------------------------------------------


@dataclass
class RegistrationRequest:
    spec: ClientSpec
    extra: dict[str, Any]
    sector_identifier_uri: str | None


def parse_metadata(body: Mapping[str, Any]) -> RegistrationRequest:
    """Client metadata (RFC 7591 Section 2, OIDC Registration Section 2) with the specs' defaults."""
    m = _Members(body)
    for name in UNSUPPORTED:
        if m.has(name):
            raise InvalidClientMetadata(f"{name} is not supported: tokens are signed, not encrypted")
    # RFC 7591 Section 2: grant_types defaults to authorization_code only.
    grant_types = m.strings("grant_types") or ["authorization_code"]
    _check_response_types(m.strings("response_types"), grant_types)
    spec = ClientSpec(
        name=m.string("client_name", max_len=200) or "",
        redirect_uris=m.strings("redirect_uris", error=InvalidRedirectUri) or [],
        post_logout_redirect_uris=m.strings("post_logout_redirect_uris") or [],
        backchannel_logout_uri=m.string("backchannel_logout_uri"),
        backchannel_logout_session_required=m.boolean("backchannel_logout_session_required"),
        frontchannel_logout_uri=m.string("frontchannel_logout_uri"),
        frontchannel_logout_session_required=m.boolean("frontchannel_logout_session_required"),
        # RFC 7591 Section 2: client_secret_basic when omitted.
        token_endpoint_auth_method=m.string("token_endpoint_auth_method") or "client_secret_basic",
        token_endpoint_auth_signing_alg=m.string("token_endpoint_auth_signing_alg"),
        jwks_uri=m.string("jwks_uri"),
        jwks=m.json_object("jwks"),
        grant_types=tuple(grant_types),
        scopes=_scopes(m.string("scope"), grant_types),
        subject_type=m.string("subject_type") or "pairwise",
        # OIDC Registration Section 2: RS256 when omitted.
        id_token_signed_response_alg=m.string("id_token_signed_response_alg") or "RS256",
        userinfo_signed_response_alg=m.string("userinfo_signed_response_alg"),
        application_type=m.string("application_type") or "web",  # OIDC Registration Section 2
    )
    return RegistrationRequest(spec, _extra(m), m.string("sector_identifier_uri"))


def _check_response_types(response_types: list[str] | None, grant_types: list[str]) -> None:
    code_grant = "authorization_code" in grant_types
    wanted = response_types if response_types is not None else (["code"] if code_grant else [])
    if any(r != "code" for r in wanted):
        raise InvalidClientMetadata("only the code response type is supported")
    if ("code" in wanted) != code_grant:
        # RFC 7591 Section 2.1: response type code goes with the authorization_code grant, and back.
        raise InvalidClientMetadata("response_types code and grant_types authorization_code go together")


def _scopes(scope: str | None, grant_types: list[str]) -> tuple[str, ...]:
    """RFC 7591 Section 2: a space-separated string. The default leaves out the personal ID number scope."""
    if scope is not None:
        return tuple(dict.fromkeys(scope.split()))
    offline = ("offline_access",) if "refresh_token" in grant_types else ()
    return DEFAULT_SCOPES + offline


def _extra(m: _Members) -> dict[str, Any]:
    """Informational metadata with no column of its own, kept so it can be returned as registered."""
    extra: dict[str, Any] = {}
    if contacts := m.strings("contacts"):
        extra["contacts"] = contacts
    for name in ("software_id", "software_version", "sector_identifier_uri"):
        if value := m.string(name):
            extra[name] = value
    for name in INFO_URIS:
        if value := m.string(name):
            extra[name] = _web_uri(value, name)
    localised = [k for k in m.body if k.partition("#")[0] in LOCALISABLE and "#" in k]
    if len(localised) > MAX_LIST:
        raise InvalidClientMetadata("too many language-tagged metadata values")
    for key in localised:
        base, _, tag = key.partition("#")
        if not _LANG_TAG.fullmatch(tag):
            raise InvalidClientMetadata(f"{key[:60]} does not carry a valid language tag")
        value = m.string(key, max_len=200 if base == "client_name" else MAX_STRING) or ""
        # RFC 7591 Section 2.2: human-readable values may be given per language as name#tag.
        extra[key] = value if base == "client_name" else _web_uri(value, key)
    return extra


def _web_uri(value: str, name: str) -> str:
    check_redirect_uri(value, field=name, error=InvalidClientMetadata)
    if urlsplit(value).scheme not in ("https", "http"):
        raise InvalidClientMetadata(f"{name} must be a web URL")
    return value
