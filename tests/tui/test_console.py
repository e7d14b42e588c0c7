"""The console, driven as the accountant drives it (App.run_test + Pilot), on a real database."""
from __future__ import annotations

import csv
from pathlib import Path

from textual.widgets import DataTable, Input, Label, OptionList, Static

from core.clock import ManualClock
from core.store import audit
from core.store.db import database
from core.store.models import AuditEvent, GlMapping, Job, Order
from tests.tui.helpers import post_like_the_worker, settle, settle_until, text_of
from tests.tui.seed import flagged_open
from tui.app import SCREENS, make_app
from tui.screens.gl_edit import GlEditScreen
from tui.screens.help import HelpScreen
from tui.screens.item_picker import ItemPickerScreen
from tui.screens.order_detail import OrderDetailScreen
from tui.screens.sku_confirm import ConfirmMapScreen

SIZE = (120, 36)


def console(shop: Path, clock: ManualClock):
    return make_app(shop, clock=clock, actor="console:test", poll_interval=None)


def table_keys(app, selector: str) -> list[str]:
    return [str(k.value) for k in app.screen.query_one(selector, DataTable).rows]


async def test_every_screen_opens_from_its_key_and_help_and_palette(shop, clock):
    app = console(shop, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for mode, key, title, screen in SCREENS:
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, screen), title
            assert app.current_mode == mode
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert type(app.screen).__name__ == "CommandPalette"


