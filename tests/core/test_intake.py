"""accept_order_snapshot: one row per order, newest snapshot wins, job and audit with it."""
from __future__ import annotations

import random
import threading
from decimal import Decimal

import httpx
import pytest

from core.clock import ManualClock
from core.intake.inbox import (
    accept_order_snapshot,
    customer_key,
    mark_order_trashed,
    process_deliveries,
)
from core.intake.receiver import StaticSecrets, WebhookReceiver
from core.intake.service import ReceiverServer
from core.replay import ORDER_JOB
from core.secrets.keys import ENV_VAR
from core.skus import no_sku_key
from core.store import audit
from core.store.db import close_db, database
from core.store.models import AuditEvent, Job, Order, OrderSku, WebhookDelivery
from tests.core.intake_helpers import (
    WEBHOOK_SECRET,
    body_of,
    delivery_headers,
    make_workspace,
    order_payload,
)


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    make_workspace(tmp_path / "ws")
    yield
    close_db()


def test_new_order_becomes_an_inbox_row_with_job_skus_and_audit(db):
    clock = ManualClock()
    payload = order_payload(7, "2026-11-27T10:00:00", total="256.97", customer_id=3,
                            skus=("CL-HOODIE-M", "", "CL-BEANIE-003", "CL-HOODIE-M"))
    assert accept_order_snapshot(payload, source="webhook", clock=clock)
    order = Order.get(Order.woo_id == 7)
    assert (order.state, order.status, order.customer_key) == ("new", "processing", "id:3")
    assert order.total == Decimal("256.97") and order.customer_name == "Ann Lee"
    assert order.modified_gmt.isoformat() == "2026-11-27T10:00:00+00:00"
    assert order.payload == payload
    skus = sorted(s.sku for s in OrderSku.select().where(OrderSku.order == order))
    assert skus == sorted(["CL-HOODIE-M", "CL-BEANIE-003", no_sku_key(101)])
    job = Job.get()
    assert (job.kind, job.key, job.group_key, job.status) == (ORDER_JOB, "order:7", "id:3",
                                                              "queued")
    event = AuditEvent.get()
    assert (event.entity, event.entity_id, event.kind) == ("order", "7", "received")
    assert event.data["source"] == "webhook" and audit.verify_chain().ok


def test_guest_key_is_the_lower_cased_email():
    assert customer_key({"customer_id": 0, "billing": {"email": " Emma.OConnor@Example.COM "}}) \
        == "guest:emma.oconnor@example.com"
    assert customer_key({"customer_id": 12, "billing": {"email": "x@y"}}) == "id:12"


def test_older_or_same_snapshot_never_overwrites_newer(db):
    clock = ManualClock()
    newer = order_payload(8, "2026-11-27T10:05:00", status="completed", total="20.00")
    older = order_payload(8, "2026-11-27T10:00:00", status="processing", total="10.00")
    assert accept_order_snapshot(newer, source="poll", clock=clock)
    assert not accept_order_snapshot(older, source="webhook", clock=clock)
    assert not accept_order_snapshot(newer, source="webhook", clock=clock)
    order = Order.get(Order.woo_id == 8)
    assert (order.status, order.total) == ("completed", Decimal("20.00"))
    assert AuditEvent.select().count() == 1 and Job.select().count() == 1
    newest = order_payload(8, "2026-11-27T10:09:00", status="refunded", total="20.00",
                           skus=("OTHER-SKU",))
    assert accept_order_snapshot(newest, source="webhook", clock=clock)
    order = Order.get(Order.woo_id == 8)
    assert order.status == "refunded" and order.state == "new"
    assert [s.sku for s in OrderSku.select().where(OrderSku.order == order)] == ["OTHER-SKU"]
    assert Order.select().count() == 1


def test_drafts_are_not_orders_and_trash_is_noted(db):
    clock = ManualClock()
    assert not accept_order_snapshot(order_payload(9, "2026-11-27T10:00:00",
                                                   status="checkout-draft"), source="poll",
                                     clock=clock)
    assert Order.select().count() == 0
    assert not mark_order_trashed(9, source="webhook", clock=clock)  # unknown: nothing to do
    accept_order_snapshot(order_payload(9, "2026-11-27T10:01:00"), source="poll", clock=clock)
    assert mark_order_trashed(9, source="webhook", clock=clock)
    assert Order.get(Order.woo_id == 9).status == "trash"
    assert not mark_order_trashed(9, source="webhook", clock=clock)


