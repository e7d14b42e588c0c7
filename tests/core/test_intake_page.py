"""A page of new orders stored at once (the backfill's path) leaves exactly what the one-order
door leaves: the same Order rows, SKUs, "received" events in an intact chain, and jobs; orders
already known, already queued, twice on the page or drafts go through the one-order door."""
from __future__ import annotations

from typing import Any

import pytest

from core.clock import ManualClock
from core.intake.inbox import accept_order_snapshot
from core.intake.page import accept_new_orders
from core.store import audit
from core.store.db import database, tuples
from core.store.models import AuditEvent, Job, Order, OrderSku
from tests.core.intake_helpers import closing_db, make_workspace, order_payload

ORDER_COLUMNS = (Order.woo_id, Order.number, Order.status, Order.customer_key,
                 Order.customer_name, Order.total, Order.currency, Order.payment_method,
                 Order.date_created_gmt, Order.date_paid_gmt, Order.modified_gmt, Order.payload,
                 Order.state, Order.attempts, Order.created_at, Order.updated_at)


def _page() -> list[dict[str, Any]]:
    return [order_payload(100 + i, f"2026-11-27T09:00:{i:02d}", customer_id=i % 3,
                          email=f"g{i}@example.com", total=f"{10 + i}.50",
                          skus=("TEE-BLU-M", f"MUG-{i}") if i % 2 else ("",))
            for i in range(12)]


def _state() -> dict[str, Any]:
    return {
        "orders": sorted(tuples(Order.select(*ORDER_COLUMNS))),
        "skus": sorted((o, s, n) for o, s, n in tuples(
            OrderSku.select(Order.woo_id, OrderSku.sku, OrderSku.product_name).join(Order))),
        "events": [tuple(r) for r in tuples(AuditEvent.select(
            AuditEvent.at, AuditEvent.entity, AuditEvent.entity_id, AuditEvent.kind,
            AuditEvent.actor, AuditEvent.message, AuditEvent.data).order_by(AuditEvent.id))],
        "jobs": sorted(tuples(Job.select(Job.kind, Job.key, Job.group_key, Job.status,
                                         Job.attempts, Job.run_at, Job.rerun))),
    }


def _stored(root, store) -> dict[str, Any]:
    make_workspace(root)
    with closing_db():
        with database.atomic("IMMEDIATE"):
            store(_page(), ManualClock())
        assert audit.verify_chain().ok
        return _state()


def _one_by_one(page, clock) -> None:
    for p in page:
        accept_order_snapshot(p, source="backfill", clock=clock)


def _as_a_page(page, clock) -> None:
    stored, rest = accept_new_orders(page, source="backfill", clock=clock)
    assert (stored, rest) == (len(page), [])


def test_a_page_of_new_orders_stores_what_the_one_order_door_stores(tmp_path) -> None:
    one = _stored(tmp_path / "one", _one_by_one)
    page = _stored(tmp_path / "page", _as_a_page)
    assert len(one["orders"]) == 12 and len(one["jobs"]) == 12 and len(one["events"]) == 12
    assert page == one


@pytest.fixture
def inbox(tmp_path):
    make_workspace(tmp_path)
    with closing_db():
        yield


def test_known_queued_duplicate_and_draft_orders_go_to_the_one_order_door(inbox) -> None:
    clock = ManualClock()
    known = order_payload(1, "2026-11-27T09:00:00")
    accept_order_snapshot(known, source="poll", clock=clock)
    with database.atomic():
        Job.create(kind="post_order", key="order:2", status="done", run_at=clock.now(),
                   created_at=clock.now(), updated_at=clock.now())
    newer_known = order_payload(1, "2026-11-27T09:05:00", status="completed")
    queued = order_payload(2, "2026-11-27T09:05:00")
    twice = [order_payload(3, "2026-11-27T09:05:00"), order_payload(3, "2026-11-27T09:06:00")]
    draft = order_payload(4, "2026-11-27T09:05:00", status="checkout-draft")
    new = order_payload(5, "2026-11-27T09:05:00")
    page = [newer_known, queued, *twice, draft, new]
    with database.atomic("IMMEDIATE"):
        stored, rest = accept_new_orders(page, source="backfill", clock=clock)
    assert stored == 1
    assert [p["id"] for p in rest] == [1, 2, 3, 3, 4]
    assert Order.get(Order.woo_id == 5).state == "new"
    assert Job.get(Job.key == "order:5").status == "queued"
    assert Order.get(Order.woo_id == 1).status == "processing"  # left to the one-order door
    assert audit.verify_chain().ok
