"""Authorization endpoint, OIDC Core 3.1.2 with RFC 6749 4.1, RFC 7636 and RFC 9700.

Validation is a list of small steps. The first two (client, redirect_uri) raise ``InvalidPageRequest``:
until the redirect URI is known to be registered, errors are shown to the person, never redirected
(RFC 6749 Section 4.1.2.1). Every later step raises an ``OAuthError`` that is redirected to the portal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from idp.clients import STANDARD_SCOPES
from idp.errors import (
    InvalidPageRequest,
    InvalidRequest,
    InvalidScope,
    OAuthError,
    RequestUriNotSupported,
    UnauthorizedClient,
    UnsupportedResponseType,
)
from idp.models import Client
from idp.oauth import pkce
from idp.oauth.claims import parse_claims_parameter
from idp.oauth.client_resolution import ClientCache, ClientResolver, find_client
from idp.oauth.request_object import RequestObjects, requires_request_object
from idp.sessions import LOA_PREFIX, level_of

PROMPTS = {"none", "login", "consent", "select_account"}
RESPONSE_MODES = {"query", "form_post"}
MAX_PARAM = 2048


@dataclass
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    scope: list[str]
    code_challenge: str
    state: str | None = None
    nonce: str | None = None
    response_mode: str = "query"
    prompt: list[str] = field(default_factory=list)
    max_age: int | None = None
    login_hint: str | None = None
    id_token_hint: str | None = None
    ui_locales: list[str] = field(default_factory=list)
    acr_values: list[str] = field(default_factory=list)
    claims: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The lowest level of assurance the portal accepts (0 when it did not ask).
    min_level: int = 0
    acr_essential: bool = False
    # Which upstream identity provider to log in with, skipping the choice (extensions interpret it).
    idp_hint: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuthorizationRequest:
        return cls(**data)


@dataclass
class RedirectTarget:
    """Where an error or a code goes once the redirect URI is trusted."""

    redirect_uri: str
    state: str | None
    response_mode: str


class RedirectableError(Exception):
    def __init__(self, error: OAuthError, target: RedirectTarget) -> None:
        super().__init__(error.error)
        self.error = error
        self.target = target


def _one(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is not None and len(value) > MAX_PARAM:
        raise InvalidRequest(f"{name} is too long")
    return value or None


def check_client(
    s: Session,
    params: Mapping[str, str],
    resolvers: Sequence[ClientResolver] = (),
    cache: ClientCache | None = None,
) -> Client:
    """The client must be registered (or admitted by a resolver), enabled and allowed the code grant."""
    client_id = params.get("client_id")
    if not client_id:
        raise InvalidPageRequest("error.missing_client_id")
    # A client known only through a resolver (a federation leaf) must sign its request: OpenID
    # Federation 1.0 Section 12.1.1.1 makes the request object the proof that the entity is asking.
    try:
        client = find_client(s, client_id, resolvers if "request" in params else (), cache)
    except OAuthError as exc:
        raise InvalidPageRequest("error.unknown_client", detail=exc.detail or exc.description) from exc
    if client is None or client.disabled:
        raise InvalidPageRequest("error.unknown_client", detail=f"client_id={client_id[:64]!r}")
    return client


def check_redirect_uri(client: Client, params: Mapping[str, str]) -> str:
    """OIDC Core 3.1.2.1 and RFC 9700 Section 4.1.3: redirect_uri is required and matched exactly."""
    uri = params.get("redirect_uri")
    if not uri:
        raise InvalidPageRequest("error.missing_redirect_uri")
    # Simple string comparison, RFC 3986 Section 6.2.1; no prefix, wildcard or normalisation.
    if uri not in client.redirect_uris:
        raise InvalidPageRequest("error.bad_redirect_uri", detail=f"client={client.client_id}")
    return uri


def check_response_type(client: Client, params: Mapping[str, str]) -> None:
    response_type = params.get("response_type")
    if not response_type:
        raise InvalidRequest("response_type is required")
    if response_type != "code":
        # Only the code flow: RFC 9700 Section 2.1.2 says the implicit grant SHOULD NOT be used.
        raise UnsupportedResponseType("only response_type=code is supported")
    if "authorization_code" not in client.grant_types:
        raise UnauthorizedClient("this client may not use the authorization code grant")


def check_request_object(client: Client, params: Mapping[str, str], unpacked: bool) -> None:
    if "request_uri" in params:
        raise RequestUriNotSupported("request_uri is not supported by this endpoint")
    if requires_request_object(client) and not unpacked:
        # RFC 9101 Section 10.5: such a client's requests MUST come as a signed request object.
        raise InvalidRequest("this client must send its request as a signed request object")


def unpack_request_object(
    s: Session, client: Client, params: Mapping[str, str], request_objects: RequestObjects
) -> Mapping[str, str]:
    """RFC 9101: verify the request object; an error goes to the query's redirect URI only if registered."""
    try:
        return request_objects.unpack(s, client, params)
    except OAuthError as exc:
        uri = params.get("redirect_uri")
        if uri and uri in client.redirect_uris:
            mode = params.get("response_mode")
            target = RedirectTarget(
                uri, params.get("state") or None, mode if mode in RESPONSE_MODES else "query"
            )
            raise RedirectableError(exc, target) from exc
        raise InvalidPageRequest(
            "error.invalid_request_object", detail=exc.detail or exc.description
        ) from exc


