"""Issue 13 item 1: an order edited in WooCommerce after it became a GP invoice. While GP's
invoice is unposted it is updated in GP, exactly once; once the batch is posted the order is
held as "changed after posting" with both figures and the document to raise, and a replay
after raising it marks it dealt with. Against both stand-ins (a line added in wp-admin)."""
from __future__ import annotations

from decimal import Decimal

import httpx

from core.store.db import close_db, init_db
from core.store.models import AuditEvent, Order
from core.woo.client import WooClient
from tests.sandbox.demo_support import stand_ins
from tests.shop.env import cli, sell_and_sync, shop_workspace


def _once(root: str) -> None:
    run = cli("--workspace", root, "worker", "--once", "--no-webhooks")
    assert run.returncode == 0, run.stderr


def _order(ws, woo_id: int) -> Order:
    init_db(ws.db_path)
    try:
        return Order.get(Order.woo_id == woo_id)
    finally:
        close_db()


def test_edits_follow_an_unposted_invoice_and_hold_a_posted_one(tmp_path):
    with stand_ins(tmp_path, seed=9, webhook_delay=0) as (box, ep):
        ws, root = shop_workspace(tmp_path, ep, store_time_zone=False)
        sell_and_sync(ep, root, orders=8)
        invoices = {i["number"]: i for i in box.gp.state()["invoices"] if i["state"] == "work"}
        assert len(invoices) >= 2
        first, second = sorted(invoices)[:2]
        a, b = int(first.removeprefix("WC")), int(second.removeprefix("WC"))

        def add_line(woo_id: int) -> Decimal:
            r = httpx.post(f"{ep.woo_url}/_sandbox/orders/{woo_id}/touch",
                           json={"add_line": {"sku": "SOCKS-3PK-WHT", "quantity": 2}},
                           timeout=30)
            r.raise_for_status()
            return Decimal(r.json()["total"])

        # 1. Unposted: the invoice is brought in line in GP, once.
        new_total = add_line(a)
        assert new_total > Decimal(invoices[first]["total"])
        _once(root)
        doc = {i["number"]: i for i in box.gp.state()["invoices"]}[first]
        assert Decimal(doc["total"]) == new_total and doc["state"] == "work"
        order = _order(ws, a)
        assert order.state == "verified" and order.gp_total == new_total
        _once(root)  # nothing more to do: no second update
        init_db(ws.db_path)
        try:
            updates = AuditEvent.select().where((AuditEvent.entity_id == str(a))
                                                & (AuditEvent.kind == "updated_in_gp")).count()
        finally:
            close_db()
        assert updates == 1

        # 2. Posted: held as changed after posting, with the difference and what to raise.
        batch = invoices[second]["batch"]
        httpx.post(f"{box.gp.base_url}/_sandbox/post-batch", json={"batch": batch},
                   timeout=30).raise_for_status()
        before = Decimal(invoices[second]["total"])
        after = add_line(b)
        _once(root)
        doc = {i["number"]: i for i in box.gp.state()["invoices"]}[second]
        assert Decimal(doc["total"]) == before  # a posted invoice is never changed
        held = _order(ws, b)
        assert held.state == "held" and held.hold_reason == "changed"
        assert f"difference +{after - before}" in held.hold_detail
        assert "raise an additional invoice" in held.hold_detail
        status = cli("--workspace", root, "status", "--json").stdout
        assert '"changed": 1' in status
        # The accountant raises the invoice in GP, then replays: dealt with, audited.
        assert cli("--workspace", root, "replay", str(b)).returncode == 0
        _once(root)
        done = _order(ws, b)
        assert done.state == "verified", done.hold_detail
        init_db(ws.db_path)
        try:
            assert AuditEvent.select().where((AuditEvent.entity_id == str(b))
                                             & (AuditEvent.kind == "edit_acknowledged")).exists()
        finally:
            close_db()


def test_after_posting_a_decrease_asks_for_a_credit_memo_an_increase_for_the_configured_doc(
        tmp_path):
    """The document to raise follows the sign and the configuration: a line deleted in wp-admin
    after the batch was posted asks for a credit memo against the invoice; an added line, with
    `[posting] changed_increase_document = "debit_memo"`, asks for a debit memo."""
    with stand_ins(tmp_path, seed=13, webhook_delay=0) as (box, ep):
        ws, root = shop_workspace(tmp_path, ep, store_time_zone=False,
                                  changed_increase_document="debit_memo")
        sell_and_sync(ep, root, orders=10)
        woo = WooClient(ep.woo_url, ep.woo_key, ep.woo_secret)
        try:
            work = {i["number"]: i for i in box.gp.state()["invoices"] if i["state"] == "work"}
            several = sorted(n for n in work
                             if len(woo.get_order(int(n.removeprefix("WC")))["line_items"]) > 1)
            assert several and len(work) >= 2
            down = several[0]
            up = next(n for n in sorted(work) if n != down)
            for batch in {work[down]["batch"], work[up]["batch"]}:
                httpx.post(f"{box.gp.base_url}/_sandbox/post-batch", json={"batch": batch},
                           timeout=30).raise_for_status()
            d, u = int(down.removeprefix("WC")), int(up.removeprefix("WC"))
            line = woo.get_order(d)["line_items"][-1]["id"]
            r = httpx.post(f"{ep.woo_url}/_sandbox/orders/{d}/touch",
                           json={"remove_line": line}, timeout=30)
            r.raise_for_status()
            lower = Decimal(r.json()["total"])
            r = httpx.post(f"{ep.woo_url}/_sandbox/orders/{u}/touch",
                           json={"add_line": {"sku": "SOCKS-3PK-WHT", "quantity": 1}},
                           timeout=30)
            r.raise_for_status()
            higher = Decimal(r.json()["total"])
        finally:
            woo.close()
        _once(root)
        docs = {i["number"]: i for i in box.gp.state()["invoices"]}
        assert docs[down]["total"] == work[down]["total"]  # posted: never changed
        assert docs[up]["total"] == work[up]["total"]
        held_down, held_up = _order(ws, d), _order(ws, u)
        assert held_down.state == "held" and held_down.hold_reason == "changed"
        diff = lower - Decimal(work[down]["total"])
        assert diff < 0 and f"difference {diff:+}" in held_down.hold_detail
        assert f"raise a credit memo for {-diff} against {down} in GP" in held_down.hold_detail
        assert held_up.state == "held" and held_up.hold_reason == "changed"
        rise = higher - Decimal(work[up]["total"])
        assert f"raise a debit memo for {rise} for customer" in held_up.hold_detail
        assert box.gp.state()["credit_memos"] == []  # what to raise is the accountant's call
