"""Several NIXA processes behind one issuer, sharing the database and a Redis (README: serving).

Two ``nixa serve`` processes on two loopback ports stand for two workers behind a load balancer: a
login started on one finishes on the other, a code is redeemed once whichever process is asked, and
stopping Redis slows nothing down into failure: logins, sessions and replay protection carry on from
the database.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from idp.provider import OpenIDProvider
from tests.serving.cluster import Cluster, NixaProcess, RedisServer, cluster, free_port
from tests.support.factories import Citizen, PortalInfo, make_citizen, make_key_portal, make_portal, pkce_pair
from tests.support.flows import authorize_params, csrf_of, query_of
from tests.support.tokens import assertion_form, client_assertion


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(free_port(), tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def nixa(tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer) -> Iterator[Cluster]:
    with cluster(tmp_path_factory.mktemp("serving"), redis_server.url) as c:
        c.start(port=c.issuer_port)
        c.start()
        yield c


@pytest.fixture(scope="module")
def portal(nixa: Cluster) -> PortalInfo:
    return make_portal(nixa.platform)


@pytest.fixture(scope="module")
def key_portal(nixa: Cluster) -> PortalInfo:
    return make_key_portal(nixa.platform, grant_types=("client_credentials",))


@pytest.fixture
def citizen(nixa: Cluster) -> Citizen:
    return make_citizen(OpenIDProvider(nixa.platform))


def browser() -> httpx.Client:
    # Cookies do not depend on the port (RFC 6265 Section 8.5): one jar serves both processes, as one
    # browser talking to one host name behind a load balancer would.
    return httpx.Client(timeout=10.0, trust_env=False, follow_redirects=False)


def start_login(b: httpx.Client, on: NixaProcess, portal: PortalInfo) -> tuple[str, str, str]:
    """authorize and the login page on one process; returns the interaction path, CSRF token, verifier."""
    verifier, challenge = pkce_pair()
    r = b.get(f"{on.base_url}/authorize", params=authorize_params(portal, challenge))
    assert r.status_code == 303, r.text[:300]
    location = r.headers["location"]
    assert location.startswith("/interaction/")
    page = b.get(f"{on.base_url}{location}")
    assert page.status_code == 200 and 'name="password"' in page.text
    return location, csrf_of(page.text), verifier


def finish_login(
    b: httpx.Client, on: NixaProcess, location: str, csrf: str, citizen: Citizen
) -> dict[str, str]:
    """POST the login form (and consent when asked) on ``on``; returns the redirect's parameters."""
    r = b.post(
        f"{on.base_url}{location}/login",
        data={
            "csrf_token": csrf,
            "username": citizen.personal_id,
            "password": citizen.password,
            "action": "login",
        },
    )
    assert r.status_code == 303, r.text[:300]
    if r.headers["location"].startswith("/interaction/"):
        page = b.get(f"{on.base_url}{r.headers['location']}")
        assert 'value="approve"' in page.text, page.text[:300]
        r = b.post(
            f"{on.base_url}{r.headers['location']}/consent",
            data={"csrf_token": csrf_of(page.text), "decision": "approve"},
        )
        assert r.status_code == 303
    return query_of(r.headers["location"])


def redeem(on: NixaProcess, portal: PortalInfo, code: str, verifier: str) -> httpx.Response:
    return httpx.post(
        f"{on.base_url}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": portal.redirect_uri,
            "code_verifier": verifier,
        },
        auth=(portal.client_id, portal.client_secret or ""),
        trust_env=False,
        timeout=10.0,
    )


def full_login(nixa: Cluster, portal: PortalInfo, citizen: Citizen) -> tuple[httpx.Client, dict[str, object]]:
    a, b = nixa.processes
    client = browser()
    location, csrf, verifier = start_login(client, a, portal)
    params = finish_login(client, b, location, csrf, citizen)
    response = redeem(a, portal, params["code"], verifier)
    assert response.status_code == 200, response.text
    return client, response.json()