def check_scope(client: Client, params: Mapping[str, str]) -> list[str]:
    """OIDC Core 3.1.2.1: scope MUST contain openid; unknown values are ignored, forbidden ones refused."""
    requested = (params.get("scope") or "").split()
    if "openid" not in requested:
        raise InvalidScope("scope must contain openid")
    known = [s for s in dict.fromkeys(requested) if s in STANDARD_SCOPES]
    if forbidden := [s for s in known if s not in client.scopes]:
        raise InvalidScope(f"scope not allowed for this client: {' '.join(forbidden)}")
    if "offline_access" in known and "refresh_token" not in client.grant_types:
        known.remove("offline_access")
    return known


def check_prompt(params: Mapping[str, str]) -> list[str]:
    prompt = (params.get("prompt") or "").split()
    if unknown := set(prompt) - PROMPTS:
        raise InvalidRequest(f"unsupported prompt value: {' '.join(sorted(unknown))}")
    if "none" in prompt and len(prompt) > 1:
        # OIDC Core 3.1.2.1: if none is present with any other value, an error is returned.
        raise InvalidRequest("prompt=none cannot be combined with other values")
    return prompt


def check_max_age(params: Mapping[str, str]) -> int | None:
    raw = params.get("max_age")
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 10:
        raise InvalidRequest("max_age must be a non-negative integer")
    return int(raw)


def check_acr(params: Mapping[str, str], claims: dict[str, dict[str, Any]]) -> tuple[list[str], int, bool]:
    """acr_values and an ``acr`` claim request: the lowest acceptable level is what the portal demands."""
    acr_values = (params.get("acr_values") or "").split()
    levels = [level_of(v) for v in acr_values if level_of(v)]
    essential = False
    acr_claim = claims.get("id_token", {}).get("acr") or {}
    if isinstance(acr_claim, dict):
        wanted = acr_claim.get("values") or ([acr_claim["value"]] if "value" in acr_claim else [])
        if not isinstance(wanted, list) or not all(isinstance(v, str) for v in wanted):
            raise InvalidRequest("claims.id_token.acr values must be strings")
        claim_levels = [level_of(v) for v in wanted if level_of(v)]
        if acr_claim.get("essential") and wanted and not claim_levels:
            raise InvalidRequest(f"none of the requested acr values is supported ({LOA_PREFIX}1..3)")
        if claim_levels:
            levels.append(min(claim_levels))
            essential = bool(acr_claim.get("essential"))
    return acr_values, max(levels) if levels else 0, essential or bool(levels)


def validate(
    s: Session,
    params: Mapping[str, str],
    *,
    resolvers: Sequence[ClientResolver] = (),
    request_objects: RequestObjects | None = None,
    clients: ClientCache | None = None,
) -> tuple[Client, AuthorizationRequest]:
    """Run every step: InvalidPageRequest before the redirect URI is trusted, RedirectableError after."""
    client = check_client(s, params, resolvers, clients)
    unpacked = "request" in params and request_objects is not None
    if unpacked and request_objects is not None:
        params = unpack_request_object(s, client, params, request_objects)
    redirect_uri = check_redirect_uri(client, params)
    mode = params.get("response_mode") or "query"
    target = RedirectTarget(
        redirect_uri, (params.get("state") or None), mode if mode in RESPONSE_MODES else "query"
    )
    try:
        if mode not in RESPONSE_MODES:
            raise InvalidRequest("response_mode must be query or form_post")
        check_request_object(client, params, unpacked)
        check_response_type(client, params)
        scope = check_scope(client, params)
        challenge = pkce.check_challenge(params.get("code_challenge"), params.get("code_challenge_method"))
        claims = parse_claims_parameter(_one(params, "claims"))
        acr_values, min_level, essential = check_acr(params, claims)
        request = AuthorizationRequest(
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            scope=scope,
            code_challenge=challenge,
            state=_one(params, "state"),
            nonce=_one(params, "nonce"),
            response_mode=mode,
            prompt=check_prompt(params),
            max_age=check_max_age(params),
            login_hint=_one(params, "login_hint"),
            id_token_hint=_one(params, "id_token_hint"),
            ui_locales=(params.get("ui_locales") or "").split()[:5],
            acr_values=acr_values,
            claims=claims,
            min_level=max(min_level, level_of(client.min_acr)),
            acr_essential=essential,
            idp_hint=_one(params, "idp_hint"),
        )
    except OAuthError as exc:
        raise RedirectableError(exc, target) from exc
    return client, request
