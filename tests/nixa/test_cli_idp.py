"""`nixa idp add|list|remove`: the catalogue of upstream providers from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from idp.config import Settings
from idp.platform import Platform
from nixa.cli import app

SECRET = "upstream-secret-printed-nowhere-0123456789"


@pytest.fixture
def nixa(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NIXA_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("NIXA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("NIXA_ISSUER", settings.issuer)
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(app, list(args))
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return run


def test_idp_add_oidc_prints_the_callback_and_seals_the_secret(nixa, platform: Platform) -> None:
    out = json.loads(
        nixa(
            "idp", "add", "--name", "bank", "--protocol", "oidc", "--display-name", "Ngân hàng",
            "--discovery-url", "https://bank.example.vn/.well-known/openid-configuration",
            "--client-id", "nixa", "--client-secret", SECRET, "--trust-personal-id", "--identity-level", "2",
            "--acr-map", "urn:bank:high=urn:nixa:loa:3", "--acr-map", "urn:bank:low=urn:nixa:loa:1", "--json",
        ).stdout
    )  # fmt: skip
    assert out["callback_url"] == "http://testserver/federation/oidc/bank/callback"
    assert out["backchannel_logout_uri"] == "http://testserver/federation/oidc/bank/backchannel-logout"
    assert out["acr_map"] == {"urn:bank:high": 3, "urn:bank:low": 1}
    assert out["trusted_claims"] == ["personal_id"]
    assert SECRET not in json.dumps(out)
    listed = json.loads(nixa("idp", "list", "--json").stdout)
    assert [p["name"] for p in listed] == ["bank"]
    with platform.db.session() as s:
        dump = " ".join(str(r) for r in s.execute(text("SELECT * FROM federation_upstream_providers")).all())
    assert SECRET not in dump, "the client secret is sealed at rest"
    disabled = json.loads(nixa("idp", "update", "bank", "--disable", "--json").stdout)
    assert disabled["enabled"] is False
    assert json.loads(nixa("idp", "remove", "bank", "--json").stdout) == {"removed": "bank"}
    assert json.loads(nixa("idp", "list", "--json").stdout) == []


def test_idp_add_refuses_what_it_cannot_trust(nixa) -> None:
    base = ["idp", "add", "--name", "weak", "--protocol", "oidc", "--client-id", "x", "--client-secret", "y"]
    url = ["--discovery-url", "https://weak.example.vn/.well-known/openid-configuration"]
    bad_level = nixa(*base, *url, "--identity-level", "2", ok=False)
    assert bad_level.exit_code == 1 and "personal ID" in bad_level.output
    bad_map = nixa(*base, *url, "--acr-map", "high=urn:nixa:loa:9", ok=False)
    assert bad_map.exit_code == 1 and "acr mapping" in bad_map.output
    assert nixa(*base, ok=False).exit_code == 1, "an OIDC provider needs its discovery URL"
    assert nixa("idp", "remove", "nothing", ok=False).exit_code == 1


def test_idp_add_saml_reads_metadata_from_a_file(nixa, tmp_path: Path) -> None:
    from tests.federation.saml_idp import SamlIdP

    metadata = tmp_path / "idp.xml"
    metadata.write_text(SamlIdP("https://postal.example.vn", tmp_path / "keys").metadata_xml())
    out = json.loads(
        nixa(
            "idp", "add", "--name", "postal", "--protocol", "saml", "--metadata", str(metadata), "--json"
        ).stdout
    )
    assert out["entity_id"] == "https://postal.example.vn/idp/metadata"
    assert out["callback_url"] == "http://testserver/federation/saml/postal/acs"
    assert out["sp_metadata_url"] == "http://testserver/federation/saml/postal/metadata"
    metadata.write_text("<not-metadata/>")
    assert (
        nixa(
            "idp", "add", "--name", "other", "--protocol", "saml", "--metadata", str(metadata), ok=False
        ).exit_code
        == 1
    )


def test_idp_add_private_key_jwt_publishes_its_public_key(nixa, platform: Platform) -> None:
    from fastapi.testclient import TestClient

    from nixa.composition import build_idp_app

    out = json.loads(
        nixa(
            "idp", "add", "--name", "ministry", "--protocol", "oidc", "--auth-method", "private_key_jwt",
            "--discovery-url", "https://sso.example.gov.vn/.well-known/openid-configuration",
            "--client-id", "nixa", "--json",
        ).stdout
    )  # fmt: skip
    assert out["jwks_uri"] == "http://testserver/federation/oidc/ministry/jwks"
    with TestClient(build_idp_app(platform), base_url="http://testserver") as c:
        keys = c.get("/federation/oidc/ministry/jwks").json()["keys"]
    assert len(keys) == 1 and "d" not in keys[0], "only the public half is published"


def test_idp_add_saml_picks_one_idp_of_an_aggregate(nixa, tmp_path: Path) -> None:
    from tests.federation.saml_idp import SamlIdP

    bodies = [
        SamlIdP(f"https://{host}.example.vn", tmp_path / host).metadata_xml().split("?>", 1)[-1]
        for host in ("postal", "province")
    ]
    aggregate = tmp_path / "federation.xml"
    aggregate.write_text(
        '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">'
        + "".join(bodies)
        + "</md:EntitiesDescriptor>"
    )
    args = ["idp", "add", "--name", "province", "--protocol", "saml", "--metadata", str(aggregate)]
    several = nixa(*args, ok=False)
    assert several.exit_code == 1 and "--entity-id" in several.output
    out = json.loads(nixa(*args, "--entity-id", "https://province.example.vn/idp/metadata", "--json").stdout)
    assert out["entity_id"] == "https://province.example.vn/idp/metadata"
