"""The append-only, hash-chained audit trail (DESIGN.md data rules; OWASP ASVS 7.3.3-7.3.4)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from idp import audit
from idp.audit import AuditEvent
from idp.models import AuditRecord
from tests.support.db import audit_triggers_dropped
from tests.support.flows import authorize, begin, interaction_location, submit_login


@pytest.fixture
def logged_in(browser, portal, citizen, platform) -> int:
    """A login happened; returns how many audit records exist."""
    authorize(browser, portal, citizen)
    verdict = audit.verify(platform.db)
    assert verdict.ok, verdict.problems
    return verdict.records


def events(platform) -> list[str]:
    with platform.db.engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT event FROM audit_records ORDER BY seq"))]


def test_audit_login_is_recorded_and_the_chain_verifies(logged_in, platform):
    assert AuditEvent.LOGIN_SUCCEEDED in events(platform)
    assert AuditEvent.CONSENT_GIVEN in events(platform)
    assert logged_in >= 3


def test_audit_failed_login_is_recorded(browser, portal, citizen, platform):
    location = interaction_location(begin(browser, portal))
    assert submit_login(browser, location, citizen.personal_id, "wrong-password-1").status_code == 401
    assert AuditEvent.LOGIN_FAILED in events(platform)
    assert audit.verify(platform.db).ok


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_records SET event = 'login:nothing' WHERE seq = 1",
        "DELETE FROM audit_records WHERE seq = 1",
    ],
)
def test_audit_database_refuses_update_and_delete(logged_in, platform, statement):
    with pytest.raises(DBAPIError), platform.db.engine.begin() as conn:
        conn.execute(text(statement))
    assert audit.verify(platform.db).ok


def test_audit_changed_record_is_detected(logged_in, platform):
    with audit_triggers_dropped(platform.db), platform.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_records SET ip = '203.0.113.9' WHERE seq = 2"))
    verdict = audit.verify(platform.db)
    assert not verdict.ok
    assert any("record 2" in p and "changed" in p for p in verdict.problems), verdict.problems


def test_audit_deleted_record_is_detected(logged_in, platform):
    with audit_triggers_dropped(platform.db), platform.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_records WHERE seq = 2"))
    verdict = audit.verify(platform.db)
    assert not verdict.ok
    assert any("missing" in p for p in verdict.problems), verdict.problems


def test_audit_deleted_newest_record_is_detected(logged_in, platform):
    with audit_triggers_dropped(platform.db), platform.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_records WHERE seq = :n"), {"n": logged_in})
    verdict = audit.verify(platform.db)
    assert not verdict.ok
    assert any("newest" in p for p in verdict.problems), verdict.problems


def test_audit_forged_hash_breaks_the_next_link(logged_in, platform):
    # Someone changes record 1 and recomputes its hash: record 1 looks right, record 2's link does not.
    with platform.db.session() as s:
        r = s.get(AuditRecord, 1)
        assert r is not None
        forged = audit._digest(
            r.prev_hash, r.seq, r.at, r.event, r.actor, r.identity_id, r.client_id, "203.0.113.9", r.data
        )
    with audit_triggers_dropped(platform.db), platform.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_records SET ip = '203.0.113.9', hash = :h WHERE seq = 1"), {"h": forged}
        )
    verdict = audit.verify(platform.db)
    assert verdict.problems == ["record 2: link to the previous record is broken"]


def test_audit_appends_from_many_threads_at_once_form_one_unbroken_chain(platform):
    # Each append bumps the head under its lock and then writes the record and the head's new hash (one
    # statement on PostgreSQL, two on SQLite): concurrent appenders must still link each record to the
    # one committed just before it, with no gap and no fork.
    import threading

    threads, each = 6, 15
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def append(n: int) -> None:
        try:
            start.wait()
            for i in range(each):
                with platform.db.session() as s:
                    audit.record(s, AuditEvent.TOKEN_ISSUED, client_id=f"portal-{n}", data={"i": i})
        except BaseException as exc:  # reported below, with the thread's own error
            failures.append(exc)

    workers = [threading.Thread(target=append, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not failures, failures
    verdict = audit.verify(platform.db)
    assert verdict.ok, verdict.problems
    assert verdict.records == threads * each
    with platform.db.engine.connect() as conn:
        head = conn.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1")).one()
        newest = conn.execute(text("SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1")).one()
    assert tuple(head) == tuple(newest)
