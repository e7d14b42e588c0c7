"""Two-way product sync against both stand-ins over real loopback HTTP (NTLM to GP)."""
from __future__ import annotations

import json
from decimal import Decimal as D

from core.products import conflicts
from core.products.intake import HINT_JOB, product_changed
from core.products.sync import sync_products
from core.store.audit import timeline, verify_chain
from core.store.models import Job, ProductLink, ProductTask
from tests.core.products_fixtures import rig

MUG, TOWEL, TEE = "MUG-STONE-12OZ", "TOWEL-TEA-LINEN", "TEE-BLU-M"


def sync(r, **kw):
    return sync_products(r.gateway, r.woo, r.settings, clock=r.clock, full=False, **kw)


def test_a_gp_price_change_reaches_woocommerce_and_does_not_bounce(tmp_path):
    with rig(tmp_path) as r:
        r.hint(MUG, TEE)
        first = sync(r)
        assert (first.linked, first.adopted, first.to_woo, first.to_gp) == (2, 2, 0, 0)
        r.later()
        r.gp_control(f"items/{MUG}", {"price": "19.50"})
        r.gp_control(f"items/{TEE}", {"price": "26.00"})
        r.later()
        report = sync(r)
        assert report.to_woo == 2 and report.failed == []
        assert report.woo_batch_calls == 2  # a simple product, and one variation's parent
        assert r.woo_by_sku(MUG)["regular_price"] == "19.50"
        assert r.woo_by_sku(TEE)["regular_price"] == "26.00"
        link = ProductLink.get(ProductLink.sku == MUG)
        assert link.base_price == D("19.50")
        assert "19.50" in timeline("product", MUG)[-1].message

        # The write comes back as a webhook (the body WooCommerce would send): no hint ...
        Job.delete().where(Job.kind == HINT_JOB).execute()
        for sku in (MUG, TEE):
            body = r.shop.render("product", r.woo_by_sku(sku)["id"])
            product_changed(json.loads(body), clock=r.clock)
        assert Job.select().where(Job.kind == HINT_JOB).count() == 0
        # ... and a poll that reads it again writes nothing either way.
        r.later()
        r.hint(MUG, TEE)
        again = sync(r)
        assert (again.to_woo, again.to_gp, again.woo_batch_calls, again.gp_write_calls) == (
            0, 0, 0, 0)
        assert verify_chain().ok


def test_a_woocommerce_stock_change_becomes_a_gp_inventory_adjustment(tmp_path):
    with rig(tmp_path, owner_quantity="woocommerce") as r:
        r.hint(MUG)
        sync(r)
        mug = r.woo_by_sku(MUG)
        r.later()
        r.woo.batch_products(update=[{"id": mug["id"], "stock_quantity": 100}])  # was 120
        r.later()
        report = sync(r)  # the product is "modified since the cursor": no hint needed
        assert report.to_gp == 1 and len(report.adjustments) == 1
        adj = r.gp.state()["adjustments"]
        assert len(adj) == 1 and adj[0]["number"] == report.adjustments[0]
        assert [(ln["item"], D(ln["quantity"])) for ln in adj[0]["lines"]] == [(MUG, D("-20"))]
        assert ProductLink.get(ProductLink.sku == MUG).base_quantity == D("100")

        # GP moves on-hand only when the accountant posts it: no second adjustment meanwhile.
        r.later()
        r.hint(MUG)
        assert sync(r).adjustments == []
        r.gp.post_batch(adj[0]["batch"])
        assert D(r.gp_item(MUG)["quantities"]["MAIN"]["available"]) == D("100")
        r.later()
        r.hint(MUG)
        after = sync(r)
        assert after.adjustments == [] and after.to_woo == 0
        pending = ProductTask.select().where((ProductTask.kind == "adjustment")
                                             & (ProductTask.status == "pending")).count()
        assert pending == 0


