"""core/reconcile.py: WooCommerce vs GP per day and payment method, with the documents that
explain each difference, on the fixed shop (see seed.py for the planted differences)."""
from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest

from core.reconcile import export_csv, reconcile

DAY = date(2026, 11, 27)


def test_per_method_rows_show_counts_totals_and_difference(shop):
    report = reconcile(DAY, DAY)
    rows = {r.payment_method: r for r in report.rows}
    assert set(rows) == {"bacs", "paypal", "stripe"}
    stripe = rows["stripe"]
    # Woo: 1001 1003 1004 1005 1006 1007 1009 1010 (1012 is cancelled: not invoiceable)
    assert (stripe.woo_orders.count, stripe.woo_orders.total) == (8, Decimal("346.50"))
    # GP: 1001 1003 1010 (93.99, planted) and 1012 (posted before it was cancelled)
    assert (stripe.gp_invoices.count, stripe.gp_invoices.total) == (4, Decimal("170.99"))
    assert (stripe.woo_refunds.count, stripe.gp_credit_memos.count) == (1, 1)
    assert stripe.difference == Decimal("175.51")
    assert rows["paypal"].difference == Decimal("29.00")
    assert rows["bacs"].difference == Decimal("24.00")
    assert report.total().difference == Decimal("228.51")


def test_drill_down_lists_the_documents_that_explain_a_difference(shop):
    report = reconcile(DAY, DAY)
    stripe = report.explain(DAY, "stripe")
    reasons = {e.woo_id: e.reason for e in stripe}
    assert reasons[1010] == "GP total 93.99 differs from WooCommerce 94.00"
    assert reasons[1012] == "in GP as WC1012, but WooCommerce says cancelled"
    assert reasons[1004] == "not in GP yet (held: sku)"
    assert reasons[1007] == "not in GP yet (failed)"
    assert 1001 not in reasons  # matched documents do not clutter the list
    # The drill-down adds up to the difference it explains.
    assert sum(e.difference for e in stripe) == Decimal("175.51")
    assert [e.woo_id for e in report.explain(DAY, "paypal")] == [1011]


def test_days_fold_methods_and_empty_range_is_empty(shop):
    report = reconcile(DAY, DAY)
    (day,) = report.days()
    assert day.woo_orders.count == 11 and day.difference == Decimal("228.51")
    assert reconcile(date(2026, 11, 28), date(2026, 11, 30)).rows == []
    with pytest.raises(ValueError):
        reconcile(date(2026, 11, 28), DAY)


def test_store_time_zone_moves_the_day_boundary(shop):
    # 09:00-10:24 UTC is the late evening of the 26th in Pago Pago (UTC-11).
    assert reconcile(DAY, DAY, timezone="Pacific/Pago_Pago").rows == []
    assert reconcile(date(2026, 11, 26), date(2026, 11, 26),
                     timezone="Pacific/Pago_Pago").total().woo_orders.count == 11


def test_export_writes_summary_and_details(shop, tmp_path):
    summary, details = export_csv(reconcile(DAY, DAY), tmp_path / "recon.csv")
    rows = list(csv.DictReader(summary.open()))
    assert [r["payment_method"] for r in rows] == ["bacs", "paypal", "stripe", "total"]
    assert rows[-1]["difference"] == "228.51"
    detail = list(csv.DictReader(details.open()))
    assert details.name == "recon-details.csv"
    assert {"1010", "1012", "1011", "1008"} <= {d["woo_id"] for d in detail}
