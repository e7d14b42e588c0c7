"""The poller against the stand-in: cursor, overlap, page boundaries, disabled webhooks."""
from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from core.clock import ManualClock
from core.intake.poller import (
    OrderWalk,
    check_webhook_health,
    poll_once,
    read_cursor,
    save_cursor,
)
from core.replay import order_job_key
from core.secrets.keys import ENV_VAR
from core.store.db import close_db
from core.store.models import AuditEvent, Job, Order
from core.woo.client import WooClient, gmt
from core.woo.webhook_admin import install_webhooks
from sandbox.woo import WooStandIn
from tests.core.intake_helpers import make_vault

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class ShopClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    shop_clock = ShopClock(T0)
    shop = WooStandIn(tmp_path / "shop", seed=5, clock=shop_clock, webhook_delay=0)
    shop.start()
    clock = ManualClock(T0)
    _, vault = make_vault(tmp_path / "ws", clock)
    # Plain HTTP + OAuth with the shop's own clock, so its ±15 min check agrees.
    client = WooClient(shop.url, shop.consumer_key, shop.consumer_secret,
                       oauth_now=lambda: shop_clock().timestamp())
    control = httpx.Client(base_url=shop.url, timeout=60)
    yield shop, shop_clock, client, control, clock, vault
    control.close()
    client.close()
    shop.stop()
    close_db()


def _orders(control: httpx.Client, n: int) -> list[int]:
    r = control.post("/_sandbox/activity", json={"orders": n})
    r.raise_for_status()
    return r.json()["orders"]


def test_page_boundaries_inside_one_second_and_cursor(env):
    shop, shop_clock, client, control, clock, _ = env
    created = _orders(control, 150)  # 150 orders in the same second: a page boundary inside it
    shop_clock.now = T0 + timedelta(seconds=1)
    created += _orders(control, 120)
    shop_clock.now = T0 + timedelta(seconds=90)
    created += _orders(control, 80)
    save_cursor("orders", T0 - timedelta(minutes=10), clock)
    result = poll_once(client, clock=clock, overlap_s=0, per_page=100)
    assert (result.seen, result.changed) == (350, 350)
    assert {o.woo_id for o in Order.select()} == set(created)
    assert read_cursor("orders") == T0 + timedelta(seconds=90) == result.cursor
    again = poll_once(client, clock=clock, overlap_s=300, per_page=100)
    assert again.changed == 0 and again.seen == 350  # the overlap re-reads, changes nothing
    assert Order.select().count() == 350


def test_orders_modified_during_the_walk_are_not_skipped(env):
    shop, shop_clock, client, control, clock, _ = env
    ids = []
    for i in range(5):
        shop_clock.now = T0 + timedelta(seconds=10 * i)
        ids += _orders(control, 60)
    touched: list[int] = []

    def on_page(result, page):
        if not touched:  # after page 1: the oldest order changes and moves to the end
            shop_clock.now = T0 + timedelta(minutes=5)
            control.post(f"/_sandbox/orders/{ids[0]}/touch",
                         json={"status": "completed"}).raise_for_status()
            touched.append(ids[0])
            ids.extend(_orders(control, 3))

    walk = OrderWalk(client, cursor_name="orders", clock=clock, source="poll", per_page=100,
                     on_page=on_page)
    result = walk.run(T0 - timedelta(seconds=1))
    assert {o.woo_id for o in Order.select()} == set(ids)
    assert Order.get(Order.woo_id == ids[0]).status == "completed"
    assert result.changed == 303 + 1  # 303 orders, one of them twice (its newer snapshot)


def test_overlap_catches_a_late_commit_behind_the_cursor(env):
    shop, shop_clock, client, control, clock, _ = env
    shop_clock.now = T0 + timedelta(minutes=30)
    clock.advance(minutes=30)  # our clock agrees with the shop's (the cursor stops at now + skew)
    _orders(control, 5)
    save_cursor("orders", T0, clock)
    poll_once(client, clock=clock, overlap_s=300)
    assert read_cursor("orders") == T0 + timedelta(minutes=30)
    shop_clock.now = T0 + timedelta(minutes=28)  # stamped before the cursor, seen only now
    late = _orders(control, 1)[0]
    narrow = poll_once(client, clock=clock, overlap_s=60)
    assert narrow.changed == 0 and not Order.get_or_none(Order.woo_id == late)
    wide = poll_once(client, clock=clock, overlap_s=300)
    assert wide.changed == 1 and Order.get(Order.woo_id == late)
    assert read_cursor("orders") == T0 + timedelta(minutes=30)  # never moves back


