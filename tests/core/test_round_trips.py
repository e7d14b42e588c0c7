"""GP round trips per posted order, counted per operation at the connector's SOAP transport,
against the strict GP stand-in over real NTLM (issue 16: known customer <= 3, new <= 5).

No read an earlier step already answered: an unchanged customer is neither read nor updated,
GP's item list is the local copy the product sync keeps, and the read-back after a create is
the key read alone (the list read before the create already said "absent")."""
from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from core.store.db import close_db, database
from core.store.models import AuditEvent, Order
from core.store.queue import enqueue
from core.store.states import DocState
from tests.core.pipeline_env import start_env

ONCE_PER_PROCESS = {"GetPolicyByOperation", "GetCompanyList"}
CUSTOMER_OPS = {"GetCustomerList", "GetCustomerByKey", "CreateCustomer", "UpdateCustomer",
                "CreateCustomerAddress", "UpdateCustomerAddress"}


@pytest.fixture
def env(tmp_path):
    e = start_env(tmp_path, orders=30, seed=5, concurrency=1)
    yield e
    e.close()
    close_db()


def _posting_with_calls(env: Any) -> tuple[Any, dict[int, list[str]], Counter[str]]:
    gateway = env.gateway()
    calls: list[str] = []
    gateway.soap.c.transport.hooks.append(lambda op, body, ms, status: calls.append(op))
    runner = env.runner(gateway=gateway, gateway_factory=None, concurrency=1)
    per_order: dict[int, list[str]] = {}
    once: Counter[str] = Counter()
    original = runner.run_job

    def counted(job: Any, ctx: Any = None) -> Any:
        start = len(calls)
        result = original(job, ctx)
        ops = calls[start:]
        once.update(op for op in ops if op in ONCE_PER_PROCESS)
        per_order.setdefault(int(job.key.split(":")[1]), []).extend(
            op for op in ops if op not in ONCE_PER_PROCESS)
        return result

    runner.run_job = counted
    return runner, per_order, once


def test_round_trips_per_order_known_and_new_customer(env) -> None:
    env.refresh_items()  # the product sync's copy of GP's item list
    runner, per_order, once = _posting_with_calls(env)
    for _ in range(2):  # the second round meets customers of the first again
        env.ingest()
        runner.run_until_idle()
        env.woo_control("POST", "activity", {"orders": 30})
    verified = {o.woo_id for o in Order.select().where(Order.state == DocState.VERIFIED)}
    assert len(verified) >= 20
    made = {int(e.entity_id) for e in AuditEvent.select().where(
        AuditEvent.kind.in_(("customer_created", "customer_updated")))}
    known = [per_order[w] for w in verified if w in per_order and w not in made]
    new = [per_order[w] for w in verified if w in per_order and w in made]
    assert known and new, (len(known), len(new))
    for ops in known:
        # the duplicate check (list), the create, the read-back by key: nothing else
        assert ops == ["GetSalesInvoiceList", "CreateSalesInvoice", "GetSalesInvoiceByKey"], ops
    for ops in new:
        assert len(ops) <= 5, ops
        assert Counter(ops)["GetSalesInvoiceList"] == 1, ops  # not again for the read-back
        assert set(ops) - CUSTOMER_OPS == {"GetSalesInvoiceList", "CreateSalesInvoice",
                                           "GetSalesInvoiceByKey"}, ops
    # a policy or the company list is read once per connection, not per order
    assert all(n <= 4 for n in once.values()), once


def test_a_customer_unchanged_since_its_last_update_is_not_read_again(env) -> None:
    env.refresh_items()
    runner, per_order, _once = _posting_with_calls(env)
    env.ingest()
    runner.run_until_idle()
    first = {o.woo_id for o in Order.select().where(Order.state == DocState.VERIFIED)}
    assert first
    # Replaying a verified order re-reads WooCommerce and GP's invoice, never the customer.
    per_order.clear()
    with database.atomic():
        for w in sorted(first)[:5]:
            o = Order.get(Order.woo_id == w)
            enqueue("post_order", f"order:{w}", clock=env.clock, group_key=o.customer_key)
    runner.run_until_idle()
    assert per_order
    for ops in per_order.values():
        assert not set(ops) & CUSTOMER_OPS, ops
        assert "CreateSalesInvoice" not in ops, ops
