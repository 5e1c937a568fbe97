"""idp.clients: the one set of client metadata rules, pairwise sectors and audited create/update."""

from __future__ import annotations

from typing import Any

import pytest
from joserfc.jwk import ECKey
from sqlalchemy import select

from idp.clients import ClientSpec, create_client, sector_for, update_client
from idp.crypto import sha256_hex
from idp.errors import InvalidClientMetadata, InvalidRedirectUri, OAuthError
from idp.models import AuditRecord, Client
from idp.oauth.subject import SubjectIdentifiers
from idp.platform import Platform

REDIRECT = "https://portal.example.vn/callback"


def spec(**overrides: Any) -> ClientSpec:
    fields: dict[str, Any] = {
        "name": "Cổng Thử",
        "redirect_uris": [REDIRECT],
        "post_logout_redirect_uris": [],
    }
    fields.update(overrides)
    return ClientSpec(**fields)


def public_jwk() -> dict[str, Any]:
    return ECKey.generate_key("P-256").as_dict(private=False)


# -- ClientSpec.validate: every rule, with the error code a caller sees --------------------------------------

REFUSED: list[tuple[dict[str, Any], type[OAuthError]]] = [
    ({"name": "  "}, InvalidClientMetadata),
    ({"token_endpoint_auth_method": "client_secret_jwt"}, InvalidClientMetadata),
    ({"grant_types": ("authorization_code", "password")}, InvalidClientMetadata),
    ({"redirect_uris": []}, InvalidRedirectUri),
    ({"redirect_uris": ["http://portal.example.vn/cb"]}, InvalidRedirectUri),
    ({"redirect_uris": ["https://portal.example.vn/cb#x"]}, InvalidRedirectUri),
    ({"post_logout_redirect_uris": ["http://portal.example.vn/out"]}, InvalidClientMetadata),
    ({"backchannel_logout_uri": "http://portal.example.vn/bc"}, InvalidClientMetadata),
    ({"token_endpoint_auth_method": "private_key_jwt"}, InvalidClientMetadata),
    ({"jwks_uri": "https://portal.example.vn/jwks", "jwks": {"keys": []}}, InvalidClientMetadata),
    (
        {"token_endpoint_auth_method": "none", "grant_types": ("client_credentials",), "redirect_uris": []},
        InvalidClientMetadata,
    ),
    ({"subject_type": "sometimes"}, InvalidClientMetadata),
    ({"id_token_signed_response_alg": "none"}, InvalidClientMetadata),
    ({"token_endpoint_auth_signing_alg": "HS256"}, InvalidClientMetadata),
    ({"scopes": ("openid", "made.up")}, InvalidClientMetadata),
]

# The rules that used to be checked for dynamically registered clients only.
REFUSED_FOR_EVERY_CLIENT: list[tuple[dict[str, Any], type[OAuthError]]] = [
    # OIDC Registration Section 2: application_type
    ({"application_type": "desktop"}, InvalidClientMetadata),
    ({"application_type": "native"}, InvalidRedirectUri),  # https redirect: web, not native
    ({"application_type": "native", "redirect_uris": ["https://127.0.0.1/cb"]}, InvalidRedirectUri),
    ({"redirect_uris": ["vn.gov.dvc.app:/callback"]}, InvalidRedirectUri),  # custom scheme on a web client
    # RFC 7591 Section 2: jwks is a JWK Set of readable public keys
    ({"jwks": {"keys": "k1"}}, InvalidClientMetadata),
    ({"jwks": {"keys": []}}, InvalidClientMetadata),
    ({"jwks": {"keys": [{"kty": "EC"}] * 11}}, InvalidClientMetadata),
    ({"jwks": {"keys": [ECKey.generate_key("P-256").as_dict(private=True)]}}, InvalidClientMetadata),
    ({"jwks": {"keys": [{"kty": "oct", "x": "AA"}]}}, InvalidClientMetadata),
    ({"jwks": {"keys": [{**public_jwk(), "x": "not-a-coordinate"}]}}, InvalidClientMetadata),
    # Front-Channel Logout Section 2: scheme, host and port of a registered redirect URI
    ({"frontchannel_logout_uri": "https://other.example.vn/fc"}, InvalidClientMetadata),
    ({"frontchannel_logout_uri": "https://portal.example.vn:8443/fc"}, InvalidClientMetadata),
    ({"frontchannel_logout_uri": "https://portal.example.vn:bad/fc"}, InvalidClientMetadata),
    (
        {
            "frontchannel_logout_uri": "https://portal.example.vn/fc",
            "grant_types": ("client_credentials",),
            "redirect_uris": [],
        },
        InvalidClientMetadata,
    ),
]


