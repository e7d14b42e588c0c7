"""Issue 13 items 2 and 3: reconciliation reads the live shop (refunds included) and the live GP.
A refund deleted in WooCommerce (no webhook, no new modified time) shows up; a cancellation's
credit memo (WCC…) is counted; an order restored from trash shows its live status. The stored
copy (`--stored`) is blind to all of it, and says so."""
from __future__ import annotations

import json
import socket
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

from core.store.db import close_db, init_db
from core.store.models import Order
from core.woo.client import WooClient
from tests.sandbox.demo_support import stand_ins
from tests.shop.env import cli, sell_and_sync, shop_workspace


def _recon(root: str, day: str, *extra: str) -> dict:
    r = cli("--workspace", root, "reconcile", "--from", day, "--to", day, "--json", *extra)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


def test_live_reconciliation_sees_what_the_shop_did_without_telling(tmp_path):
    with stand_ins(tmp_path, seed=6, webhook_delay=0) as (box, ep):
        ws, root = shop_workspace(tmp_path, ep)
        sell_and_sync(ep, root, orders=10)
        invoices = {i["number"]: i for i in box.gp.state()["invoices"]}
        paid = [n for n, i in invoices.items() if i["state"] != "void"]
        assert len(paid) >= 3
        woo = WooClient(ep.woo_url, ep.woo_key, ep.woo_secret)
        try:
            ids = [int(n.removeprefix("WC")) for n in paid[:3]]
            refund = woo._json("POST", f"orders/{ids[0]}/refunds",
                               json={"amount": "1.00", "api_refund": False})
            woo._json("POST", f"orders/{ids[1]}/refunds",
                      json={"amount": "2.00", "api_refund": False})
            assert cli("--workspace", root, "worker", "--once",
                       "--no-webhooks").returncode == 0
            assert len(box.gp.state()["credit_memos"]) == 2
            # The shop deletes a refund: no webhook, the order's modified time unchanged.
            woo._json("DELETE", f"orders/{ids[0]}/refunds/{refund['id']}",
                      params={"force": "true"})
            # The accountant posts the day's batch, then the shop cancels a paid order.
            batch = invoices[paid[2]]["batch"]
            httpx.post(f"{box.gp.base_url}/_sandbox/post-batch", json={"batch": batch},
                       timeout=30).raise_for_status()
            woo._json("PUT", f"orders/{ids[2]}", json={"status": "cancelled"})
            assert cli("--workspace", root, "worker", "--once",
                       "--no-webhooks").returncode == 0
            memos = {m["number"] for m in box.gp.state()["credit_memos"]}
            assert f"WCC{ids[2]}" in memos
        finally:
            woo.close()
        day = datetime.now(ZoneInfo("America/New_York")).date().isoformat()
        live = _recon(root, day)
        assert live["source"].startswith("live")
        total = live["total"]
        assert total["gp_credit_memos"]["count"] == 3  # two refunds' memos + WCC
        deleted = [e for e in live["explanations"] if e["state"] == "deleted in WooCommerce"]
        assert [e["woo_id"] for e in deleted] == [refund["id"]]
        assert "no webhook" in deleted[0]["reason"]
        # The cancellation is counted on both sides: no explanation names it.
        assert not [e for e in live["explanations"] if e["kind"] == "cancellation"]
        assert total["difference"] == deleted[0]["difference"] == "1.00"
        # The worker's periodic shop check (run by each --once pass) names the deleted refund.
        status = json.loads(cli("--workspace", root, "status", "--json").stdout)
        named = [a for a in status["attention"] if f"refund {refund['id']} " in a]
        assert named and "deleted in WooCommerce" in named[0] and "GP still holds" in named[0]
        stored = _recon(root, day, "--stored")
        assert stored["source"].startswith("STORED COPY")
        assert not [e for e in stored["explanations"] if str(refund["id"]) in e["number"]]


def _deliveries(woo_url: str) -> list[dict]:
    state = httpx.get(f"{woo_url}/_sandbox/state", timeout=30).json()
    return [d for h in state["webhooks"] for d in h["deliveries"]]


def test_an_order_restored_from_trash_is_counted_with_its_live_status(tmp_path):
    """The shop trashes a posted order, then restores it to processing: WooCommerce sends no
    webhook for the change out of trash. The poll and reconciliation see it as processing: the
    restored order is counted on both sides and nothing names it as trash."""
    with stand_ins(tmp_path, seed=12, webhook_delay=0) as (box, ep):
        ws, root = shop_workspace(tmp_path, ep)
        sell_and_sync(ep, root, orders=8)
        invoices = {i["number"]: i for i in box.gp.state()["invoices"]}
        woo = WooClient(ep.woo_url, ep.woo_key, ep.woo_secret)
        try:
            oid = next(int(n.removeprefix("WC")) for n, i in invoices.items()
                       if i["state"] != "void"
                       and woo.get_order(int(n.removeprefix("WC")))["status"] == "processing")
            # Subscribed like the connector's own webhooks (a dead URL: deliveries are counted).
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                dead = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
            for topic in ("order.updated", "order.restored"):
                woo.create_webhook(name=f"t-{topic}", topic=topic, delivery_url=dead,
                                   secret="S3cretS3cretS3cretS3cretS3cretS3cret")
            woo._json("DELETE", f"orders/{oid}")  # to trash
            assert cli("--workspace", root, "worker", "--once", "--no-webhooks").returncode == 0
            day = datetime.now(ZoneInfo("America/New_York")).date().isoformat()
            trashed = [e for e in _recon(root, day)["explanations"] if e["woo_id"] == oid]
            assert [e["state"] for e in trashed] == ["trash"], trashed  # while it is in trash
            init_db(ws.db_path)
            try:
                assert Order.get(Order.woo_id == oid).status == "trash"
            finally:
                close_db()
            assert box.woo.flush_webhooks()
            before = len(_deliveries(ep.woo_url))
            restored = woo._json("PUT", f"orders/{oid}", json={"status": "processing"})
            assert restored["status"] == "processing"
            assert box.woo.flush_webhooks()
            assert len(_deliveries(ep.woo_url)) == before, "no webhook out of trash"
            assert cli("--workspace", root, "worker", "--once", "--no-webhooks").returncode == 0
        finally:
            woo.close()
        gp_doc = next(i for i in box.gp.state()["invoices"] if i["number"] == f"WC{oid}")
        for extra in ((), ("--stored",)):
            report = _recon(root, day, *extra)
            assert not [e for e in report["explanations"] if e["woo_id"] == oid], report
            assert not [e for e in report["explanations"] if e["state"] == "trash"]
            total = report["total"]
            assert total["woo_orders"]["count"] == total["gp_invoices"]["count"], (extra, total)
        assert gp_doc["state"] != "void"
        init_db(ws.db_path)
        try:
            order = Order.get(Order.woo_id == oid)
            assert order.status == "processing", order.status  # the console's WooCommerce column
        finally:
            close_db()
