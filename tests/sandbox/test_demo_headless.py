"""`demo --headless` with a small N: every postable order posted, zero duplicates, refunds as
credit memos, the unknown SKU flagged — against both stand-ins over real loopback HTTP."""
from __future__ import annotations

import json

from tests.sandbox.demo_support import cli
from tui.demo.harness import headless_activity


def test_activity_plan_has_n_orders_one_unknown_sku_then_changes():
    first, second = headless_activity(60)
    assert sum(b.get("orders", 0) + b.get("unknown_sku_orders", 0) for b in first) == 60
    assert sum(b.get("unknown_sku_orders", 0) for b in first) == 1
    assert max(b.get("orders", 0) for b in first) <= 25
    assert {k for b in second for k in b} == {"status_changes", "refunds"}


def test_headless_demo_posts_every_postable_order_once():
    """The README's command, as a process: `ml-connector demo --headless --orders 12`."""
    proc = cli("demo", "--headless", "--orders", "12", "--settle", "1.5")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    assert "plain http" not in err  # GP over HTTPS with its CA bundle, no [gp] allow_http
    summary = json.loads(out)
    assert summary["idle"] is True
    assert summary["duplicates"] == 0, summary["duplicate_documents"]
    assert summary["every_postable_order_posted"] is True, summary["postable_not_posted"]
    assert summary["postable_posted"] == summary["postable_orders"] > 0
    assert summary["gp"]["invoices"] == summary["postable_posted"]
    assert summary["totals_matched"] is True, summary["total_mismatches"]
    assert summary["flagged_sku_orders"] == 1  # the product GP lacks
    assert summary["orders_in_shop"] == 12
    assert summary["refunds_in_shop"] >= 2
    assert summary["gp"]["credit_memos"] >= 1