async def test_dashboard_shows_queues_and_attention(shop, clock):
    app = console(shop, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        attention = text_of(app.screen.query_one("#attention", Static))
        assert attention.startswith("1. No worker is running")
        assert "wait on 2 flagged SKU(s)" in attention


async def test_sku_fixed_from_the_flagged_list_replays_and_posts(shop, clock):
    """Held on an unknown SKU -> mapped from the GP item list -> replayed -> posted, with the
    whole story in the order's timeline. The posting step is done the way the worker records
    it (post_like_the_worker): the pipeline's run-until-idle is not driven from here."""
    app = console(shop, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        assert table_keys(app, "#flags") == ["WOOL-SOCK-BLK", "apron-lin"]
        assert table_keys(app, "#waiting") == ["1004", "1005"]
        await pilot.press("m")  # pick a GP item for WOOL-SOCK-BLK
        await settle(pilot)
        assert isinstance(app.screen, ItemPickerScreen)
        await pilot.press(*"mug")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 1 and options.get_option_at_index(0).id == "MUG-ENAMEL"
        await pilot.press("enter")
        await settle(pilot)
        # Nothing is mapped on a keystroke: the effect is spelled out, Esc changes nothing.
        assert isinstance(app.screen, ConfirmMapScreen)
        said = " ".join(text_of(w) for w in app.screen.query(Label))
        assert "2 held order(s) with SKU WOOL-SOCK-BLK" in said and "posting only" in said
        await pilot.press("escape")
        await settle(pilot)
        assert flagged_open() == ["WOOL-SOCK-BLK", "apron-lin"]
        await pilot.press("m")
        await settle(pilot)
        await pilot.press(*"mug", "enter")
        await settle(pilot)
        await pilot.press("enter")  # "Map for posting" has the focus
        await settle(pilot)
        assert flagged_open() == ["apron-lin"]
        assert {o.woo_id: o.state for o in Order.select().where(
            Order.woo_id.in_([1004, 1005]))} == {1004: "new", 1005: "new"}
        assert Job.get(Job.key == "order:1004").status == "queued"
        assert table_keys(app, "#flags") == ["apron-lin"]
        # The other one has an exact match: accept it.
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmMapScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert flagged_open() == []
        assert Order.get(Order.woo_id == 1006).state == "new"
        mapped = AuditEvent.get((AuditEvent.kind == "mapped")
                                & (AuditEvent.entity_id == "apron-lin"))
        assert mapped.actor == "console:test" and "APRON-LIN" in mapped.message

        # The worker posts 1004 (another writer); the console notices on its next poll.
        post_like_the_worker(1004, clock)
        assert app.check_database()
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one("#orders", DataTable)
        assert str(table.get_cell("4", "state")) == "posted"
        table.move_cursor(row=table.get_row_index("4"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen)
        kinds = [str(k) for k in app.screen.query_one("#order-timeline", DataTable)
                 .get_column("kind")]
        assert kinds == ["received", "held", "replayed", "posted"]
        gp = text_of(app.screen.query_one("#gp", Static))
        assert " ".join(gp.split()).startswith("GP document WC1004") and "GL distribution" in gp


async def test_gl_change_is_validated_and_audited(shop, clock):
    app = console(shop, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        keys = table_keys(app, "#gl")
        assert "company||misc" in keys and "gateway|bacs|cash" in keys
        table = app.screen.query_one("#gl", DataTable)
        table.move_cursor(row=table.get_row_index("gateway|bacs|cash"))
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, GlEditScreen)
        await pilot.press(*"not an account", "enter")
        await settle(pilot)
        assert isinstance(app.screen, GlEditScreen)  # refused, stays open with the reason
        assert "is not a GP account number" in text_of(app.screen.query_one("#gl-error", Label))
        app.screen.query_one("#account", Input).value = "000-1100-03"
        await pilot.press("enter")
        await settle(pilot)
        # A bare database has no GP to ask: nothing is saved without the explicit choice.
        assert isinstance(app.screen, GlEditScreen)
        assert "GP could not be opened" in text_of(app.screen.query_one("#gl-error", Label))
        assert GlMapping.get_or_none(GlMapping.scope_key == "bacs") is None
        await pilot.click("#unchecked")
        await settle(pilot)
        row = GlMapping.get((GlMapping.scope == "gateway") & (GlMapping.scope_key == "bacs"))
        assert row.account == "000-1100-03" and row.updated_by == "console:test"
        event = AuditEvent.select().order_by(AuditEvent.id.desc()).get()
        assert event.kind == "gl_changed" and event.actor == "console:test"
        assert "(none) -> 000-1100-03 (NOT checked in GP: GP could not be opened" in event.message
        assert audit.verify_chain().ok
        # saved, then the table reloads in a worker of its own
        assert await settle_until(pilot, lambda: str(app.screen.query_one("#gl", DataTable)
                                                     .get_cell("gateway|bacs|cash", "account"))
                                  == "000-1100-03")


async def test_failed_order_replayed_from_held_and_failed(shop, clock):
    app = console(shop, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot)
        assert table_keys(app, "#problems") == ["order:1004", "order:1005", "order:1006",
                                                "order:1007", "order:1008"]
        table = app.screen.query_one("#problems", DataTable)
        table.move_cursor(row=table.get_row_index("order:1007"))
        await settle(pilot)
        detail = text_of(app.screen.query_one("#problem-detail", Static))
        assert "GP said: GP: Customer NOAHSTONE is on credit hold" in detail
        await pilot.press("r")
        await settle(pilot)
        assert Order.get(Order.woo_id == 1007).state == "new"
        assert "order:1007" not in table_keys(app, "#problems")
        replayed = audit.timeline("order", 1007)[-1]
        assert replayed.kind == "replayed" and replayed.actor == "console:test"


async def test_replay_a_marked_selection(shop, clock):
    app = console(shop, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("space", "space")  # marks 1004 and 1005
        await pilot.press("R")
        await settle(pilot)
        states = {o.woo_id: o.state for o in Order.select().where(Order.woo_id.in_(
            [1004, 1005, 1006]))}
        assert states == {1004: "new", 1005: "new", 1006: "held"}


async def test_reconciliation_shows_the_planted_difference_and_exports(shop, clock):
    app = console(shop, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        table = app.screen.query_one("#recon", DataTable)
        assert str(table.get_cell("2026-11-27|stripe", "diff")) == "175.51"
        table.move_cursor(row=table.get_row_index("2026-11-27|stripe"))
        await settle(pilot)
        explain = table_keys(app, "#recon-explain")
        assert "order:1010" in explain and "order:1012" in explain
        await pilot.press("x")
        await settle(pilot)
        summary, details = app.screen.exported
        rows = list(csv.DictReader(summary.open()))
        assert rows[-1]["difference"] == "228.51"
        assert any(r["woo_id"] == "1010" for r in csv.DictReader(details.open()))


async def test_order_filter_narrows_the_list_as_you_type(shop, clock):
    app = console(shop, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        assert len(table_keys(app, "#orders")) == 12
        await pilot.press("slash", *"sku:WOOL")
        await settle(pilot)
        assert table_keys(app, "#orders") == ["5", "4"]
        await pilot.press("escape")  # back to the table: screen keys work again
        assert app.screen.focused is app.screen.query_one("#orders")


async def test_a_headless_workers_change_shows_without_reopening(shop, clock):
    app = console(shop, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        assert not app.check_database()  # nothing moved: no redraw
        post_like_the_worker(1009, clock)
        assert app.check_database()
        await settle(pilot)
        table = app.screen.query_one("#orders", DataTable)
        assert str(table.get_cell("9", "state")) == "posted"
        assert str(table.get_cell("9", "gp")) == "WC1009"


async def test_audit_screen_verifies_the_chain(shop, clock):
    app = console(shop, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await settle(pilot)
        assert table_keys(app, "#audit")[0] == str(AuditEvent.select().count())
        await pilot.press("v")
        await settle(pilot)
        assert "unbroken" in text_of(app.screen.query_one("#chain", Label))
        with database.atomic():
            AuditEvent.update(message="edited").where(AuditEvent.id == 3).execute()
        await pilot.press("v")
        await settle(pilot)
        assert "BROKEN" in text_of(app.screen.query_one("#chain", Label))


async def test_keymap_setting_rebinds_a_key(shop, clock):
    app = make_app(shop, clock=clock, actor="console:test", poll_interval=None,
                   keymap={"go.orders": "o"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await settle(pilot)
        assert app.current_mode == "orders"


async def test_remote_text_is_never_read_as_markup(shop, clock):
    with database.atomic():
        Order.update(last_error="[bold red]GP[/] said [link=x]no[/link]").where(
            Order.woo_id == 1007).execute()
    app = console(shop, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot)
        table = app.screen.query_one("#problems", DataTable)
        shown = str(table.get_cell("order:1007", "detail"))
        assert shown == "[bold red]GP[/] said [link=x]no[/link]"
