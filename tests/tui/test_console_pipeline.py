"""End to end through the console: an order held on an unknown SKU at the real stand-ins is
fixed from the Flagged SKUs screen, the pipeline (run_until_idle, real NTLM to the GP stand-in)
posts it, and the console shows it verified with its whole timeline."""
from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Label, Static

from core import gl
from core.clock import ManualClock
from core.secrets.vault import GP_PASSWORD, create_key, open_vault
from core.skus import map_sku, open_flags
from core.store import audit
from core.store.db import close_db, database
from core.store.models import GpItem, Order
from core.store.sent import sent_invoice
from tests.tui.helpers import settle, text_of
from tui.app import make_app
from tui.screens.gl_edit import GlEditScreen
from tui.screens.item_picker import ItemPickerScreen
from tui.screens.order_detail import OrderDetailScreen

pipeline_env = pytest.importorskip("tests.core.pipeline_env")


@pytest.fixture
def env(tmp_path):
    e = pipeline_env.start_env(tmp_path, orders=3, seed=3, clock=ManualClock())
    yield e
    e.close()
    close_db()


async def test_unknown_sku_fixed_in_the_console_posts_through_the_pipeline(env):
    env.ingest()
    made = env.woo_control("POST", "activity", {"unknown_sku_orders": 1})
    env.ingest()
    env.runner().run_until_idle()
    held = Order.get(Order.woo_id == made["unknown_sku_orders"][0])
    assert (held.state, held.hold_reason) == ("held", "sku")
    # The worker's item refresh fills the local cache the console searches (never GP itself).
    gateway = env.gateway()
    with database.atomic():
        for item in gateway.list_items(price_level="RETAIL", uofm="Each", site="MAIN"):
            GpItem.create(item_number=item.item_number, description=item.description,
                          price=item.price, refreshed_at=env.clock.now())

    app = make_app(env.ws, clock=env.clock, settings=env.settings, actor="console:test",
                   poll_interval=None)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ItemPickerScreen)
        await pilot.press(*"CAP-CANVAS-NVY", "enter")
        await settle(pilot)
        await pilot.press("enter")  # confirm "Map for posting"
        await settle(pilot)
        assert Order.get_by_id(held.id).state == "new"

        env.runner().run_until_idle()  # what the (embedded or headless) worker does next
        assert app.check_database()
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one("#orders", DataTable)
        assert str(table.get_cell(str(held.id), "state")) == "verified"
        table.move_cursor(row=table.get_row_index(str(held.id)))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen)
        kinds = [str(k) for k in app.screen.query_one("#order-timeline", DataTable)
                 .get_column("kind")]
        assert kinds.index("held") < kinds.index("replayed") < kinds.index("posted") \
            < kinds.index("verified")
        assert f"WC{held.number}" in text_of(app.screen.query_one("#gp", Static))


async def test_a_posted_invoice_shows_the_gl_distribution_it_was_posted_with(env):
    """Issue 15 item 3: a cash account changed after posting must not rewrite what the order
    detail shows for a posted invoice; a document not yet posted shows today's mapping."""
    env.ingest()
    env.runner().run_until_idle()
    posted = [o for o in Order.select() if o.state in ("posted", "verified")
              and o.payment_method in ("stripe", "ppcp")]
    assert posted, "the seeded shop has a paid order"
    order = posted[0]
    was = "000-1140-00" if order.payment_method == "stripe" else "000-1130-00"
    invoice, _ = sent_invoice(order.gp_doc_number)
    assert was in [d.account for d in invoice.distributions if d.kind == "CASH"]
    gl.set_account("gateway", order.payment_method, "cash", "000-1199-00", actor="test",
                   clock=env.clock)

    app = make_app(env.ws, clock=env.clock, settings=env.settings, actor="console:test",
                   poll_interval=None)
    async with app.run_test(size=(160, 50)) as pilot:
        app.push_screen(OrderDetailScreen(order.woo_id))
        await settle(pilot)
        gp = text_of(app.screen.query_one("#gp", Static))
        assert "The invoice as posted" in gp and was in gp
        assert "000-1199-00" not in gp and "today's" not in gp


def test_the_demos_sku_less_gift_wrapping_is_mapped_to_gp_and_posts(env):
    """Issue 15 item 5: every flagged line in the demo can be fixed from the console — the
    shop's SKU-less "Gift Wrapping" maps, by its product id, to GP's GIFT-WRAP service item."""

    env.ingest()
    for _ in range(4):
        env.woo_control("POST", "activity", {"unknown_sku_orders": 3})
    env.ingest()
    env.runner().run_until_idle()
    no_sku = [f for f in open_flags() if f.sku.startswith("(no sku) product ")]
    assert no_sku, "the seeded shop sells its SKU-less product"
    assert no_sku[0].product_name == "Gift Wrapping"
    held = {o.woo_id for o in Order.select() if o.hold_reason == "sku"}
    map_sku(no_sku[0].sku, "GIFT-WRAP", actor="console:test", clock=env.clock)
    env.runner().run_until_idle()
    gift = [o for o in Order.select() if o.woo_id in held
            and any(not (li.get("sku") or "") for li in o.payload["line_items"])]
    assert gift and all(o.state in ("posted", "verified") for o in gift)


async def test_the_gl_editor_refuses_an_account_gp_does_not_have_in_gps_words(env):
    """Issue 15 item 2, in the console: the account is looked up in GP (GetGLAccountList on
    the stand-in) before the dialog closes; 999-9999-99 is refused, 000-4200-00 is saved."""
    create_key(env.ws)  # the console reads GP's password from the workspace's vault
    open_vault(env.ws).set(GP_PASSWORD, env.gp.password, "test")
    app = make_app(env.ws, clock=env.clock, settings=env.settings, actor="console:test",
                   poll_interval=None)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("5")
        await settle(pilot)
        table = app.screen.query_one("#gl", DataTable)
        table.move_cursor(row=table.get_row_index("company||discount"))
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, GlEditScreen)
        assert app.screen.focused is app.screen.query_one("#account", Input)
        app.screen.query_one("#account", Input).value = "999-9999-99"
        await pilot.press("enter")
        await settle(pilot)
        said = text_of(app.screen.query_one("#gl-error", Label))
        assert isinstance(app.screen, GlEditScreen)
        assert "GP has no account 999-9999-99" in said and "ACTNUMST" in said
        assert gl.resolve_account("discount") == "000-4110-00"  # unchanged
        app.screen.query_one("#account", Input).value = "000-4200-00"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, GlEditScreen)
        assert gl.resolve_account("discount") == "000-4200-00"
        event = audit.timeline("gl", "company::discount")[-1]
        assert "(checked in GP)" in event.message and event.actor == "console:test"