@pytest.mark.parametrize(
    ("overrides", "error"),
    REFUSED + REFUSED_FOR_EVERY_CLIENT,
    ids=[f"{i}-{'+'.join(o)}" for i, (o, _) in enumerate(REFUSED + REFUSED_FOR_EVERY_CLIENT)],
)
def test_validate_refuses_with_its_error_code(overrides, error):
    with pytest.raises(error) as refused:
        spec(**overrides).validate()
    assert type(refused.value) is error and refused.value.status_code == 400


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"application_type": "native", "redirect_uris": ["vn.gov.dvc.app:/callback"]},
        {"application_type": "native", "redirect_uris": ["http://127.0.0.1:51000/cb", "http://[::1]/cb"]},
        {"redirect_uris": ["http://localhost:8080/cb"]},  # a web client may use an http loopback URL
        {"token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [public_jwk()]}},
        {"frontchannel_logout_uri": "https://portal.example.vn:443/fc?app=1"},
        {"grant_types": ("client_credentials",), "redirect_uris": []},
    ],
)
def test_validate_accepts(overrides):
    checked = spec(**overrides)
    assert checked.validate() is checked


def test_operator_clients_obey_the_shared_rules(platform: Platform):
    with platform.db.session() as s, pytest.raises(InvalidClientMetadata):
        create_client(s, spec(frontchannel_logout_uri="https://other.example.vn/fc"), actor="cli")
    with platform.db.session() as s:
        assert s.scalars(select(Client)).all() == []


# -- pairwise sectors (OIDC Core 8.1) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "redirect_uri", ["http://127.0.0.1:8080/cb", "http://localhost/cb", "http://[::1]:9000/cb"]
)
def test_loopback_clients_are_each_their_own_sector(platform: Platform, redirect_uri):
    with platform.db.session() as s:
        first, _ = create_client(s, spec(redirect_uris=[redirect_uri]), actor="cli")
        second, _ = create_client(s, spec(redirect_uris=[redirect_uri]), actor="cli")
        assert first.sector_identifier == first.client_id
        assert second.sector_identifier == second.client_id
        subjects = SubjectIdentifiers(b"pairwise-secret")
        assert subjects.for_client(first, "identity-1") != subjects.for_client(second, "identity-1")


def test_clients_on_one_web_host_share_the_sector(platform: Platform):
    with platform.db.session() as s:
        first, _ = create_client(s, spec(redirect_uris=["https://dichvu.example.vn/a"]), actor="cli")
        second, _ = create_client(s, spec(redirect_uris=["https://dichvu.example.vn/b"]), actor="cli")
        assert first.sector_identifier == second.sector_identifier == "dichvu.example.vn"


@pytest.mark.parametrize(
    ("overrides", "sector"),
    [
        ({}, "portal.example.vn"),
        ({"application_type": "native", "redirect_uris": ["vn.gov.dvc.app:/cb"]}, "client-1"),
        ({"grant_types": ("client_credentials",), "redirect_uris": []}, "client-1"),
        (
            {
                "redirect_uris": ["https://a.example.vn/cb", "https://b.example.vn/cb"],
                "subject_type": "public",
            },
            "client-1",
        ),
        (
            {"sector_identifier": "sector.example.vn", "redirect_uris": ["http://127.0.0.1/cb"]},
            "sector.example.vn",
        ),
    ],
)
def test_sector_for(overrides, sector):
    assert sector_for(spec(**overrides), "client-1") == sector


