"""Entity identifiers NIXA will fetch from (OpenID Federation 1.0 Section 1.2, and request forgery)."""

from __future__ import annotations

import pytest

from federation.openid_federation.errors import FederationError
from federation.openid_federation.resolver import HttpEntitySource, check_entity_id


@pytest.mark.parametrize(
    "entity_id",
    [
        "http://portal.gov.vn",
        "ftp://portal.gov.vn",
        "https://portal.gov.vn/?q=1",
        "https://portal.gov.vn/#x",
        "portal",
    ],
)
def test_1_2_an_entity_id_is_an_https_url_without_query_or_fragment(entity_id):
    with pytest.raises(FederationError, match="https URL"):
        check_entity_id(entity_id)


def test_in_development_loopback_http_is_allowed_for_local_federations():
    assert check_entity_id("http://127.0.0.1:8443/portal") == "http://127.0.0.1:8443/portal"


@pytest.mark.parametrize(
    "entity_id",
    [
        "https://localhost/x",
        "https://127.0.0.1",
        "https://10.1.2.3/ta",
        "https://169.254.169.254",
        "https://[::1]/x",
    ],
)
def test_in_production_nixa_does_not_fetch_from_its_own_machine_or_internal_networks(entity_id):
    with pytest.raises(FederationError, match=r"this machine|public host"):
        check_entity_id(entity_id, allow_loopback=False, allow_private=False)


def test_a_federation_on_a_private_network_can_be_allowed_but_never_loopback():
    assert check_entity_id("https://10.1.2.3/ta", allow_loopback=False, allow_private=True)
    with pytest.raises(FederationError, match="this machine"):
        check_entity_id("https://localhost/ta", allow_loopback=False, allow_private=True)


def test_the_http_source_refuses_before_connecting():
    source = HttpEntitySource(allow_loopback=False, allow_private=False)
    with pytest.raises(FederationError, match="public host"):
        source.entity_configuration("https://192.168.1.10/portal")
