"""Search as a new user types it (issue 15 item 9): an exact order number comes first; Enter or
Down goes from the box to the results; `/` toggles and `v` verifies instead of being typed."""
from __future__ import annotations

from textual.widgets import Input, Label

from tests.tui.helpers import settle, text_of
from tests.tui.seed import add_order
from tui.app import make_app
from tui.screens.order_detail import OrderDetailScreen


async def test_an_exact_order_number_is_first_and_enter_goes_to_the_results(shop, clock):
    add_order(clock, 137, state="posted", skus=["MUG-ENAMEL"], total="17.50")
    # Changed later, so newest-first would list them above 137: e-mail and name hold "137".
    add_order(clock, 2001, state="posted", skus=["MUG-ENAMEL"], total="17.50",
              customer="Zoe 1370 Grant")
    add_order(clock, 1370, state="posted", skus=["MUG-ENAMEL"], total="17.50")
    app = make_app(shop, clock=clock, actor="console:test", poll_interval=None)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("slash", *"137", "slash")  # the second / goes back, is not typed
        await settle(pilot)
        box = app.screen.query_one("#text-filter", Input)
        assert box.value == "137"
        table = app.screen.query_one("#orders")
        assert app.screen.focused is table
        numbers = [r.number for r in table.rows_by_id.values()]
        assert numbers[0] == "137" and {"1370", "2001"} <= set(numbers)
        await pilot.press("slash")
        assert app.screen.focused is box
        await pilot.press("enter")  # to the results, cursor on the exact match
        assert app.screen.focused is table
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen) and app.screen.woo_id == 137
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("slash", "down")
        assert app.screen.focused is table


async def test_v_in_the_audit_order_box_verifies_the_chain(shop, clock):
    app = make_app(shop, clock=clock, actor="console:test", poll_interval=None)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("7")
        await settle(pilot)
        await pilot.press("slash", *"1004", "v")
        await settle(pilot)
        assert app.screen.query_one("#audit-order", Input).value == "1004"
        assert text_of(app.screen.query_one("#chain", Label)).startswith("Chain verified")
