"""Settings: development secrets are generated; production refuses anything unsafe, saying why."""

from __future__ import annotations

import pytest

from idp.config import ConfigurationError, Settings

STRONG = "x" * 40


def prod(**kw: object) -> Settings:
    base: dict[str, object] = {
        "production": True,
        "issuer": "https://id.nixa.gov.vn",
        "key_encryption_secrets": [STRONG + "a"],
        "blind_index_secret": STRONG + "b",
        "pairwise_secret": STRONG + "c",
        "csrf_secret": STRONG + "d",
    }
    base.update(kw)
    return Settings(**base)  # type: ignore[arg-type]


def test_development_generates_secrets_into_the_data_dir(tmp_path):
    s = Settings(data_dir=tmp_path)
    assert s.secrets.kek and (tmp_path / "dev-secrets.json").exists()
    assert Settings(data_dir=tmp_path).secrets.csrf == s.secrets.csrf  # stable across restarts


def test_production_with_real_secrets_starts(tmp_path):
    prod(data_dir=tmp_path).check_production()


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"issuer": "http://id.nixa.gov.vn"}, "https"),
        ({"key_encryption_secrets": []}, "NIXA_KEY_ENCRYPTION_SECRETS"),
        ({"csrf_secret": None}, "NIXA_CSRF_SECRET is not set"),
        ({"pairwise_secret": "changeme"}, "placeholder"),
    ],
)
def test_production_refuses_unsafe_settings(tmp_path, override, reason):
    with pytest.raises(ConfigurationError, match=reason):
        prod(data_dir=tmp_path, **override).check_production()


def test_production_refuses_development_secrets(tmp_path):
    dev = Settings(data_dir=tmp_path).secrets
    with pytest.raises(ConfigurationError, match="development secret"):
        prod(data_dir=tmp_path, csrf_secret=dev.csrf.decode()).check_production()


def test_production_allows_localhost_http_issuer(tmp_path):
    prod(data_dir=tmp_path, issuer="http://localhost:8000").check_production()