def test_sector_for_prefers_the_sector_identifier_uri_host():
    assert sector_for(spec(), "client-1", "sector.example.vn") == "sector.example.vn"


def test_several_hosts_need_a_sector_identifier_for_pairwise_subjects():
    with pytest.raises(InvalidClientMetadata):
        sector_for(spec(redirect_uris=["https://a.example.vn/cb", "https://b.example.vn/cb"]), "client-1")


# -- update_client ------------------------------------------------------------------------------------------


def updates(platform: Platform, client_id: str) -> list[AuditRecord]:
    with platform.db.session() as s:
        query = select(AuditRecord).where(
            AuditRecord.event == "client:updated", AuditRecord.client_id == client_id
        )
        records = list(s.scalars(query.order_by(AuditRecord.seq)))
        s.expunge_all()
        return records


def test_update_client_replaces_metadata_and_audits_the_changed_fields(platform: Platform):
    with platform.db.session() as s:
        client, secret = create_client(s, spec(), actor="cli", metadata_extra={"contacts": ["it@x.vn"]})
        client_id = client.client_id
    new_redirect = "https://portal.example.vn/callback2"
    with platform.db.session() as s:
        client = s.get(Client, client_id)
        issued = update_client(
            s, client, spec(name="Cổng Mới", redirect_uris=[new_redirect]), actor="operator:an"
        )
        assert issued is None  # nothing is rotated
    with platform.db.session() as s:
        client = s.get(Client, client_id)
        assert client.name == "Cổng Mới" and client.redirect_uris == [new_redirect]
        assert client.secret_hash == sha256_hex(secret or "")
        assert client.metadata_extra == {"contacts": ["it@x.vn"]}  # kept when not given
    [record] = updates(platform, client_id)
    assert record.actor == "operator:an"
    assert record.data == {"fields": ["client_name", "redirect_uris"], "secret_issued": False}


def test_update_client_drops_or_issues_the_secret_with_the_auth_method(platform: Platform):
    with platform.db.session() as s:
        client, _ = create_client(s, spec(), actor="cli")
        to_jwt = spec(token_endpoint_auth_method="private_key_jwt", jwks={"keys": [public_jwk()]})
        assert update_client(s, client, to_jwt, actor="cli") is None
        assert client.secret_hash is None
        secret = update_client(s, client, spec(), actor="cli", metadata_extra={})
        assert secret and client.secret_hash == sha256_hex(secret)
        client_id = client.client_id
    first, second = updates(platform, client_id)
    assert first.data["secret_issued"] is False and "token_endpoint_auth_method" in first.data["fields"]
    assert second.data["secret_issued"] is True


def test_refused_update_changes_nothing(platform: Platform):
    with platform.db.session() as s:
        client, _ = create_client(s, spec(), actor="cli")
        client_id = client.client_id
    several_hosts = spec(name="Đổi", redirect_uris=["https://a.example.vn/cb", "https://b.example.vn/cb"])
    for refused in (spec(name="Đổi", application_type="desktop"), several_hosts):
        with platform.db.session() as s:
            client = s.get(Client, client_id)
            with pytest.raises(InvalidClientMetadata):
                update_client(s, client, refused, actor="cli")
            assert client.name == "Cổng Thử" and client.redirect_uris == [REDIRECT]
    assert updates(platform, client_id) == []


def test_generated_client_ids_never_start_with_a_dash(monkeypatch):
    # An ID like "-Ab3..." is read as an option by `nixa client remove` (it failed a CLI test once).
    from idp import clients

    drawn = iter(["-first", "-second", "Good_id"])
    monkeypatch.setattr(clients, "new_token", lambda _n: next(drawn))
    assert clients.new_client_id() == "Good_id"
    monkeypatch.undo()
    assert all(not clients.new_client_id().startswith("-") for _ in range(2000))
