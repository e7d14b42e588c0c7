"""The Products screen: conflicts AND manual product tasks, each with what to do, on a real
database; manual ones are marked done by hand (`d`), conflicts resolved by choosing a side."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from textual.widgets import DataTable, Label

from core.clock import ManualClock
from core.products.conflicts import raise_task
from core.store.db import database
from core.store.models import AuditEvent, ProductLink, ProductTask
from tests.tui.helpers import settle, text_of
from tui.app import make_app

SIZE = (120, 36)


def _link(sku: str, gp_item: str, product_id: int, clock: ManualClock) -> ProductLink:
    return ProductLink.create(sku=sku, woo_product_id=product_id, gp_item=gp_item,
                              base_name=f"Product {sku}", base_price=Decimal("20.00"),
                              base_quantity=Decimal("5"), updated_at=clock.now())


def seed_tasks(clock: ManualClock) -> dict[str, int]:
    """A name conflict, a price GP would not take over SOAP, a lost inventory adjustment."""
    with database.atomic():
        hoodie = _link("CL-HOODIE-M", "HOODIE-M", 501, clock)
        tee = _link("TEE-BLU-M", "TEE-BLUE-MED", 502, clock)
        mug = _link("MUG-ENAMEL", "MUG-ENAMEL", 503, clock)
        conflict, _ = raise_task(hoodie, "conflict", "name", base="Hoodie", woo="Hoodie (M)",
                                 gp="Hooded top M", message="CL-HOODIE-M: name: choose a side",
                                 clock=clock)
        price, _ = raise_task(tee, "manual", "price", base=Decimal("20.00"),
                              woo=Decimal("22.50"), gp=Decimal("20.00"), clock=clock,
                              message="TEE-BLU-M: GP cannot take the price change over this "
                                      "route (price levels); set item TEE-BLUE-MED's price to "
                                      "'22.50' in GP, then mark it done")
        lost, _ = raise_task(mug, "manual", "quantity", base=Decimal("7"), woo=Decimal("7"),
                             gp=Decimal("5"), clock=clock,
                             message="MUG-ENAMEL: GP's answer to inventory adjustment ADJ0042 "
                                     "was lost; check in GP that it exists (line +2 for "
                                     "MUG-ENAMEL) and mark this done, or choose GP's figure to "
                                     "drop it")
    return {"conflict": conflict.id, "price": price.id, "lost": lost.id}


def _rows(app) -> list[tuple[str, str, str]]:
    table = app.screen.query_one("#conflicts", DataTable)
    return [(str(table.get_row(k)[0]), str(table.get_row(k)[1]), str(table.get_row(k)[3]))
            for k in table.rows]


async def _cursor_to(pilot, sku: str) -> None:
    """Arrow keys up to the top, then down to the row (no wrap-around in a DataTable)."""
    table = pilot.app.screen.query_one("#conflicts", DataTable)
    for _ in range(table.cursor_row):
        await pilot.press("up")
    await settle(pilot)
    for _ in range(table.row_count):
        if str(table.get_row_at(table.cursor_row)[1]) == sku:
            return
        await pilot.press("down")
        await settle(pilot)
    raise AssertionError(f"{sku} is not listed")


async def test_manual_tasks_are_listed_with_what_to_do_and_marked_done(shop: Path,
                                                                      clock: ManualClock):
    ids = seed_tasks(clock)
    app = make_app(shop, clock=clock, actor="console:test", poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("8")
        await settle(pilot)
        assert _rows(app) == [("conflict", "CL-HOODIE-M", "name"),
                              ("manual", "TEE-BLU-M", "price"),
                              ("manual", "MUG-ENAMEL", "quantity")]
        note = text_of(app.screen.query_one("#products-note", Label))
        assert "1 conflict(s)" in note and "2 manual change(s)" in note

        await _cursor_to(pilot, "TEE-BLU-M")
        todo = text_of(app.screen.query_one("#products-todo", Label))
        assert "Change the price of TEE-BLUE-MED to 22.50 in GP, then mark it done (d)" in todo
        await pilot.press("w")  # not for a manual task: the sync cannot make that change
        await settle(pilot)
        assert ProductTask.get_by_id(ids["price"]).status == "open"
        await pilot.press("d")
        await settle(pilot)
        task = ProductTask.get_by_id(ids["price"])
        assert (task.status, task.resolution, task.resolved_by) == ("done", "woo", "console:test")
        event = AuditEvent.select().where(AuditEvent.kind == "manual resolved").get()
        assert event.entity_id == "TEE-BLU-M" and "made in GP by hand" in event.message
        assert [r[1] for r in _rows(app)] == ["CL-HOODIE-M", "MUG-ENAMEL"]

        await _cursor_to(pilot, "MUG-ENAMEL")  # the sync's own words say what to check
        todo = text_of(app.screen.query_one("#products-todo", Label))
        assert "adjustment ADJ0042" in todo and "d" in todo

        await _cursor_to(pilot, "CL-HOODIE-M")
        assert "keep WooCommerce's Hoodie (M) (w) or GP's Hooded top M (g)" in text_of(
            app.screen.query_one("#products-todo", Label))
        await pilot.press("d")  # a conflict is never "done by hand"
        await settle(pilot)
        assert ProductTask.get_by_id(ids["conflict"]).status == "open"
        await pilot.press("g")
        await settle(pilot)
        task = ProductTask.get_by_id(ids["conflict"])
        assert (task.status, task.resolution) == ("resolved", "gp")
        assert [r[1] for r in _rows(app)] == ["MUG-ENAMEL"]
