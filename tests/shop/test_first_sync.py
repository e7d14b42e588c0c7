"""Issue 13 item 5: the first product sync on a real shop is a plan the accountant approves;
a negative GP quantity never reaches the shop (nor is it called "agreed"); a pass that would
change more products than the threshold stops and asks. Against both stand-ins."""
from __future__ import annotations

from core.products.approval import approve, current_plan
from core.products.sync import sync_products
from core.store.models import AuditEvent, ProductTask
from tests.core.products_fixtures import rig

MUG, TOWEL, TEE = "MUG-STONE-12OZ", "TOWEL-TEA-LINEN", "TEE-BLU-M"


def _sync(r):
    return sync_products(r.gateway, r.woo, r.settings, clock=r.clock, full=False)


def test_first_pass_is_a_plan_negative_stock_stays_out_of_the_shop(tmp_path):
    with rig(tmp_path, first_run="plan", max_changes_per_pass=25) as r:
        r.gp_control(f"items/{MUG}", {"quantity_on_hand": "-98"})
        r.gp_control(f"items/{TEE}", {"price": "31.00"})
        shop_before = {s: r.woo_by_sku(s) for s in (MUG, TEE)}
        r.hint(MUG, TEE)
        first = _sync(r)
        assert first.awaiting_approval.startswith("first product sync")
        assert (first.to_woo, first.to_gp) == (0, 0)
        plan = current_plan()
        assert plan.awaiting and any(f"{TEE}: price -> 31.00 in WooCommerce" in line
                                     for line in plan.lines), plan.lines
        assert not any(f"{MUG}: quantity" in line and "in WooCommerce" in line
                       for line in plan.lines)
        assert {s: r.woo_by_sku(s)["stock_quantity"] for s in (MUG, TEE)} == {
            s: p["stock_quantity"] for s, p in shop_before.items()}
        assert r.woo_by_sku(TEE)["regular_price"] == shop_before[TEE]["regular_price"]
        # Asking again does not write either, nor repeat the audit event.
        r.later()
        assert _sync(r).awaiting_approval
        assert AuditEvent.select().where(AuditEvent.kind == "plan").count() == 1

        approve("console:alice", clock=r.clock)
        r.later()
        done = _sync(r)
        assert not done.awaiting_approval and done.to_woo == 1
        assert r.woo_by_sku(TEE)["regular_price"] == "31.00"
        mug = r.woo_by_sku(MUG)
        assert mug["stock_quantity"] == shop_before[MUG]["stock_quantity"]  # never -98
        task = ProductTask.get(ProductTask.field == "quantity")
        assert task.kind == "manual" and task.status == "open" and task.gp_value == "-98"
        assert not AuditEvent.select().where((AuditEvent.kind == "agreed")
                                             & AuditEvent.message.contains("-98")).exists()


def test_a_pass_over_the_threshold_stops_and_asks(tmp_path):
    with rig(tmp_path, first_run="approved", max_changes_per_pass=1) as r:
        r.hint(MUG, TEE, TOWEL)
        assert not _sync(r).awaiting_approval  # nothing to change: no question
        r.later()
        for sku, price in ((MUG, "19.50"), (TEE, "26.00")):
            r.gp_control(f"items/{sku}", {"price": price})
        r.later()
        held = _sync(r)
        assert "would change 2 products, more than [products] max_changes_per_pass = 1" \
            in held.awaiting_approval
        assert r.woo_by_sku(MUG)["regular_price"] != "19.50"
        approve("cli:bob", clock=r.clock)
        r.later()
        assert _sync(r).to_woo == 2
        assert r.woo_by_sku(MUG)["regular_price"] == "19.50"
        assert current_plan().allowance == 0  # the approval was for that pass only
