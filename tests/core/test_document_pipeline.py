"""One document pipeline (post -> settle -> verify) posts invoices, credit memos and returns
exactly once each, through a lost commit and duplicate hints, against both stand-ins."""
from __future__ import annotations

from collections import Counter

import pytest

from core.store import audit
from core.store.db import close_db, database
from core.store.models import Order, Refund
from core.store.queue import enqueue
from core.store.states import DocState
from tests.core.pipeline_env import start_env


@pytest.fixture
def env(tmp_path):
    e = start_env(tmp_path, orders=24, seed=3)
    yield e
    e.close()
    close_db()


def _gp_numbers(env) -> dict[str, Counter[str]]:
    state = env.gp.state()
    return {kind: Counter(d["number"] for d in state[kind])
            for kind in ("invoices", "credit_memos", "returns")}


def _enqueue_everything(env) -> None:
    with database.atomic():
        for o in Order.select():
            enqueue("post_order", f"order:{o.woo_id}", clock=env.clock, group_key=o.customer_key)
        for r in Refund.select():
            enqueue("post_refund", f"refund:{r.woo_id}", clock=env.clock)


def test_invoices_credit_memos_and_returns_post_exactly_once_through_one_path(env) -> None:
    env.settings.posting.refund_document = "return_when_restocked"
    env.ingest()
    env.runner().run_until_idle()
    env.woo_control("POST", "activity", {"refunds": 8})
    env.ingest()
    env.runner().run_until_idle()
    refunds = list(Refund.select())
    kinds = Counter(r.gp_doc_type for r in refunds)
    assert kinds["return"] and kinds["credit_memo"], kinds
    assert all(r.state == DocState.VERIFIED for r in refunds)
    invoiced = list(Order.select().where(Order.state == DocState.VERIFIED))
    assert invoiced

    # The commit after a create was lost (kill -9 between GP's answer and our commit): each kind
    # of document is back in "posting". The one path reads GP first and settles what it finds.
    # (A raw UPDATE on purpose: a crash is not a move the lifecycle makes.)
    crashed = [invoiced[0].woo_id]
    crashed_refunds = [next(r.woo_id for r in refunds if r.gp_doc_type == k)
                       for k in ("return", "credit_memo")]
    with database.atomic():
        Order.update(state=DocState.POSTING).where(Order.woo_id.in_(crashed)).execute()
        Refund.update(state=DocState.POSTING).where(Refund.woo_id.in_(crashed_refunds)).execute()
    # Plus duplicate webhooks and a second worker pass for everything.
    for _ in range(2):
        _enqueue_everything(env)
        env.runner().run_until_idle()

    numbers = _gp_numbers(env)
    assert all(n == 1 for counter in numbers.values() for n in counter.values()), numbers
    assert set(numbers["invoices"]) >= {o.gp_doc_number for o in invoiced}
    by_type = {"return": "returns", "credit_memo": "credit_memos"}
    for r in Refund.select():
        assert r.state == DocState.VERIFIED
        assert numbers[by_type[r.gp_doc_type]][r.gp_doc_number] == 1
    assert len(numbers["returns"]) + len(numbers["credit_memos"]) >= len(refunds)
    for woo_id in crashed:
        assert Order.get(Order.woo_id == woo_id).state == DocState.VERIFIED
        found = [e for e in audit.timeline("order", woo_id) if e.kind == "dedupe"
                 and (e.data or {}).get("found")]
        assert found and "on resume: found" in found[-1].data["reads"]
    for woo_id in crashed_refunds:
        events = [e.kind for e in audit.timeline("refund", woo_id)]
        assert events.count("dedupe") >= 2 and events[-1] == "verified", events
    assert audit.verify_chain().ok
