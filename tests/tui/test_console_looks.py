"""How the console reads to an accountant (issue 15 items 11-15): money right-aligned, counts and
amounts apart, states in colour, fees on the WooCommerce side, the nine screens always in view,
usable at 80x24, times in the store's zone, r only where it applies, screenshots in the
workspace."""
from __future__ import annotations

import csv
import tempfile

from rich.text import Text
from textual.widgets import DataTable, Static

from core.config import Settings
from core.store.db import database
from core.store.models import Order
from tests.tui.helpers import settle, text_of
from tui.app import make_app
from tui.commands.demo import keep_exports
from tui.screens.dashboard import DashboardScreen
from tui.screens.order_detail import OrderDetailScreen
from tui.screens.problems import ProblemsScreen
from tui.widgets.nav_bar import NavBar


def chicago() -> Settings:
    s = Settings()
    s.worker.schedule.timezone = "America/Chicago"
    return s


def console(shop, clock, settings: Settings | None = None):
    return make_app(shop, clock=clock, actor="console:test", poll_interval=None,
                    settings=settings)


def footer_keys(app) -> set[str]:
    """The actions the footer offers on this screen right now."""
    return {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show
            and app.screen.check_action(b.binding.action, ()) is not False}


async def test_orders_at_80x24_keep_the_gp_column_with_money_right_and_states_in_colour(
        shop, clock):
    app = console(shop, clock, chicago())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one("#orders", DataTable)
        assert table.virtual_size.width <= table.size.width  # nothing scrolled off sideways
        assert str(table.get_cell("1", "gp")) == "WC1001"
        total: Text = table.get_cell("1", "total")
        assert total.justify == "right" and str(total) == "24.00"
        assert "red" in str(table.get_cell("7", "state").style)  # failed
        assert "yellow" in str(table.get_cell("4", "state").style)  # held
        assert "green" in str(table.get_cell("3", "state").style)  # verified
        # The store's time zone, named: 09:00 UTC is 03:00 in Chicago.
        assert str(table.get_cell("1", "created")) == "11-27 03:00"
        assert "CST" in str(table.columns["created"].label)
        assert isinstance(app.screen.query_one(NavBar), NavBar)
        assert "CST" in text_of(app.screen.query_one(NavBar))
        # r is offered on a held order, not on a posted one.
        table.move_cursor(row=table.get_row_index("4"))
        await settle(pilot)
        assert "replay" in footer_keys(app)
        table.move_cursor(row=table.get_row_index("1"))
        await settle(pilot)
        assert "replay" not in footer_keys(app)


async def test_order_detail_stacks_at_80_columns_shows_fees_and_hides_replay(shop, clock):
    with database.atomic():
        order = Order.get(Order.woo_id == 1001)
        payload = dict(order.payload)
        payload["fee_lines"] = [{"id": 1, "name": "Gift wrap", "total": "3.5", "total_tax": "0"}]
        Order.update(payload=payload).where(Order.id == order.id).execute()
    app = console(shop, clock, chicago())
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(OrderDetailScreen(1001))
        await settle(pilot)
        assert app.screen.query_one("#detail-top").has_class("-stacked")
        woo = text_of(app.screen.query_one("#woo", Static))
        assert "Fee: Gift wrap" in woo and "3.50" in woo
        assert "Created (CST)" in woo and "2026-11-27 03:00" in woo
        assert "replay" not in footer_keys(app)  # 1001 is posted
        timeline = app.screen.query_one("#order-timeline", DataTable)
        assert timeline.columns["kind"].width >= len("customer_created")
        assert "CST" in str(timeline.columns["at"].label)
    app = console(shop, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        app.push_screen(OrderDetailScreen(1004))
        await settle(pilot)
        assert not app.screen.query_one("#detail-top").has_class("-stacked")
        assert "replay" in footer_keys(app)  # 1004 is held


async def test_reconciliation_counts_and_amounts_apart_and_csv_with_two_decimals(shop, clock):
    app = console(shop, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("6")
        await settle(pilot)
        table = app.screen.query_one("#recon", DataTable)
        key = "2026-11-27|stripe"
        assert str(table.get_cell(key, "woo_n")).isdigit()
        amount: Text = table.get_cell(key, "woo")
        assert amount.justify == "right" and "." in str(amount)
        await pilot.press("x")
        await settle(pilot)
        summary, _details = app.screen.exported
        rows = list(csv.DictReader(summary.open()))
        money = [v for r in rows for k, v in r.items() if "total" in k or k == "difference"]
        assert money and all(v.count(".") == 1 and len(v.split(".")[1]) == 2 for v in money)


async def test_dashboard_cards_open_their_screen_and_attention_names_the_key(shop, clock):
    app = console(shop, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        attention = text_of(app.screen.query_one("#attention", Static))
        assert "Flagged SKUs. [key 3]" in attention and "[key 4]" in attention
        assert "order 1012" in text_of(app.screen.query_one("#recent", Static))
        app.screen.query_one("#card-failed").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)


async def test_a_screenshot_is_saved_in_the_workspace_and_said_where(shop, clock):
    app = console(shop, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        saved = app.deliver_screenshot()
        await settle(pilot)
        assert saved is not None and saved.startswith(str(shop.parent / "exports"))
        assert (shop.parent / "exports" / "screenshots").is_dir()
        assert any(saved in str(n.message) for n in app._notifications)


def test_the_demo_keeps_what_was_exported_when_it_removes_its_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    exports = tmp_path / "demo" / "workspace" / "exports"
    assert keep_exports(exports) is None  # nothing exported: nothing kept, nothing said
    (exports / "screenshots").mkdir(parents=True)
    (exports / "reconciliation.csv").write_text("day\n")
    kept = keep_exports(exports)
    assert kept is not None and kept.parent == tmp_path / "tmp"
    assert (kept / "reconciliation.csv").read_text() == "day\n" and not exports.exists()
