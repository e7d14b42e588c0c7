"""Mapping a flagged SKU for posting (the demo's TEE-BLU-XL -> TEE-BLU-L) must not make a second
product-sync link: one GP item is synced with at most one product, or the two fight on every
pass (issue 15 item 1). Both stand-ins with the demo's seeded catalogue, over real HTTP."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from core.products.sync import sync_products
from core.skus import SkuMapError, map_sku, unmap_sku
from core.store.audit import timeline, verify_chain
from core.store.models import ProductLink, SkuMap
from tests.core.products_fixtures import rig

L, XL = "TEE-BLU-L", "TEE-BLU-XL"  # XL is one of the seeded SKUs GP does not have


def sync(r):
    r.later()
    r.hint(L, XL)
    return sync_products(r.gateway, r.woo, r.settings, clock=r.clock, full=False)


def quiet(report) -> tuple[int, int, int, int]:
    return report.to_woo, report.to_gp, report.woo_batch_calls, report.gp_write_calls


def test_a_posting_mapping_makes_no_second_link_and_no_pass_writes_anything(tmp_path):
    with rig(tmp_path, owner_name="woocommerce") as r:
        first = sync(r)
        assert XL in first.unknown_skus
        assert [lk.sku for lk in ProductLink.select()] == [L]
        xl_before, l_before = r.woo_by_sku(XL), r.woo_by_sku(L)
        gp_before = r.gp_item(L)

        map_sku(XL, L, actor="console:alice", clock=r.clock)  # the console's default
        assert SkuMap.get(SkuMap.woo_sku == XL).sync is False
        for _ in range(3):  # the fight was forever: several passes, each silent
            assert quiet(sync(r)) == (0, 0, 0, 0)
        assert [lk.sku for lk in ProductLink.select()] == [L]
        xl, lv = r.woo_by_sku(XL), r.woo_by_sku(L)
        assert (xl["name"], xl["stock_quantity"]) == (xl_before["name"],
                                                      xl_before["stock_quantity"])
        assert (lv["name"], lv["stock_quantity"]) == (l_before["name"],
                                                      l_before["stock_quantity"])
        assert r.gp_item(L)["description"] == gp_before["description"]

        # A GP price change still reaches the one synced product, and only it.
        r.gp_control(f"items/{L}", {"price": "31.00"})
        changed = sync(r)
        assert changed.to_woo == 1
        assert r.woo_by_sku(L)["regular_price"] == "31.00"
        assert r.woo_by_sku(XL)["regular_price"] == xl_before["regular_price"]
        assert "posting only" in timeline("sku", XL)[-1].message
        assert verify_chain().ok


def test_syncing_a_second_product_with_a_linked_item_is_refused_in_words(tmp_path):
    with rig(tmp_path) as r:
        sync(r)
        with pytest.raises(SkuMapError, match=f"already synced with WooCommerce SKU {L}"):
            map_sku(XL, L, actor="console:alice", clock=r.clock, sync=True)
        assert SkuMap.select().count() == 0


def test_a_second_link_left_by_an_older_version_is_removed_and_audited(tmp_path):
    with rig(tmp_path) as r:
        sync(r)
        map_sku(XL, L, actor="console:alice", clock=r.clock)
        xl = r.woo_by_sku(XL)
        # What the old product sync did with every SKU mapping: a link of its own to L.
        ProductLink.create(sku=XL, woo_product_id=xl["parent_id"] or xl["id"],
                           woo_variation_id=xl["id"] if xl["parent_id"] else None, gp_item=L,
                           base_name=xl["name"], base_price=D(xl["regular_price"]),
                           base_quantity=D(xl["stock_quantity"]), updated_at=r.clock.now())
        report = sync(r)
        assert quiet(report) == (0, 0, 0, 0)
        assert [lk.sku for lk in ProductLink.select()] == [L]
        assert timeline("product", XL)[-1].kind == "unlinked"


def test_unmapping_is_audited_and_replays_nothing(tmp_path):
    with rig(tmp_path) as r:
        map_sku(XL, L, actor="console:alice", clock=r.clock)
        assert unmap_sku(XL, actor="console:bob", clock=r.clock) == L
        assert unmap_sku(XL, actor="console:bob", clock=r.clock) is None
        last = timeline("sku", XL)[-1]
        assert (last.kind, last.actor) == ("unmapped", "console:bob")
        assert "nothing replayed" in last.message
