"""Mapping from the console, as a new user does it (issue 15 items 1, 4, 5): a product without a
SKU can be mapped by its product id; the picker says which items are already synced; nothing is
mapped without a confirmation that spells out the effect; mappings are listed and can be
removed (audited, replaying nothing)."""
from __future__ import annotations

from textual.widgets import Button, DataTable, Label, OptionList

from core.skus import no_sku_key
from core.store.audit import timeline
from core.store.models import AuditEvent, Order, ProductLink, SkuMap
from tests.tui.helpers import settle, text_of
from tests.tui.seed import add_order, flagged_open
from tui.app import make_app
from tui.screens.item_picker import ItemPickerScreen
from tui.screens.sku_confirm import ConfirmMapScreen, ConfirmScreen
from tui.screens.sku_mappings import SkuMappingsScreen

NO_SKU = no_sku_key(777)


async def test_a_no_sku_product_is_mapped_for_posting_only_listed_and_unmapped(shop, clock):
    ProductLink.create(sku="MUG-ENAMEL", woo_product_id=42, gp_item="MUG-ENAMEL",
                       updated_at=clock.now())
    add_order(clock, 1020, state="held", skus=[NO_SKU], total="17.50", hold_reason="sku",
              hold_detail=f"{NO_SKU} has no SKU")
    app = make_app(shop, clock=clock, actor="console:test", poll_interval=None)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        flags = app.screen.query_one("#flags", DataTable)
        assert NO_SKU in [str(k.value) for k in flags.rows]
        assert str(flags.get_cell(NO_SKU, "sku")) == NO_SKU  # the whole id, not cut
        flags.move_cursor(row=flags.get_row_index(NO_SKU))
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ItemPickerScreen)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 6  # no SKU to search by: every GP item is offered
        await pilot.press(*"mug")
        await settle(pilot)
        [mug] = [options.get_option_at_index(i) for i in range(options.option_count)]
        assert "(synced)" in str(mug.prompt)
        await pilot.press("down")  # from the search box to the list
        assert app.screen.focused is options
        await pilot.press("enter")
        await settle(pilot)

        assert isinstance(app.screen, ConfirmMapScreen)
        said = " ".join(text_of(w) for w in app.screen.query(Label))
        assert "synced with WooCommerce SKU MUG-ENAMEL" in said
        assert app.screen.query_one("#sync", Button).disabled  # a second link would fight
        await pilot.press("enter")  # Map for posting
        await settle(pilot)
        row = SkuMap.get(SkuMap.woo_sku == NO_SKU)
        assert (row.gp_item, row.sync) == ("MUG-ENAMEL", False)
        assert NO_SKU not in flagged_open()
        assert Order.get(Order.woo_id == 1020).state == "new"  # replayed

        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, SkuMappingsScreen)
        table = app.screen.query_one("#mappings", DataTable)
        assert [str(k.value) for k in table.rows] == [NO_SKU]
        assert str(table.get_cell(NO_SKU, "how")) == "posting only"
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # Cancel has the focus: nothing removed
        await settle(pilot)
        assert SkuMap.select().count() == 1
        await pilot.press("u")
        await settle(pilot)
        await pilot.click("#yes")
        await settle(pilot)
        assert SkuMap.select().count() == 0
        assert table.row_count == 0
        events = timeline("sku", NO_SKU)
        assert (events[-1].kind, events[-1].actor) == ("unmapped", "console:test")
        replays = AuditEvent.select().where((AuditEvent.kind == "replayed")
                                            & (AuditEvent.entity_id == "1020")).count()
        assert replays == 1  # the mapping's replay; the unmapping replayed nothing
        assert ProductLink.select().count() == 1