def test_login_started_on_one_process_finishes_on_the_other(
    nixa: Cluster, portal: PortalInfo, citizen: Citizen
) -> None:
    a, b = nixa.processes
    client, tokens = full_login(nixa, portal, citizen)
    assert tokens["id_token"] and tokens["access_token"]
    # The SSO session made on b is the browser's session on a too: no login page the second time.
    verifier, challenge = pkce_pair()
    r = client.get(f"{a.base_url}/authorize", params=authorize_params(portal, challenge))
    assert r.status_code == 303 and "code=" in r.headers["location"], r.headers["location"]
    assert redeem(b, portal, query_of(r.headers["location"])["code"], verifier).status_code == 200


def test_rfc6749_4_1_2_code_is_single_use_across_processes(
    nixa: Cluster, portal: PortalInfo, citizen: Citizen
) -> None:
    a, b = nixa.processes
    client = browser()
    location, csrf, verifier = start_login(client, a, portal)
    code = finish_login(client, a, location, csrf, citizen)["code"]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda p: redeem(p, portal, code, verifier), (a, b)))
    assert sorted(r.status_code for r in answers) == [200, 400], [r.text for r in answers]
    refused = next(r for r in answers if r.status_code == 400)
    assert refused.json()["error"] == "invalid_grant"
    # RFC 6749 Section 4.1.2: the tokens issued from a code used twice are revoked.
    issued = next(r for r in answers if r.status_code == 200).json()
    seen = httpx.post(
        f"{b.base_url}/introspect",
        data={"token": issued["access_token"]},
        auth=(portal.client_id, portal.client_secret or ""),
        trust_env=False,
    )
    assert seen.json() == {"active": False}


def client_credentials(on: NixaProcess, key_portal: PortalInfo, assertion: str) -> httpx.Response:
    return httpx.post(
        f"{on.base_url}/token",
        data={
            "grant_type": "client_credentials",
            "client_id": key_portal.client_id,
            **assertion_form(assertion),
        },
        trust_env=False,
    )


def test_rfc7523_3_jti_replay_on_another_process_is_refused_through_redis(
    nixa: Cluster, key_portal: PortalInfo, redis_server: RedisServer
) -> None:
    a, b = nixa.processes
    assertion = client_assertion(key_portal, f"{nixa.issuer}/token")
    assert client_credentials(a, key_portal, assertion).status_code == 200
    replay = client_credentials(b, key_portal, assertion)
    assert replay.status_code == 401 and replay.json()["error"] == "invalid_client"
    # The first use was claimed in Redis by process a, where process b found it.
    assert redis.Redis(port=redis_server.port).keys("nixa:jti:*")


def test_losing_redis_falls_back_to_the_database(
    nixa: Cluster, portal: PortalInfo, key_portal: PortalInfo, citizen: Citizen, redis_server: RedisServer
) -> None:
    a, b = nixa.processes
    earlier, _ = full_login(nixa, portal, citizen)
    redis_server.stop()
    try:
        # Logins go on, across processes, and the session made before Redis went away still holds.
        full_login(nixa, portal, citizen)
        verifier, challenge = pkce_pair()
        r = earlier.get(f"{b.base_url}/authorize", params=authorize_params(portal, challenge))
        assert r.status_code == 303 and "code=" in r.headers["location"]
        assert redeem(a, portal, query_of(r.headers["location"])["code"], verifier).status_code == 200
        # Replay protection goes on too: the database's unique jti decides alone now.
        assertion = client_assertion(key_portal, f"{nixa.issuer}/token")
        assert client_credentials(b, key_portal, assertion).status_code == 200
        replay = client_credentials(a, key_portal, assertion)
        assert replay.status_code == 401 and replay.json()["error"] == "invalid_client"
    finally:
        redis_server.start()


def test_nixa_serve_workers_runs_several_processes(
    nixa: Cluster, portal: PortalInfo, citizen: Citizen
) -> None:
    served = nixa.start(workers=2)
    workers = _children(served.proc.pid)
    assert len(workers) == 2, workers
    client = browser()
    location, csrf, verifier = start_login(client, served, portal)
    code = finish_login(client, served, location, csrf, citizen)["code"]
    assert redeem(served, portal, code, verifier).status_code == 200


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # Field 4 of /proc/PID/stat is the parent's pid (after the parenthesised command name).
            if (
                int(stat.rsplit(")", 1)[1].split()[1]) == pid
                and "resource_tracker" not in (entry / "cmdline").read_text()
            ):
                found.append(int(entry.name))
    return found
