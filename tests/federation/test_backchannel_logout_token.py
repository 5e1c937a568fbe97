"""Back-Channel Logout 1.0 Section 2.6: validating an upstream provider's logout token, with tokens crafted
and signed by test keys and the provider's discovery document and JWKS served on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from federation.broker.logout import LOGOUT_EVENT, OidcLogout
from federation.broker.service import Broker
from federation.upstream.catalogue import ProviderCatalogue, ProviderConfig, ProviderInfo
from federation.upstream.models import UpstreamSession
from idp.errors import InvalidRequest
from idp.models import Identity, SsoSession
from idp.platform import Platform
from idp.provider import OpenIDProvider
from idp.sessions import SessionStore
from tests.federation.test_oidc_id_token import CLIENT, FakeUpstream
from tests.support.factories import make_citizen


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    fake = FakeUpstream()
    yield fake
    fake.server.shutdown()


@pytest.fixture
def provider(platform: Platform, upstream: FakeUpstream) -> ProviderInfo:
    config = ProviderConfig(
        discovery_url=f"{upstream.issuer}/.well-known/openid-configuration", client_id=CLIENT
    )
    with platform.db.session() as s:
        return ProviderCatalogue(platform.sealer).add(
            s, name="bank", display_name="Bank", protocol="oidc", config=config, client_secret="x" * 40
        )


@pytest.fixture
def logout(platform: Platform) -> OidcLogout:
    return OidcLogout(Broker(platform))


def logout_token(upstream: FakeUpstream, **claims: object) -> str:
    body: dict[str, object] = {
        "sid": "upstream-sid-1",
        "jti": f"jti-{time.time_ns()}",
        "events": {LOGOUT_EVENT: {}},
    }
    body |= {"nonce": None, "exp": int(time.time()) + 120}
    body.update(claims)
    return upstream.sign(**body)


def test_backchannel_logout_1_0_2_6_a_valid_token_names_the_session(
    logout: OidcLogout, provider: ProviderInfo, upstream: FakeUpstream
) -> None:
    claims = logout.verify_logout_token(provider, logout_token(upstream))
    assert claims["sid"] == "upstream-sid-1"


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        ({"nonce": "n"}, "nonce"),  # Section 2.6 step 6: MUST NOT contain a nonce
        ({"events": {"other": {}}}, "event"),  # step 5: the back-channel logout event
        ({"events": None}, "event"),
        ({"sid": None, "sub": None}, "neither"),  # step 4: sub, sid or both
        ({"aud": "another-client"}, "not issued"),  # step 3 as for ID tokens
        ({"iss": "https://elsewhere.example"}, "not issued"),
        ({"iat": int(time.time()) - 3600}, "iat"),
        ({"jti": None}, "jti"),
    ],
)
def test_backchannel_logout_1_0_2_6_an_invalid_token_is_refused(
    logout: OidcLogout, provider: ProviderInfo, upstream: FakeUpstream, claims: dict[str, object], why: str
) -> None:
    with pytest.raises(InvalidRequest, match=why):
        logout.verify_logout_token(provider, logout_token(upstream, **claims))


def test_backchannel_logout_1_0_2_6_a_replayed_token_is_refused_and_sub_alone_ends_every_session(
    logout: OidcLogout, provider: ProviderInfo, upstream: FakeUpstream, op: OpenIDProvider, platform: Platform
) -> None:
    citizen = make_citizen(op)
    broker = logout.broker
    with platform.db.session() as s:
        person = s.get(Identity, citizen.id)
        assert person is not None
        sids = []
        for _ in range(2):
            row, _cookie = SessionStore(3600, 600).start(
                s, identity=person, auth_level=2, amr=["fed"], ip=None, user_agent=None
            )
            sids.append(row.sid)
            s.add(
                UpstreamSession(
                    sid=row.sid,
                    provider_id=provider.id,
                    subject_index=broker.linker.subject_index(provider.id, "upstream-sub"),
                )
            )
    # Section 2.4: a token without sid means every session of that subject at the provider.
    token = logout_token(upstream, sid=None)
    logout.receive(op.single_logout, "bank", token, None)
    with platform.db.session() as s:
        ended = s.scalars(select(SsoSession.ended_at).where(SsoSession.sid.in_(sids))).all()
    assert all(e is not None for e in ended)
    with pytest.raises(InvalidRequest, match="already received"):
        logout.receive(op.single_logout, "bank", token, None)