def test_both_sides_changed_is_one_conflict_and_nothing_is_overwritten(tmp_path):
    with rig(tmp_path, owner_price="last_writer") as r:
        r.hint(TOWEL)
        sync(r)
        towel = r.woo_by_sku(TOWEL)
        r.later()
        r.woo.batch_products(update=[{"id": towel["id"], "regular_price": "15.00"}])
        r.gp_control(f"items/{TOWEL}", {"price": "16.00"})
        r.later()
        first = sync(r)
        r.later()
        r.hint(TOWEL)
        second = sync(r)
        assert (first.conflicts, second.conflicts) == (1, 0)
        open_tasks = conflicts.open_conflicts()
        assert [(t.kind, t.field, D(t.woo_value), D(t.gp_value)) for t in open_tasks] == [
            ("conflict", "price", D("15.00"), D("16.00"))]
        assert r.woo_by_sku(TOWEL)["regular_price"] == "15.00"
        assert D(r.gp_item(TOWEL)["price"]) == D("16.00")

        conflicts.resolve(open_tasks[0].id, "gp", actor="console:alice", clock=r.clock)
        r.later()
        applied = sync(r)
        assert applied.applied == 1 and r.woo_by_sku(TOWEL)["regular_price"] == "16.00"
        assert ProductTask.get_by_id(open_tasks[0].id).status == "done"
        kinds = [e.kind for e in timeline("product", TOWEL)]
        assert kinds[-4:] == ["conflict", "conflict resolved", "synced", "conflict closed"]
        assert verify_chain().ok


def test_gp_without_an_item_update_route_gets_a_task_not_a_silent_drop(tmp_path):
    with rig(tmp_path) as r:  # WooCommerce owns the name; the stand-in's SOAP cannot rename
        r.hint(MUG)
        sync(r)
        mug = r.woo_by_sku(MUG)
        r.later()
        r.woo.batch_products(update=[{"id": mug["id"], "name": "Stoneware Mug, 12 oz"}])
        r.later()
        report = sync(r)
        assert report.manual == 1 and report.to_gp == 0
        [task] = conflicts.open_conflicts()
        assert (task.kind, task.field, task.woo_value) == ("manual", "name",
                                                            "Stoneware Mug, 12 oz")
        assert "GP" in timeline("product", MUG)[-1].message
        # The accountant renames it in GP: the next pass sees both agree and closes the task.
        r.gp_control(f"items/{MUG}", {"description": "Stoneware Mug, 12 oz"})
        r.later()
        r.hint(MUG)
        sync(r)
        assert conflicts.open_conflicts() == []
        assert ProductLink.get(ProductLink.sku == MUG).base_name == "Stoneware Mug, 12 oz"


def test_a_sale_gp_has_not_invoiced_yet_is_not_pushed_back(tmp_path):
    from core.store.models import Order, OrderSku

    with rig(tmp_path) as r:  # GP owns quantity
        r.hint(MUG)
        sync(r)
        mug = r.woo_by_sku(MUG)
        r.later()
        # A sale: WooCommerce took 2 units; the order is in our queue, not yet in GP.
        r.woo.batch_products(update=[{"id": mug["id"], "stock_quantity": 118}])
        order = Order.create(woo_id=5001, number="5001", status="processing", state="new",
                             payload={"line_items": [{"sku": MUG, "quantity": 2}]},
                             created_at=r.clock.now(), updated_at=r.clock.now())
        OrderSku.create(order=order, sku=MUG)
        r.later()
        report = sync(r)
        assert report.to_woo == 0 and r.woo_by_sku(MUG)["stock_quantity"] == 118
        assert ProductLink.get(ProductLink.sku == MUG).base_quantity == D("118")


def test_a_dry_run_decides_but_writes_nothing_anywhere(tmp_path):
    from core.store.models import AuditEvent

    with rig(tmp_path) as r:
        r.gp_control(f"items/{MUG}", {"price": "21.00"})
        r.later()
        r.hint(MUG)
        report = sync(r, dry_run=True)
        assert report.dry_run and any(MUG in w and "21.00" in w for w in report.would)
        assert r.woo_by_sku(MUG)["regular_price"] == "16.00"
        assert ProductLink.select().count() == 0 and AuditEvent.select().count() == 0
        assert Job.select().where(Job.status == "queued").count() == 1  # the hint stays
