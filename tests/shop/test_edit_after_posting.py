"""Issue 13 item 1: an order edited in WooCommerce after it became a GP invoice. While GP's
invoice is unposted it is updated in GP, exactly once; once the batch is posted the order is
held as "changed after posting" with both figures and the document to raise, and a replay
after raising it marks it dealt with. Against both stand-ins (a line added in wp-admin)."""
from __future__ import annotations

from decimal import Decimal

import httpx

from core.store.db import close_db, init_db
from core.store.models import AuditEvent, Order
from tests.sandbox.demo_support import stand_ins
from tests.shop.env import cli
from tui.demo.setup import SandboxControl, prepare_workspace


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
        ws, settings = prepare_workspace(tmp_path / "ws", ep)
        settings.products.enabled = False
        ws.save(settings)
        root = str(tmp_path / "ws")
        control = SandboxControl(ep)
        try:
            control.activity(orders=8)
        finally:
            control.close()
        _once(root)
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
