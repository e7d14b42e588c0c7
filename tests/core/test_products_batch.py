"""GP -> WooCommerce writes in batches: 1,000 updates in at most 10 calls, and one element
WooCommerce refuses does not stop the other 999."""
from __future__ import annotations

import dataclasses
from decimal import Decimal as D

from core.clock import ManualClock
from core.gp.gateway import GPItemInfo
from core.products.gp_to_woo import write_to_woo
from core.products.links import ensure_links, save_base
from core.products.plan import plan_link
from core.products.reading import read_woo_all
from core.products.report import SyncReport
from core.store.audit import timeline, verify_chain
from core.store.db import database
from core.store.models import ProductLink
from core.woo.client import WooClient
from sandbox.woo import WooStandIn

OWNERS = {"name": "woocommerce", "price": "gp", "quantity": "gp"}


def test_a_thousand_price_updates_in_ten_batches_with_one_bad_element(tmp_path, state_db):
    clock = ManualClock()
    shop = WooStandIn(tmp_path / "woo", webhook_delay=0)
    shop.start()
    try:
        woo = WooClient(shop.url, shop.consumer_key, shop.consumer_secret)
        for start in range(0, 1000, 100):
            woo.batch_products(create=[{"name": f"Bench Mug {n}", "sku": f"BENCH-{n:04d}",
                                        "regular_price": "10.00", "manage_stock": True,
                                        "stock_quantity": 5} for n in range(start, start + 100)])
        entries = {s: e for s, e in read_woo_all(woo).items() if s.startswith("BENCH-")}
        assert len(entries) == 1000
        links, _ = ensure_links(entries.values(), set(entries), clock=clock)
        with database.atomic():
            for sku, link in links.items():
                save_base(link, {"name": entries[sku].name, "price": D("10"),
                                 "quantity": D("5")}, kind="agreed", message="start",
                          clock=clock)
        plans = []
        for sku, e in sorted(entries.items()):
            gp = GPItemInfo(sku, e.name or "", D("12.34"), D("5"))
            if sku == "BENCH-0500":  # deleted in WooCommerce after we read it
                e = dataclasses.replace(e, product_id=999_999)
            plans.append(plan_link(links[sku], e, gp, OWNERS))
        assert all(p.to_woo == {"price": D("12.34")} for p in plans)

        before = woo.requests_sent
        report = SyncReport()
        write_to_woo(woo, plans, clock=clock, report=report)

        assert report.woo_batch_calls == 10 and woo.requests_sent - before == 10
        assert report.to_woo == 999
        assert [sku for sku, _ in report.failed] == ["BENCH-0500"]
        assert "Invalid ID" in report.failed[0][1]
        assert ProductLink.get(ProductLink.sku == "BENCH-0500").base_price == D("10")
        assert ProductLink.get(ProductLink.sku == "BENCH-0999").base_price == D("12.34")
        assert timeline("product", "BENCH-0500")[-1].kind == "failed"
        prices = {e.sku: e.price for e in read_woo_all(woo).values()
                  if e.sku.startswith("BENCH-")}
        assert prices["BENCH-0500"] == D("10.00")
        assert {p for s, p in prices.items() if s != "BENCH-0500"} == {D("12.34")}
        assert verify_chain().ok
        woo.close()
    finally:
        shop.stop()
