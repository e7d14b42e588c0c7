from __future__ import annotations

from decimal import Decimal

import pytest

from core.clock import ManualClock
from core.store import audit
from core.store.db import database, sqlite_version_problem
from core.store.migrations import LATEST, schema_version
from core.store.models import AuditEvent, Order


@pytest.mark.parametrize("version,bad", [
    ("3.40.1", True), ("3.51.2", True), ("3.51.3", False), ("3.44.6", False), ("3.44.5", True),
    ("3.50.7", False), ("3.50.6", True), ("3.6.23", False), ("3.54.1", False),
])
def test_wal_reset_bug_versions_are_refused(version, bad):
    assert (sqlite_version_problem(version) is not None) is bad


def test_pragmas_and_schema_version(state_db):
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert schema_version(database) == LATEST


def test_money_round_trips_exactly_and_refuses_float(state_db):
    clock = ManualClock()
    with database.atomic():
        o = Order.create(woo_id=7, number="7", status="processing", total=Decimal("0.10"),
                         created_at=clock.now(), updated_at=clock.now())
    assert Order.get_by_id(o.id).total == Decimal("0.10")
    with pytest.raises(TypeError), database.atomic():
        Order.create(woo_id=8, number="8", status="processing", total=0.1,
                     created_at=clock.now(), updated_at=clock.now())


def test_audit_chain_detects_edit_and_delete(state_db):
    clock = ManualClock()
    for i in range(5):
        with database.atomic():
            audit.record("order", i, "received", f"order {i} received", actor="test",
                         data={"consumer_secret": "cs_x", "total": "1.00"}, clock=clock)
    assert audit.verify_chain().ok
    assert AuditEvent.get_by_id(1).data["consumer_secret"] == "[redacted]"
    AuditEvent.update(message="tampered").where(AuditEvent.id == 3).execute()
    report = audit.verify_chain()
    assert not report.ok and report.first_bad_id == 3
    AuditEvent.update(message="order 2 received").where(AuditEvent.id == 3).execute()
    assert audit.verify_chain().ok
    AuditEvent.delete().where(AuditEvent.id == 2).execute()
    report = audit.verify_chain()
    assert not report.ok and report.first_bad_id == 3
