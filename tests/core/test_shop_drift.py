"""Issue 13 item 2, the periodic check (core.intake.drift): status changes the shop did not
announce are taken in once, without a poll. Against the WooCommerce stand-in, which (like the
real store) sends no webhook when an order's status is changed out of trash."""
from __future__ import annotations

import httpx
import pytest

from core.intake.drift import DRIFT_KEY, check_drift
from core.store.db import close_db
from core.store.models import AuditEvent, Order, Setting
from tests.core.pipeline_env import start_env


@pytest.fixture
def env(tmp_path):
    e = start_env(tmp_path, orders=6, seed=4)
    yield e
    e.close()
    close_db()


def _deliveries(env) -> int:
    assert env.shop.flush_webhooks()
    state = httpx.get(f"{env.shop.url}/_sandbox/state", timeout=30).json()
    return sum(len(h["deliveries"]) for h in state["webhooks"])


def test_a_status_change_out_of_trash_is_taken_in_once_by_the_check(env):
    env.woo_control("POST", "activity", {"orders": 6})  # orders of today (the check looks back
    env.ingest()                                         # over the last month)
    env.runner().run_until_idle()
    woo = env.woo()
    order = next(o for o in Order.select().order_by(Order.date_created_gmt.desc())
                 if o.status == "processing")
    assert check_drift(woo, clock=env.clock).status_changes == []  # all agree at first
    woo.create_webhook(name="t", topic="order.updated", delivery_url="http://127.0.0.1:9/hook",
                       secret="S3cretS3cretS3cretS3cretS3cretS3cret")
    woo._json("DELETE", f"orders/{order.woo_id}")  # to trash
    found = check_drift(woo, clock=env.clock)
    assert found.status_changes == [f"order {order.number}: processing -> trash"]
    env.runner().run_until_idle()  # the queued job re-reads the order (REST is the truth)
    assert Order.get_by_id(order.id).status == "trash"
    seen = _deliveries(env)
    woo._json("PUT", f"orders/{order.woo_id}", json={"status": "processing"})
    assert _deliveries(env) == seen, "the shop sends no webhook out of trash"
    found = check_drift(woo, clock=env.clock)
    assert found.status_changes == [f"order {order.number}: trash -> processing"]
    env.runner().run_until_idle()
    assert Order.get_by_id(order.id).status == "processing"
    # Taken in once: the next check finds nothing, and the state says when it looked.
    assert check_drift(woo, clock=env.clock).status_changes == []
    value = Setting.get(Setting.key == DRIFT_KEY).value
    assert value["status_changes"] == [] and value["checked_at"]
    received = [e.message for e in AuditEvent.select().where(
        (AuditEvent.entity == "order") & (AuditEvent.entity_id == str(order.woo_id)))]
    assert any("from check" in m for m in received), received
