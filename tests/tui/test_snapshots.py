"""How the console looks (pytest-textual-snapshot): fixed size, fixed data, an injected clock,
no clock on screen. Update deliberately with `pytest tests/tui --snapshot-update`."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from core.clock import ManualClock
from tests.tui.helpers import settle
from tui.app import make_app

SIZE = (120, 36)


def keys(*pressed: str) -> Callable[[Pilot], Awaitable[None]]:
    async def run(pilot: Pilot) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return run


def console(shop: Path, clock: ManualClock):
    return make_app(shop, clock=clock, actor="console:test", poll_interval=None)


def test_dashboard(snap_compare, shop, clock):
    assert snap_compare(console(shop, clock), terminal_size=SIZE, run_before=keys())


def test_orders(snap_compare, shop, clock):
    assert snap_compare(console(shop, clock), terminal_size=SIZE, run_before=keys("2"))


def test_order_detail(snap_compare, shop, clock):
    # 1009: a new order whose invoice is shown exactly as it will be posted, with its GL lines.
    assert snap_compare(console(shop, clock), terminal_size=SIZE,
                        run_before=keys("2", "down", "down", "down", "enter"))


def test_flagged_skus(snap_compare, shop, clock):
    assert snap_compare(console(shop, clock), terminal_size=SIZE, run_before=keys("3"))


def test_gl_editor(snap_compare, shop, clock):
    assert snap_compare(console(shop, clock), terminal_size=SIZE, run_before=keys("5"))


def test_reconciliation(snap_compare, shop, clock):
    assert snap_compare(console(shop, clock), terminal_size=SIZE,
                        run_before=keys("6", "down", "down"))


def test_products(snap_compare, shop, clock):
    # a conflict and two manual tasks; the cursor on the GP price change shows what to do
    from tests.tui.test_products import seed_tasks

    seed_tasks(clock)
    assert snap_compare(console(shop, clock), terminal_size=SIZE, run_before=keys("8", "down"))
