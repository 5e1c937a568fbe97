"""The client cache (token, introspection, revocation, UserInfo, the authorization endpoint and its pages)
is exact: every change to a client (its secret, disabling it, its grant types, removing it) is seen by the
very next request."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from idp.clients import remove_client
from idp.models import Client
from idp.oauth.client_resolution import ClientCache, SharedClientChanged
from idp.portal_admin import rotate_secret, set_disabled
from tests.support.db import update_rows
from tests.support.factories import PortalInfo, make_portal
from tests.support.flows import authorize_params, bearer, token_post, token_set

SERVICE = {"grant_types": ("client_credentials",), "redirect_uris": ()}


def client_credentials(api, portal: PortalInfo):
    return token_post(api, portal, {"grant_type": "client_credentials"})


def load(platform, client_id: str) -> Client:
    with platform.db.session() as s:
        client = s.get(Client, client_id)
        assert client is not None
        return client


def test_a_rotated_secret_stops_working_at_the_next_request(api, platform):
    service = make_portal(platform, **SERVICE)
    assert client_credentials(api, service).status_code == 200
    assert client_credentials(api, service).status_code == 200  # now from the cache
    with platform.db.session() as s:
        new_secret = rotate_secret(s, s.get(Client, service.client_id), actor="test", reason="leaked")
    old = client_credentials(api, service)
    assert old.status_code == 401 and old.json()["error"] == "invalid_client"
    rotated = PortalInfo(service.client_id, new_secret, service.redirect_uri)
    assert client_credentials(api, rotated).status_code == 200


def test_a_disabled_client_is_refused_at_the_next_request(api, platform):
    service = make_portal(platform, **SERVICE)
    assert client_credentials(api, service).status_code == 200
    with platform.db.session() as s:
        set_disabled(s, s.get(Client, service.client_id), True, actor="test", reason="abuse")
    assert client_credentials(api, service).json()["error"] == "invalid_client"
    with platform.db.session() as s:
        set_disabled(s, s.get(Client, service.client_id), False, actor="test", reason="resolved")
    assert client_credentials(api, service).status_code == 200


def test_a_change_made_by_a_core_update_is_seen(api, platform):
    service = make_portal(platform, **SERVICE)
    assert client_credentials(api, service).status_code == 200
    # A bulk UPDATE (not through the ORM) still sets updated_at, which is what the cache compares.
    update_rows(
        platform.db, Client, Client.client_id == service.client_id, grant_types=["authorization_code"]
    )
    assert client_credentials(api, service).json()["error"] == "unauthorized_client"


def test_a_removed_client_is_unknown_at_the_next_request(api, platform):
    service = make_portal(platform, **SERVICE)
    assert client_credentials(api, service).status_code == 200
    with platform.db.session() as s:
        assert remove_client(s, service.client_id, actor="test")
    assert client_credentials(api, service).json()["error"] == "invalid_client"


def test_readers_share_one_read_only_copy(platform):
    """What the token, introspection and UserInfo requests read: one cached object, not merged into each
    session, that nobody can change by mistake."""
    service = make_portal(platform, **SERVICE)
    cache = ClientCache()
    with platform.db.session() as s:
        loaded = cache.get(s, service.client_id)  # read from the table, then kept
        assert loaded is not None and loaded in s
    with platform.db.session() as s:
        first = cache.get(s, service.client_id)
        assert first is not None and first is not loaded and first not in s
    with platform.db.read_session() as s:
        assert cache.get(s, service.client_id) is first
        with pytest.raises(SharedClientChanged):
            first.name = "Cổng đã đổi tên"
        with pytest.raises(SharedClientChanged):
            first.disabled = True
    assert first.name == load(platform, service.client_id).name != "Cổng đã đổi tên"
    assert first.disabled is False


def test_attach_gives_the_session_its_own_copy_whose_changes_are_saved(platform):
    service = make_portal(platform, **SERVICE)
    cache = ClientCache()
    with platform.db.session() as s:
        cache.get(s, service.client_id)
    with platform.db.session() as s:
        shared = cache.get(s, service.client_id)
        second = cache.get(s, service.client_id, attach=True)
        assert second is not None and second in s and second is not shared
        assert second.grant_types == ["client_credentials"] and shared is not None
        assert second.secret_hash == shared.secret_hash
        # The copy is a normal persistent row: a change to it is saved like any other.
        second.name = "Cổng đã đổi tên"
    assert load(platform, service.client_id).name == "Cổng đã đổi tên"
    with platform.db.session() as s:
        renamed = cache.get(s, service.client_id)
        assert renamed is not None and renamed.name == "Cổng đã đổi tên"
        s.execute(delete(Client).where(Client.client_id == service.client_id))
        assert cache.get(s, service.client_id) is None
        assert cache.get(s, "no-such-client") is None


def test_the_authorization_pages_see_a_change_at_the_next_request(browser, platform, portal, citizen):
    """The authorization endpoint and the interaction pages read the client through the cache too."""
    first = browser.get("/authorize", params=authorize_params(portal, "x" * 43), follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/interaction/")
    assert browser.get(first.headers["location"]).status_code == 200  # the login page, client cached
    with platform.db.session() as s:
        set_disabled(s, s.get(Client, portal.client_id), True, actor="test", reason="abuse")
    # The login page of the interaction already started, then a new authorization request: both refuse.
    assert browser.get(first.headers["location"]).status_code == 400
    again = browser.get("/authorize", params=authorize_params(portal, "x" * 43), follow_redirects=False)
    assert again.status_code == 400 and "location" not in again.headers


def test_userinfo_sees_a_disabled_portal_at_the_next_request(browser, api, platform, portal, citizen):
    """The token's record is read with its client's revision; the cache decides from it."""
    access = token_set(browser, api, portal, citizen, scope="openid profile")["access_token"]
    assert api.get("/userinfo", headers=bearer(access)).status_code == 200
    assert api.get("/userinfo", headers=bearer(access)).status_code == 200  # the client from the cache
    with platform.db.session() as s:
        set_disabled(s, s.get(Client, portal.client_id), True, actor="test", reason="abuse")
    assert api.get("/userinfo", headers=bearer(access)).json()["error"] == "invalid_token"
    with platform.db.session() as s:
        set_disabled(s, s.get(Client, portal.client_id), False, actor="test", reason="resolved")
    assert api.get("/userinfo", headers=bearer(access)).status_code == 200
