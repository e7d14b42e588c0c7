"""Orders WooCommerce shows as "refunded": paid then refunded is a sale and its refund (an invoice
and a credit memo, counted by reconciliation), never paid is nothing (skipped, not counted)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core.pipeline.eligibility import invoiceable
from core.reconcile import reconcile
from core.store.db import close_db
from core.store.models import Order, Refund
from tests.core.pipeline_env import Env, invoices_by_po, start_env


@pytest.fixture
def env(tmp_path):
    e = start_env(tmp_path, orders=24, seed=3)
    yield e
    e.close()
    close_db()


def _postable(o: dict[str, Any]) -> bool:
    from sandbox.catalog import GP_MISSING_SKUS

    return all(li.get("sku") and li["sku"] not in GP_MISSING_SKUS for li in o["line_items"])


def _refund_in_full(env: Env, o: dict[str, Any]) -> None:
    r = env.woo().request("POST", f"orders/{o['id']}/refunds", json={
        "amount": o["total"], "reason": "customer changed their mind", "api_refund": False})
    assert r.status_code == 201, r.text


def test_the_rule() -> None:
    eligible = ["processing", "completed"]
    assert invoiceable("completed", None, eligible)
    assert invoiceable("refunded", "2026-11-27T10:00:00", eligible)
    assert not invoiceable("refunded", None, eligible)
    assert not invoiceable("cancelled", "2026-11-27T10:00:00", eligible)
    assert not invoiceable("pending", None, eligible)


def test_paid_then_refunded_gets_its_invoice_and_credit_memo_never_paid_stays_skipped(
        env) -> None:
    orders = env.woo_orders()
    paid = [o for o in orders if o["status"] in ("processing", "completed")
            and o["date_paid_gmt"] and _postable(o) and Decimal(o["total"]) > 0]
    unpaid = [o for o in orders if o["status"] == "pending" and not o["date_paid_gmt"]]
    assert paid and unpaid, "the seeded shop has paid and unpaid orders"
    refunded = paid[0]
    _refund_in_full(env, refunded)  # before the connector ever saw the order
    env.woo_control("POST", f"orders/{unpaid[0]['id']}/touch", {"status": "refunded"})
    never_paid = env.woo().get_order(unpaid[0]["id"])
    assert never_paid["status"] == "refunded" and not never_paid["date_paid_gmt"]
    assert env.woo().get_order(refunded["id"])["status"] == "refunded"

    env.ingest()
    env.runner().run_until_idle()

    row = Order.get(Order.woo_id == refunded["id"])
    assert row.status == "refunded" and row.state == "verified", (row.state, row.hold_detail)
    [invoice] = invoices_by_po(env)[str(refunded["number"])]
    assert Decimal(invoice["total"]) == Decimal(refunded["total"])
    [refund] = list(Refund.select().where(Refund.order == row.id))
    assert refund.state == "verified", (refund.state, refund.hold_detail, refund.last_error)
    memos = {m["number"]: m for m in env.gp.state()["credit_memos"]}
    assert Decimal(memos[refund.gp_doc_number]["total"]) == Decimal(refunded["total"])
    assert f"WCC{refunded['number']}" not in memos  # the refund already credits it all

    skipped = Order.get(Order.woo_id == never_paid["id"])
    assert skipped.state == "skipped" and "after being paid" in (skipped.hold_detail or "")
    assert str(never_paid["number"]) not in invoices_by_po(env)

    # Reconciliation counts what the pipeline invoices: the refunded sale on both sides, the
    # never-paid order on neither, so neither explains a difference.
    start = min(o.date_created_gmt for o in Order.select()).date()
    end = max(refund.date_created_gmt.date(), start)
    report = reconcile(start, end)
    explained = {e.woo_id for e in report.explanations if e.kind == "order"}
    assert refunded["id"] not in explained and never_paid["id"] not in explained
    assert refund.woo_id not in {e.woo_id for e in report.explanations if e.kind == "refund"}
    totals = report.total()
    assert totals.gp_credit_memos.count == totals.woo_refunds.count >= 1
    counted = {o.woo_id for o in Order.select()
               if invoiceable(o.status, o.date_paid_gmt, env.settings.posting.eligible_statuses)}
    assert never_paid["id"] not in counted and refunded["id"] in counted
    assert totals.woo_orders.count == len(counted)
