"""A cancelled order whose invoice the accountant already posted gets a credit memo through the
one document path: created once, read back from GP and compared to the cent. GP holding a
different memo under its number holds the order with both figures; never recorded as done."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from core.gp.gateway import GPCustomer
from core.mapping import MappedRefund, RefundInputs, map_status_credit
from core.pipeline.prepare import resolve_accounts
from core.replay import replay_orders
from core.store import audit
from core.store.db import close_db
from core.store.models import Order
from core.store.queue import enqueue
from core.woo.views import OrderView
from tests.core.pipeline_env import Env, start_env


@pytest.fixture
def env(tmp_path):
    e = start_env(tmp_path, orders=8, seed=3)
    yield e
    e.close()
    close_db()


def _posted_then_cancelled(env: Env) -> Order:
    env.ingest()
    env.runner().run_until_idle()
    order = Order.select().where(Order.state == "verified").order_by(Order.id).first()
    assert order is not None
    env.gp.post_batch(order.gp_batch)  # the accountant posts the day: no void any more
    env.woo_control("POST", f"orders/{order.woo_id}/touch", {"status": "cancelled"})
    env.ingest()
    enqueue("post_order", f"order:{order.woo_id}", clock=env.clock, group_key=order.customer_key)
    return order


def _memos(env: Env) -> dict[str, dict]:
    return {m["number"]: m for m in env.gp.state()["credit_memos"]}


def test_status_credit_memo_is_read_back_and_verified(env) -> None:
    order = _posted_then_cancelled(env)
    env.runner().run_until_idle()
    number = f"WCC{order.number}"
    assert Decimal(_memos(env)[number]["total"]) == order.total
    row = Order.get_by_id(order.id)
    assert (row.state, row.status_applied, row.status_action) == ("verified", "cancelled",
                                                                  "credit_memo")
    events = audit.timeline("order", order.woo_id)
    sent = [e for e in events if e.kind == "dedupe" and (e.data or {}).get("number") == number]
    assert sent and sent[0].data["found"] is False  # GP read before the create
    [done] = [e for e in events if e.kind == "credit_memo"]
    assert done.data["verified"] is True and f"total {order.total} matches" in done.message
    # Seen again: GP is not written twice, and nothing is recorded twice.
    enqueue("post_order", f"order:{order.woo_id}", clock=env.clock)
    env.runner().run_until_idle()
    assert len(_memos(env)) == 1
    assert [e.kind for e in audit.timeline("order", order.woo_id)].count("credit_memo") == 1


def test_status_credit_memo_that_gp_holds_differently_holds_the_order_with_figures(env) -> None:
    order = _posted_then_cancelled(env)
    # Someone keyed the credit memo by hand in GP, for less: same number, another amount.
    view = OrderView.from_payload(order.payload)
    customer = GPCustomer(order.gp_customer_id, "", env.settings.posting.customer_class)
    inputs = RefundInputs(env.settings.posting, order.gp_customer_id, order.gp_doc_number,
                          resolve_accounts(customer, ""), env.clock.now().date())
    mapped = map_status_credit(view, inputs, amount=order.total, reason="Cancelled")
    assert isinstance(mapped, MappedRefund)
    short = order.total - Decimal("5.00")
    env.gateway().create_credit_memo(replace(mapped.document, amount=short))

    env.runner().run_until_idle()
    number = f"WCC{order.number}"
    assert Decimal(_memos(env)[number]["total"]) == short and len(_memos(env)) == 1
    row = Order.get_by_id(order.id)
    assert row.state == "held" and row.hold_reason == "totals"
    assert f"total {short}" in row.hold_detail and str(order.total) in row.hold_detail
    assert f"Correct credit memo {number} in GP" in row.hold_detail
    assert "replay" in row.hold_detail
    assert row.status_applied is None  # not recorded as done: a replay reads GP again
    [held] = [e for e in audit.timeline("order", order.woo_id) if e.kind == "held"]
    assert held.data["figures"]["gp_total"] == str(short)
    assert held.data["figures"]["woo_total"] == str(order.total)
    assert held.data["figures"]["number"] == number
    assert "credit_memo" not in [e.kind for e in audit.timeline("order", order.woo_id)]
    # Replayed without a fix in GP: GP is read again and the order is held again, with no
    # second memo and nothing recorded as applied.
    assert replay_orders([order.woo_id], held=True, actor="test", clock=env.clock) == 1
    env.runner().run_until_idle()
    row = Order.get_by_id(order.id)
    assert row.state == "held" and row.status_applied is None and len(_memos(env)) == 1
    kinds = [e.kind for e in audit.timeline("order", order.woo_id)]
    assert kinds.count("held") == 2 and "credit_memo" not in kinds
