"""Private keys and personal data are sealed at rest; secrets rotate without losing data."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text

from idp import keys
from idp.crypto import DecryptionError, Sealer
from idp.models import Identity, SigningKey
from tests.support.factories import make_citizen


def test_sealer_first_secret_seals_all_open():
    old = Sealer([b"old-secret"])
    blob = old.seal(b"077098517853", b"ctx")
    rotated = Sealer([b"new-secret", b"old-secret"])
    assert rotated.open(blob, b"ctx") == b"077098517853"
    assert rotated.open(rotated.seal(b"x"), b"") == b"x"
    with pytest.raises(DecryptionError):
        Sealer([b"new-secret"]).open(blob, b"ctx")
    with pytest.raises(DecryptionError):
        rotated.open(blob, b"other-context")  # bound to its row and column


def test_signing_keys_are_stored_sealed(app, platform):
    with platform.db.session() as s:
        rows = s.query(SigningKey).all()
        assert {r.state for r in rows} == {"current", "next"} and {r.alg for r in rows} == {"ES256", "RS256"}
        for r in rows:
            private = json.loads(
                Sealer(platform.settings.secrets.kek, purpose=b"signing-keys").open(
                    r.private_enc, r.kid.encode()
                )
            )
            assert private["d"].encode() not in r.private_enc
            assert "d" not in r.public_jwk


def test_next_key_is_published_before_it_signs(app, platform):
    with platform.db.session() as s:
        nxt = s.query(SigningKey).filter_by(alg="ES256", state="next").one().kid
    assert nxt in {k["kid"] for k in platform.keys.public_jwks()["keys"]}
    assert platform.keys.signing_key("ES256").kid != nxt


def test_a_private_key_is_opened_when_its_algorithm_first_signs(app, platform, monkeypatch):
    """Opening an RSA key (its import validates it) took most of a second at the first token after a
    start or a rotation, for portals that only use ES256."""
    opened: list[str] = []
    real = keys._import
    monkeypatch.setattr(keys, "_import", lambda alg, data: opened.append(alg) or real(alg, data))
    es256 = platform.keys.signing_key("ES256")
    assert opened == ["ES256"] and platform.keys.public_jwks()["keys"]
    assert platform.keys.signing_key("ES256") is es256 and opened == ["ES256"]
    assert platform.keys.signing_key("RS256").kid.startswith("rs256-") and opened == ["ES256", "RS256"]
    platform.keys.rotate(actor="test", alg="ES256")
    rotated = platform.keys.signing_key("ES256")
    assert rotated.kid != es256.kid and opened == ["ES256", "RS256", "ES256"]


def test_database_dump_of_identities_has_no_personal_data(op, platform):
    make_citizen(
        op,
        personal_id="079195000777",
        full_name="Trần Thị Bình",
        email="binh@example.vn",
        sex="F",
        birth_date=date(1995, 8, 2),
    )
    with platform.db.session() as s:
        dump = " ".join(str(row) for row in s.execute(text("SELECT * FROM identities")).all())
    for secret in ("079195000777", "Trần Thị Bình", "binh@example.vn", "1995-08-02"):
        assert secret not in dump


def test_a_person_written_into_a_log_shows_no_personal_data(op, platform):
    citizen = make_citizen(op, full_name="Lê Văn Cường", email="cuong@example.vn")
    with platform.db.session() as s:
        identity = s.get(Identity, citizen.id)
        assert identity is not None
        person = op.identities.person(identity)
    assert person.full_name == "Lê Văn Cường" and person.email == "cuong@example.vn"
    for shown in (repr(person), str(person), f"{person!r}"):
        assert shown == f"<Person {citizen.id}>"
