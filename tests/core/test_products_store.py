"""Product sync against a real SQLite state database: links, tasks, webhook hints, in-flight
stock and the planning rules that read them (no network needed for these)."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from core.clock import ManualClock
from core.gp.gateway import GPItemInfo
from core.products import conflicts
from core.products.fields import WooEntry
from core.products.inflight import in_flight_quantities
from core.products.intake import HINT_JOB, product_changed
from core.products.links import ensure_links, resolve_item, save_base
from core.products.plan import plan_link
from core.store.audit import timeline, verify_chain
from core.store.db import database
from core.store.models import Job, Order, OrderSku, ProductLink, ProductTask, SkuMap

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
OWNERS = {"name": "woocommerce", "price": "gp", "quantity": "gp"}


@pytest.fixture
def clock():
    return ManualClock(T0)


def entry(sku="MUG-1", *, name="Mug", price="16.00", qty="10", pid=7, vid=None,
          modified=T0) -> WooEntry:
    return WooEntry(sku, pid, vid, name, D(price), None if qty is None else D(qty), modified)


def gp(item="MUG-1", *, name="Mug", price="16.00", qty="10") -> GPItemInfo:
    return GPItemInfo(item, name, D(price), None if qty is None else D(qty))


def linked(clock, e: WooEntry | None = None, **base) -> ProductLink:
    e = e or entry()
    links, _ = ensure_links([e], {e.sku.upper()}, clock=clock)
    link = links[e.sku]
    if base:
        with database.atomic():
            save_base(link, base, kind="agreed", message="test base", clock=clock)
    return link


def test_links_by_exact_sku_upper_case_or_an_override(state_db, clock):
    assert resolve_item("TEE-BLU-M", {"TEE-BLU-M"}, {}) == "TEE-BLU-M"
    assert resolve_item("tee-blu-m", {"TEE-BLU-M"}, {}) == "TEE-BLU-M"
    assert resolve_item("WEB-MUG", {"MUG-12"}, {"WEB-MUG": "MUG-12"}) == "MUG-12"
    assert resolve_item("NOPE", {"MUG-12"}, {}) is None
    # A mapping for posting only (the console's default) is not a sync link ...
    SkuMap.create(woo_sku="WEB-MUG", gp_item="MUG-12", created_by="t", created_at=T0)
    links, unknown = ensure_links([entry("WEB-MUG")], {"MUG-12"}, clock=clock, dry_run=True)
    assert (links, unknown) == ({}, ["WEB-MUG"])
    # ... one the accountant chose to sync is.
    SkuMap.update(sync=True).execute()
    links, unknown = ensure_links([entry("WEB-MUG"), entry("TEE-BLU-M", pid=20, vid=21),
                                   entry("NOPE")], {"MUG-12", "TEE-BLU-M"}, clock=clock)
    assert {s: (lk.gp_item, lk.woo_product_id, lk.woo_variation_id) for s, lk in links.items()} == {
        "WEB-MUG": ("MUG-12", 7, None), "TEE-BLU-M": ("TEE-BLU-M", 20, 21)}
    assert unknown == ["NOPE"]
    assert [e.kind for e in timeline("product", "TEE-BLU-M")] == ["linked"]
    assert verify_chain().ok


def test_a_link_repointed_to_another_item_forgets_its_base(state_db, clock):
    link = linked(clock, price=D("16"))
    SkuMap.create(woo_sku="MUG-1", gp_item="MUG-2", created_by="t", created_at=T0, sync=True)
    links, _ = ensure_links([entry()], {"MUG-1", "MUG-2"}, clock=clock)
    again = ProductLink.get_by_id(link.id)
    assert (again.gp_item, again.base_price) == ("MUG-2", None)
    assert [e.kind for e in timeline("product", "MUG-1")] == ["linked", "agreed", "relinked"]


def test_base_update_and_audit_commit_together(state_db, clock):
    link = linked(clock)
    with pytest.raises(RuntimeError):
        with database.atomic():
            save_base(link, {"price": D("18")}, kind="synced", message="x", clock=clock)
            raise RuntimeError("crash before commit")
    assert ProductLink.get_by_id(link.id).base_price is None
    assert [e.kind for e in timeline("product", "MUG-1")] == ["linked"]


# --- webhook hints and echo ------------------------------------------------------------------

PAYLOAD = {"id": 7, "type": "simple", "sku": "MUG-1", "name": "Mug", "regular_price": "16.00",
           "manage_stock": True, "stock_quantity": 10, "date_modified_gmt": "2026-11-27T12:00:00"}


def hints() -> list[str]:
    return [j.key for j in Job.select().where((Job.kind == HINT_JOB) & (Job.status == "queued"))]


def test_our_own_write_coming_back_by_webhook_is_dropped(state_db, clock):
    link = linked(clock, name="Mug", price=D("16"), quantity=D("10"))
    with database.atomic():
        save_base(link, {"price": D("18")}, kind="synced", message="wrote 18", clock=clock,
                  woo_modified=datetime(2026, 11, 27, 12, 5, tzinfo=UTC))
    product_changed({**PAYLOAD, "regular_price": "18.00",
                     "date_modified_gmt": "2026-11-27T12:05:00"}, clock=clock)
    assert hints() == []
    # A later delivery with the same values (say, the description changed) is no change either.
    product_changed({**PAYLOAD, "regular_price": "18.00",
                     "date_modified_gmt": "2026-11-27T12:09:00"}, clock=clock)
    assert hints() == []


def test_a_real_change_queues_one_hint(state_db, clock):
    linked(clock, name="Mug", price=D("16"), quantity=D("10"))
    product_changed({**PAYLOAD, "stock_quantity": 4, "date_modified_gmt": "2026-11-27T12:09:00"},
                    clock=clock)
    product_changed({**PAYLOAD, "stock_quantity": 3, "date_modified_gmt": "2026-11-27T12:10:00"},
                    clock=clock)
    assert hints() == ["product:MUG-1"]


def test_parents_deletions_and_unknown_products(state_db, clock):
    linked(clock, entry("TEE-M", pid=20, vid=21), name="Tee - M")
    product_changed({"id": 20, "type": "variable", "sku": "TEE", "name": "Organic Tee"},
                    clock=clock)
    assert hints() == ["product:TEE-M"]  # a parent's name is part of its variations' names
    product_changed({"id": 7}, clock=clock)  # product.deleted body
    product_changed({"id": 8, "type": "simple", "sku": ""}, clock=clock)
    product_changed({**PAYLOAD, "id": 9, "sku": "NEW-1"}, clock=clock)  # not linked yet
    assert sorted(hints()) == ["product:NEW-1", "product:TEE-M"]


# --- in-flight stock ---------------------------------------------------------------------------


def _order(woo_id: int, status: str, state: str, lines: list[tuple[str, int]]) -> None:
    o = Order.create(woo_id=woo_id, number=str(woo_id), status=status, state=state,
                     payload={"line_items": [{"sku": s, "quantity": q} for s, q in lines]},
                     created_at=T0, updated_at=T0)
    for s in {s for s, _ in lines}:
        OrderSku.create(order=o, sku=s)


def test_in_flight_counts_only_stock_taken_orders_gp_has_not_seen(state_db):
    _order(1, "processing", "new", [("MUG-1", 2), ("TEE-M", 1)])
    _order(2, "on-hold", "skipped", [("MUG-1", 1)])  # stock taken, not invoiced
    _order(3, "completed", "held", [("MUG-1", 1), ("MUG-1", 3)])
    _order(4, "processing", "posted", [("MUG-1", 5)])  # GP allocated it already
    _order(5, "pending", "skipped", [("MUG-1", 7)])  # no stock taken yet
    _order(6, "cancelled", "void", [("MUG-1", 9)])
    assert in_flight_quantities(["MUG-1", "NONE"]) == {"MUG-1": D("7")}


# --- planning with tasks ------------------------------------------------------------------------


def test_a_sale_gp_has_not_invoiced_does_not_bounce_back(state_db, clock):
    link = linked(clock, name="Mug", price=D("16"), quantity=D("10"))
    plan = plan_link(link, entry(qty="9"), gp(qty="10"), OWNERS, in_flight=D("1"))
    assert plan.to_woo == {} and plan.adopt == {"quantity": D("9")}


def test_pending_adjustment_counts_until_gp_shows_it(state_db, clock):
    link = linked(clock, name="Mug", price=D("16"), quantity=D("20"))
    owners = {**OWNERS, "quantity": "woocommerce"}
    plan = plan_link(link, entry(qty="20"), gp(qty="9"), owners, pending=D("11"))
    assert plan.to_gp == {} and not plan.busy


def test_open_conflict_freezes_the_field_and_closes_when_sides_agree(state_db, clock):
    link = linked(clock, name="Mug", price=D("16"), quantity=D("10"))
    owners = {**OWNERS, "price": "last_writer"}
    plan = plan_link(link, entry(price="17"), gp(price="18"), owners)
    assert set(plan.conflicts) == {"price"}
    with database.atomic():
        task, new = conflicts.raise_task(link, "conflict", "price", base=D("16"), woo=D("17"),
                                         gp=D("18"), clock=clock, message="both changed")
    assert new
    tasks = {"price": task}
    frozen = plan_link(link, entry(price="17.50"), gp(price="18"), owners, tasks=tasks)
    assert frozen.to_woo == frozen.to_gp == {} and set(frozen.frozen) == {"price"}
    agreed = plan_link(link, entry(price="18"), gp(price="18"), owners, tasks=tasks)
    assert agreed.adopt == {"price": D("18")} and agreed.closes[0][0].id == task.id


def test_resolving_a_conflict_is_audited_and_writes_the_chosen_side_next(state_db, clock):
    link = linked(clock, name="Mug", price=D("16"), quantity=D("10"))
    with database.atomic():
        task, _ = conflicts.raise_task(link, "conflict", "price", base=D("16"), woo=D("17"),
                                       gp=D("18"), clock=clock, message="both changed")
    assert [t.id for t in conflicts.open_conflicts()] == [task.id]
    conflicts.resolve(task.id, "woo", actor="console:alice", clock=clock)
    assert conflicts.open_conflicts() == []
    with pytest.raises(conflicts.TaskError):
        conflicts.resolve(task.id, "gp", actor="console:bob", clock=clock)
    resolved = ProductTask.get_by_id(task.id)
    assert (resolved.status, resolved.resolution, resolved.resolved_by) == (
        "resolved", "woo", "console:alice")
    plan = plan_link(link, entry(price="17"), gp(price="18"),
                     {**OWNERS, "price": "last_writer"}, tasks={"price": resolved})
    assert plan.to_gp == {"price": D("17")} and plan.applies["price"].id == task.id
    ev = timeline("product", "MUG-1")[-1]
    assert (ev.kind, ev.actor) == ("conflict resolved", "console:alice")
    assert verify_chain().ok


def test_a_manual_task_marked_done_by_hand_closes_at_once(state_db, clock):
    link = linked(clock, name="Mug", price=D("16"), quantity=D("10"))
    with database.atomic():
        task, _ = conflicts.raise_task(link, "manual", "name", base="Mug", woo="Stone Mug",
                                       gp="Mug", clock=clock, message="GP cannot rename")
        again, new = conflicts.raise_task(link, "manual", "name", base="Mug",
                                          woo="Stone Mug 12oz", gp="Mug", clock=clock,
                                          message="GP cannot rename")
    assert again.id == task.id and not new and again.woo_value == "Stone Mug 12oz"
    conflicts.resolve(task.id, "woo", actor="console:alice", clock=clock)
    assert ProductTask.get_by_id(task.id).status == "done"


def test_a_variation_name_wanted_from_gp_becomes_a_task_not_a_write(state_db, clock):
    link = linked(clock, entry("TEE-M", pid=20, vid=21, name="Tee - M"), name="Tee - M",
                  price=D("16"), quantity=D("10"))
    plan = plan_link(link, entry("TEE-M", pid=20, vid=21, name="Tee - M"),
                     gp("TEE-M", name="Organic Tee M"), {**OWNERS, "name": "gp"})
    assert plan.to_woo == {} and "name" in plan.woo_cannot