def test_first_poll_looks_back_a_day_and_many_changes_read_full_pages(env):
    shop, shop_clock, client, control, clock, _ = env
    shop_clock.now = T0 - timedelta(days=2)
    _orders(control, 4)  # older than the first poll's look-back: backfill's job
    shop_clock.now = T0 - timedelta(hours=1)
    recent = _orders(control, 40)
    sent = client.requests_sent
    result = poll_once(client, clock=clock)
    assert result.changed == 40 and {o.woo_id for o in Order.select()} == set(recent)
    assert client.requests_sent - sent == 2  # one cheap page + one full page (not 40 GETs)


def _dead_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there: every delivery fails
    return f"http://127.0.0.1:{port}/webhooks/woocommerce"


def test_disabled_webhook_is_reported_and_polling_catches_every_order(env):
    shop, shop_clock, client, control, clock, vault = env
    url = _dead_url()
    install_webhooks(client, vault, url, actor="test", topics=("order.created",))
    assert [h.status for h in check_webhook_health(client, clock=clock)] == ["active"]
    save_cursor("orders", T0 - timedelta(minutes=1), clock)
    created = []
    for _ in range(8):  # the 7th failed delivery in a row disables the webhook
        created += _orders(control, 1)
        assert shop.flush_webhooks()
    hooks = check_webhook_health(client, clock=clock)
    assert [h.status for h in hooks] == ["disabled"]
    alert = AuditEvent.get(AuditEvent.kind == "disabled")
    assert "polling" in alert.message and alert.entity == "webhook"
    check_webhook_health(client, clock=clock)  # still disabled: alerted once, not again
    assert AuditEvent.select().where(AuditEvent.kind == "disabled").count() == 1
    result = poll_once(client, clock=clock)
    assert result.changed == 8 and {o.woo_id for o in Order.select()} == set(created)
    # Re-installing re-activates the same webhook with a fresh secret.
    again = install_webhooks(client, vault, url, actor="test", topics=("order.created",))
    assert [a.action for a in again] == ["updated"]
    assert [h.status for h in check_webhook_health(client, clock=clock)] == ["active"]


def _touch(control: httpx.Client, woo_id: int, **changes: str) -> str:
    r = control.post(f"/_sandbox/orders/{woo_id}/touch", json=changes)
    r.raise_for_status()
    return str(r.json()["date_modified_gmt"])


def test_a_same_second_change_whose_webhook_was_lost_is_caught_by_the_next_poll(env):
    """Stored snapshot and a later change share date_modified_gmt (the shop's clock is
    second-granular) and the change's webhook is dropped: "strictly newer" never re-reads it,
    the cheap fields (status, total, paid, refunds) do — and a quiet poll stays one request."""
    from types import SimpleNamespace

    from core.pipeline.post_order import store_fresh

    shop, shop_clock, client, control, clock, _ = env
    woo_id = _orders(control, 1)[0]
    save_cursor("orders", T0 - timedelta(minutes=1), clock)
    assert poll_once(client, clock=clock).changed == 1
    stored = Order.get(Order.woo_id == woo_id)
    control.post("/_sandbox/faults", json={"drop_webhooks_rate": 1.0}).raise_for_status()
    new_status = "on-hold" if stored.status != "on-hold" else "completed"
    stamp = _touch(control, woo_id, status=new_status)  # the shop's clock has not moved
    assert gmt(stamp) == stored.modified_gmt

    sent = client.requests_sent
    result = poll_once(client, clock=clock)
    assert result.changed == 1
    assert client.requests_sent - sent == 2  # the cheap page + one GET of that order
    assert Job.get(Job.key == order_job_key(woo_id)).status == "queued"
    event = AuditEvent.select().where(AuditEvent.entity_id == str(woo_id)).order_by(
        AuditEvent.id.desc()).first()
    assert event is not None and "same second" in event.message

    # The queued job's REST re-read stores the change; from then on polling is quiet and cheap.
    ctx = SimpleNamespace(actor="worker", clock=clock)
    store_fresh(ctx, Order.get(Order.woo_id == woo_id), client.get_order(woo_id))  # type: ignore[arg-type]
    assert Order.get(Order.woo_id == woo_id).status == new_status
    sent = client.requests_sent
    assert poll_once(client, clock=clock).changed == 0
    assert client.requests_sent - sent == 1

    # The full (non-cheap) walk compares the same fields.
    _touch(control, woo_id, status="cancelled")
    assert poll_once(client, clock=clock, cheap=False).changed == 1
    assert poll_once(client, clock=clock, cheap=False).changed == 1  # until the job re-reads
