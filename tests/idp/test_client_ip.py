"""Which address a request comes from, behind trusted reverse proxies or not."""

from __future__ import annotations

import pytest

from idp.web.deps import parse_networks, resolve_client_ip

PROXIES = parse_networks(["10.0.0.0/8", "192.0.2.7"])


@pytest.mark.parametrize(
    ("peer", "xff", "expected"),
    [
        ("203.0.113.9", None, "203.0.113.9"),  # no proxy in front
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # header from an untrusted peer is ignored
        ("10.1.2.3", "198.51.100.1", "198.51.100.1"),  # our proxy tells us the client
        ("10.1.2.3", "6.6.6.6, 198.51.100.1, 192.0.2.7", "198.51.100.1"),  # forged left part is skipped
        ("10.1.2.3", "10.9.9.9, 192.0.2.7", "10.1.2.3"),  # only our own proxies: the peer stands
        ("10.1.2.3", "not-an-ip", "10.1.2.3"),  # garbage is not believed
        ("10.1.2.3", "", "10.1.2.3"),
        (None, "198.51.100.1", None),
    ],
)
def test_forwarded_for_is_believed_only_from_trusted_proxies(peer, xff, expected):
    assert resolve_client_ip(peer, xff, PROXIES) == expected


def test_no_trusted_proxies_means_the_peer(app):
    assert app.state.trusted_proxies == []
    assert resolve_client_ip("10.1.2.3", "198.51.100.1", []) == "10.1.2.3"


def test_a_malformed_proxy_setting_stops_the_server(settings):
    from idp.web.app import create_app

    with pytest.raises(ValueError):
        create_app(settings.model_copy(update={"trusted_proxies": ["10.0.0.0/33"]}))
