"""The conditions that need no stand-in fault: a tampered audit trail, yesterday's
reconciliation difference and a worker that stopped — each raised once, resolved once, through a
real HTTP receiver, from real rows in a real state database."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from core.alerts.channels import WebhookChannel
from core.alerts.digest import stored_reconciler
from core.alerts.service import AlertService
from core.clock import ManualClock
from core.config import Settings
from core.store import audit
from core.store.db import close_db, database, init_db
from core.store.models import AuditEvent, Order
from core.worker.lease import Lease
from tests.core.alert_receivers import HookReceiver

SECRET = "conditions-hook-secret-51"


@pytest.fixture
def setup(tmp_path):
    clock = ManualClock()
    init_db(tmp_path / "state.db")
    hook = HookReceiver(SECRET).start()
    s = Settings()
    s.alerts.webhook.url = hook.url
    s.alerts.digest_at = ""
    service = AlertService(s, [WebhookChannel(s.alerts, SECRET)],
                           reconciler=stored_reconciler(("processing", "completed")), clock=clock)
    yield clock, hook, service
    hook.stop()
    close_db()


def _told(hook):
    return [(h["state"], h["condition"]) for h in hook.got if h["type"] == "alert"]


def test_tampered_audit_trail_alerts_once(setup):
    clock, hook, service = setup
    with database.atomic():
        for i in range(3):
            audit.record("order", i, "received", f"order {i} received", actor="test", clock=clock)
    assert service.check().conditions == []
    AuditEvent.update(message="order 1 received (edited)").where(
        AuditEvent.entity_id == "1").execute()
    assert service.check().conditions == []  # the chain walk runs every 6 hours, not each minute
    clock.advance(hours=6, minutes=1)
    [cond] = service.check().conditions
    assert cond.key == "audit_chain_broken" and "audit event" in cond.detail
    clock.advance(hours=7)
    service.check()
    assert _told(hook) == [("raised", "audit_chain_broken")]


def test_reconciliation_difference_then_next_day(setup):
    clock, hook, service = setup
    yesterday = clock.now() - timedelta(days=1)
    Order.create(woo_id=501, number="501", status="processing", total=Decimal("42.10"),
                 payment_method="stripe", date_created_gmt=yesterday, date_paid_gmt=yesterday,
                 state="held", hold_reason="sku", created_at=yesterday, updated_at=yesterday)
    conds = {c.key: c for c in service.check().conditions}
    assert set(conds) == {"reconciliation_difference", "held_orders"}  # held for a day, too
    cond = conds["reconciliation_difference"]
    assert "differ by 42.10" in cond.title and "--from" in cond.detail
    clock.advance(days=1)  # the new yesterday has no orders: no difference
    assert [c.key for c in service.check().conditions] == ["held_orders"]
    told = [t for t in _told(hook) if t[1] == "reconciliation_difference"]
    assert told == [("raised", "reconciliation_difference"),
                    ("resolved", "reconciliation_difference")]


def test_stopped_worker_alerts_after_ten_minutes_and_resolves_when_back(setup):
    clock, hook, service = setup
    lease = Lease(mode="headless", ttl_s=60, clock=clock, host="office-srv", pid=4242)
    lease.acquire({})
    clock.advance(minutes=5)
    assert service.check().conditions == []  # expired, but not yet 10 minutes
    clock.advance(minutes=6)
    [cond] = service.check().conditions
    assert cond.key == "worker_down" and "office-srv" in cond.detail
    assert "No worker has run for 11 minutes" == cond.title
    lease.acquire({})  # started again
    assert service.check().conditions == []
    assert _told(hook) == [("raised", "worker_down"), ("resolved", "worker_down")]
