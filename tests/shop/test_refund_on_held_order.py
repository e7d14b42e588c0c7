"""Issue 13 item 13: a refund on an order held for a fix is taken in at once (waiting for the
invoice), shown by reconciliation (stored and live) and by status; it posts once the invoice
does."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from core.store.db import close_db, init_db
from core.store.models import Order, Refund
from core.woo.client import WooClient
from tests.sandbox.demo_support import stand_ins
from tests.shop.env import cli
from tui.demo.setup import SandboxControl, prepare_workspace


def test_a_refund_on_a_held_order_is_taken_in_and_reconciled(tmp_path):
    with stand_ins(tmp_path, seed=8, webhook_delay=0) as (box, ep):
        ws, settings = prepare_workspace(tmp_path / "ws", ep)
        settings.products.enabled = False
        settings.worker.schedule.timezone = "America/New_York"
        ws.save(settings)
        root = str(tmp_path / "ws")
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
