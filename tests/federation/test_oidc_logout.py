"""Logout across the broker with a live NIXA and a live upstream oidc-provider calling each other.

- Back-Channel Logout 1.0: the upstream provider's logout token ends the NIXA session, and NIXA queues its
  own logout tokens for the portals of that session.
- RP-Initiated Logout 1.0: logging out at NIXA sends the browser through the upstream end_session_endpoint
  and back to the portal's post_logout_redirect_uri.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select

from federation.upstream.models import UpstreamSession
from idp.models import AuditRecord, LogoutDelivery, SsoSession
from tests.federation.conftest import PERSONAL_ID
from tests.federation.live import LiveBroker, serve_broker, submit, walk
from tests.support.factories import PortalInfo, make_citizen, make_portal, pkce_pair
from tests.support.flows import authorize_params, query_of

if TYPE_CHECKING:
    from tests.support.db import TestDatabase

PORTAL = "https://portal.example.vn"


@pytest.fixture
def live(tmp_path: Path, test_database: TestDatabase) -> Iterator[LiveBroker]:
    with serve_broker(tmp_path, test_database.fresh(tmp_path)) as broker:
        yield broker


def log_in(live: LiveBroker, http: httpx.Client, portal: PortalInfo) -> dict[str, str]:
    """Portal -> NIXA -> upstream (account "an") -> NIXA consent -> the portal's redirect parameters."""
    _, challenge = pkce_pair()
    url = f"{live.base_url}/authorize?{urlencode(authorize_params(portal, challenge))}"
    login_page = walk(http, url, PORTAL)
    assert isinstance(login_page, httpx.Response) and login_page.status_code == 200
    interaction_id = str(login_page.url).rsplit("/", 1)[1]
    upstream_form = walk(http, f"{live.base_url}/federation/login/bank/{interaction_id}", PORTAL)
    assert isinstance(upstream_form, httpx.Response)
    consent = submit(http, upstream_form, {"login": "an"}, PORTAL)
    assert isinstance(consent, httpx.Response) and "/interaction/" in str(consent.url), consent
    done = submit(http, consent, {"decision": "approve"}, PORTAL)
    assert isinstance(done, str), done
    return query_of(done)


def nixa_session(live: LiveBroker) -> SsoSession:
    with live.platform.db.session() as s:
        row = s.scalar(select(SsoSession).order_by(SsoSession.created_at.desc()))
        assert row is not None
        s.expunge(row)
        return row


def test_backchannel_logout_1_0_upstream_logout_ends_the_nixa_session_and_tells_portals(
    live: LiveBroker,
) -> None:
    make_citizen(live.provider, personal_id=PERSONAL_ID)
    portal = make_portal(live.platform, backchannel_logout_uri=f"{PORTAL}/backchannel")
    with httpx.Client(timeout=10.0) as http:
        assert "code" in log_in(live, http, portal)
        sid = nixa_session(live).sid
        with live.platform.db.session() as s:
            assert s.scalar(select(UpstreamSession.upstream_sid_index).where(UpstreamSession.sid == sid))
        # The person logs out at the upstream provider itself.
        confirm = walk(http, f"{live.upstream.issuer}/session/end", PORTAL)
        assert isinstance(confirm, httpx.Response)
        submit(http, confirm, {"logout": "yes"}, PORTAL)
    assert nixa_session(live).ended_at is not None, "the upstream's logout token ended the NIXA session"
    with live.platform.db.session() as s:
        delivery = s.scalar(select(LogoutDelivery).where(LogoutDelivery.sid == sid))
        assert delivery is not None and delivery.client_id == portal.client_id, "the portal is told in turn"
        received = s.scalar(select(AuditRecord).where(AuditRecord.event == "federation:logout:received"))
        assert received is not None and received.data["sids"] == [sid]


def test_backchannel_logout_1_0_2_6_an_invalid_logout_token_is_refused(live: LiveBroker) -> None:
    with httpx.Client(timeout=10.0) as http:
        resp = http.post(
            f"{live.base_url}/federation/oidc/bank/backchannel-logout", data={"logout_token": "not.a.token"}
        )
        assert resp.status_code == 400
        assert resp.json()["error"] == "invalid_request"
        assert resp.headers["cache-control"] == "no-store"
        # Section 2.5: the logout_token parameter is required.
        assert (
            http.post(f"{live.base_url}/federation/oidc/bank/backchannel-logout", data={}).status_code == 400
        )


def test_rp_initiated_logout_1_0_nixa_logout_ends_the_upstream_session_too(live: LiveBroker) -> None:
    make_citizen(live.provider, personal_id=PERSONAL_ID)
    portal = make_portal(live.platform, post_logout_redirect_uris=[f"{PORTAL}/bye"])
    with httpx.Client(timeout=10.0) as http:
        log_in(live, http, portal)
        query = urlencode(
            {"client_id": portal.client_id, "post_logout_redirect_uri": f"{PORTAL}/bye", "state": "s1"}
        )
        confirm = walk(http, f"{live.base_url}/logout?{query}", PORTAL)
        assert isinstance(confirm, httpx.Response)
        done = submit(http, confirm, {"decision": "logout"}, PORTAL)
        assert isinstance(done, httpx.Response)
        # NIXA's logged-out page sends the browser on to the upstream provider's logout first.
        upstream_logout = done.headers["refresh"].split("url=", 1)[1]
        assert upstream_logout.startswith(f"{live.upstream.issuer}/session/end")
        upstream_confirm = walk(http, upstream_logout, PORTAL)
        assert isinstance(upstream_confirm, httpx.Response)
        back = submit(http, upstream_confirm, {"logout": "yes"}, PORTAL)
        assert back == f"{PORTAL}/bye?state=s1", "back through NIXA to the portal's registered URI"
        # The upstream session is gone: a new login there asks for the login again.
        _, challenge = pkce_pair()
        again = walk(
            http,
            f"{live.base_url}/authorize?{urlencode(authorize_params(portal, challenge, prompt='login'))}",
            PORTAL,
        )
        assert isinstance(again, httpx.Response)
        interaction_id = str(again.url).rsplit("/", 1)[1]
        upstream_page = walk(http, f"{live.base_url}/federation/login/bank/{interaction_id}", PORTAL)
        assert isinstance(upstream_page, httpx.Response) and 'name="login"' in upstream_page.text
    assert nixa_session(live).ended_at is not None
