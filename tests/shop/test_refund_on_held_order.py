"""Issue 13 item 13: a refund on an order held for a fix is taken in at once (waiting for the
invoice), shown by reconciliation (stored and live) and by status; it posts once the invoice
does."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from core.skus import map_sku
from core.store.db import close_db, init_db
from core.store.models import FlaggedSku, Order, OrderSku, Refund
from core.store.states import DocState
from core.woo.client import WooClient
from tests.sandbox.demo_support import stand_ins
from tests.shop.env import cli, shop_workspace
from tui.demo.setup import SandboxControl


def test_a_refund_on_a_held_order_is_taken_in_and_reconciled(tmp_path):
    with stand_ins(tmp_path, seed=8, webhook_delay=0) as (box, ep):
        ws, root = shop_workspace(tmp_path, ep)
        woo = WooClient(ep.woo_url, ep.woo_key, ep.woo_secret)
        control = SandboxControl(ep)
        try:
            made = []
            while not made:  # an unknown-SKU order that is paid (processing)
                ids = control.activity(unknown_sku_orders=1)["unknown_sku_orders"]
                made = [i for i in ids if woo.get_order(i)["status"] == "processing"]
            oid = made[0]
            assert cli("--workspace", root, "worker", "--once", "--no-webhooks").returncode == 0
            refund = woo._json("POST", f"orders/{oid}/refunds",
                               json={"amount": "3.00", "api_refund": False})
            assert cli("--workspace", root, "worker", "--once", "--no-webhooks").returncode == 0
        finally:
            control.close()
            woo.close()
        init_db(ws.db_path)
        try:
            order = Order.get(Order.woo_id == oid)
            assert order.state == "held" and order.hold_reason == "sku"
            row = Refund.get(Refund.woo_id == refund["id"])
            assert row.gp_doc_number is None and "waits for the invoice" in (row.hold_detail or "")
        finally:
            close_db()
        day = datetime.now(ZoneInfo("America/New_York")).date().isoformat()
        for extra in ((), ("--stored",)):
            r = cli("--workspace", root, "reconcile", "--from", day, "--to", day, "--json",
                    *extra)
            report = json.loads(r.stdout)
            refunds = [e for e in report["explanations"] if e["kind"] == "refund"]
            assert [e["woo_id"] for e in refunds] == [refund["id"]], (extra, report)
            assert refunds[0]["difference"] == "-3.00"


def test_once_the_sku_is_fixed_the_invoice_and_the_refunds_credit_memo_both_post(tmp_path):
    """End to end: held for an unknown SKU, a refund arrives, the SKU is mapped (the console's
    Flagged SKUs action, which replays the order), the next pass posts the invoice AND the
    credit memo, and reconciliation (live and stored) counts both with nothing to explain."""
    with stand_ins(tmp_path, seed=9, webhook_delay=0) as (box, ep):
        ws, root = shop_workspace(tmp_path, ep)
        woo = WooClient(ep.woo_url, ep.woo_key, ep.woo_secret)
        control = SandboxControl(ep)
        try:
            made = []
            while not made:  # a paid order held for an SKU GP lacks (a line with an SKU)
                ids = control.activity(unknown_sku_orders=1)["unknown_sku_orders"]
                made = [i for i in ids if (o := woo.get_order(i))["status"] == "processing"
                        and all(li["sku"] for li in o["line_items"])]
            oid = made[0]
            assert cli("--workspace", root, "worker", "--once", "--no-webhooks").returncode == 0
            refund = woo._json("POST", f"orders/{oid}/refunds",
                               json={"amount": "4.00", "api_refund": False})
            assert cli("--workspace", root, "worker", "--once", "--no-webhooks").returncode == 0
            assert f"WC{oid}" not in {i["number"] for i in box.gp.state()["invoices"]}
            assert box.gp.state()["credit_memos"] == []
            item = next(i["item_number"] for i in box.gp.state()["items"]
                        if "MAIN" in i["quantities"] and i["price"])
            init_db(ws.db_path)
            try:
                assert Order.get(Order.woo_id == oid).hold_reason == "sku"
                skus = [s.sku for s in OrderSku.select().join(Order).where(
                    Order.woo_id == oid)]
                flagged = [f.sku for f in FlaggedSku.select().where(
                    FlaggedSku.sku.in_(skus) & FlaggedSku.resolved_at.is_null())]
                assert flagged
                replayed = sum(map_sku(sku, item, actor="test:accountant") for sku in flagged)
                assert replayed >= 1
            finally:
                close_db()
            assert cli("--workspace", root, "worker", "--once", "--no-webhooks").returncode == 0
            gp = box.gp.state()
            invoice = next(i for i in gp["invoices"] if i["number"] == f"WC{oid}")
            memos = [m for m in gp["credit_memos"] if m["customer"] == invoice["customer"]]
            assert len(memos) == 1 and memos[0]["total"] == "4.00", gp["credit_memos"]
        finally:
            control.close()
            woo.close()
        init_db(ws.db_path)
        try:
            assert Order.get(Order.woo_id == oid).state == DocState.VERIFIED
            row = Refund.get(Refund.woo_id == refund["id"])
            assert row.state == DocState.VERIFIED and row.gp_doc_number == memos[0]["number"]
        finally:
            close_db()
        day = datetime.now(ZoneInfo("America/New_York")).date().isoformat()
        for extra in ((), ("--stored",)):
            r = cli("--workspace", root, "reconcile", "--from", day, "--to", day, "--json",
                    *extra)
            report = json.loads(r.stdout)
            about = [e for e in report["explanations"]
                     if e["woo_id"] in (oid, refund["id"])]
            assert about == [], (extra, about)
            total = report["total"]
            assert total["gp_credit_memos"]["count"] == total["woo_refunds"]["count"] == 1
            assert total["gp_invoices"]["count"] == total["woo_orders"]["count"] >= 1