def test_bad_delivery_bodies_are_recorded_and_skipped(db):
    clock = ManualClock()
    with database.atomic():
        for body in (b"not json", b"[1,2]", b'{"code":"woocommerce_rest_shop_order_invalid_id"}',
                     body_of(order_payload(10, "2026-11-27T10:00:00"))):
            WebhookDelivery.create(received_at=clock.now(), topic="order.updated",
                                   verdict="accepted", body=body)
        WebhookDelivery.create(received_at=clock.now(), topic="customer.updated",
                               verdict="accepted", body=b'{"id":3}')
    result = process_deliveries(clock)
    assert (result.processed, result.orders_changed, result.errors) == (5, 1, 3)
    assert WebhookDelivery.select().where(WebhookDelivery.processed_at.is_null()).count() == 0
    assert WebhookDelivery.select().where(WebhookDelivery.error.is_null(False)).count() == 3
    assert process_deliveries(clock).processed == 0


def test_processing_pauses_between_groups_for_a_burst_and_resumes_where_it_stopped(db):
    """The receiver's burst (pause() true) stops processing after the group in hand; the rest
    stays stored, unprocessed, and the next pass takes it, oldest first."""
    clock = ManualClock()
    with database.atomic():
        for n in range(25):
            WebhookDelivery.create(received_at=clock.now(), topic="order.updated",
                                   verdict="accepted",
                                   body=body_of(order_payload(300 + n, "2026-11-27T10:00:00")))
    asked: list[int] = []

    def pause() -> bool:
        asked.append(1)
        return True

    first = process_deliveries(clock, per_transaction=10, pause=pause)
    assert (first.processed, first.more, len(asked)) == (10, True, 1)
    assert sorted(o.woo_id for o in Order.select()) == list(range(300, 310))
    rest = process_deliveries(clock, per_transaction=10, pause=lambda: False)
    assert (rest.processed, rest.more) == (15, False)
    assert Order.select().count() == 25
    assert WebhookDelivery.select().where(WebhookDelivery.processed_at.is_null()).count() == 0


def test_same_order_delivered_one_to_five_times_shuffled_and_concurrently(db):
    """20 snapshots of one order and 1 of each of 30 others, each delivered 1-5 times, shuffled,
    from 6 threads through the real receiver: one row per order, the newest snapshot wins."""
    clock = ManualClock()
    app = WebhookReceiver(StaticSecrets({"": WEBHOOK_SECRET}), clock=clock)
    server = ReceiverServer(app, "127.0.0.1:0")
    server.start()
    rng = random.Random(7)
    snapshots = [order_payload(100, f"2026-11-27T10:{m:02d}:00", total=f"{m}.00")
                 for m in range(20)]
    snapshots += [order_payload(200 + i, "2026-11-27T11:00:00") for i in range(30)]
    deliveries = [s for s in snapshots for _ in range(rng.randint(1, 5))]
    rng.shuffle(deliveries)
    lanes = [deliveries[i::6] for i in range(6)]
    statuses: list[int] = []

    def send(lane: list[dict]) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for payload in lane:
                body = body_of(payload)
                statuses.append(http.post("/webhooks/woocommerce", content=body,
                                          headers=delivery_headers(body)).status_code)
    threads = [threading.Thread(target=send, args=(lane,)) for lane in lanes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.stop()
    assert statuses == [200] * len(deliveries)
    assert WebhookDelivery.select().count() == len(deliveries)
    process_deliveries(clock)
    assert Order.select().count() == 31
    order = Order.get(Order.woo_id == 100)
    assert order.total == Decimal("19.00")
    assert order.payload["date_modified_gmt"] == "2026-11-27T10:19:00"
    assert Job.select().where(Job.key == "order:100").count() == 1
    # every accepted snapshot that was newer when processed left one "received" event, no more
    received = AuditEvent.select().where((AuditEvent.entity_id == "100")
                                         & (AuditEvent.kind == "received")).count()
    assert 1 <= received <= 20
