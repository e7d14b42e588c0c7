"""The console over a workspace of several pairs (issue 17): it opens on the pair picker with
every pair's queues (read from each pair's own database, read-only, no lease taken), Enter opens
a pair's dashboard, key 0 comes back, and switching shows only the chosen pair's orders, without
a restart. One pair, or --pair NAME: the console opens on the dashboard as before."""
from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable

from core.clock import ManualClock
from core.config import Workspace
from core.pairs import pair_workspace
from core.queries.pair_queues import pair_overview
from core.secrets.keys import ENV_VAR
from core.store.db import close_db, database, init_db
from core.store.models import WorkerLease
from core.store.postgres import DATABASE_URL_ENV
from core.worker.lease import Lease
from tests.core.pairs_env import close_pairs, start_pair
from tests.tui.helpers import settle, text_of
from tests.tui.seed import START, add_order
from tui.app import PickerApp, make_app, make_picker_app
from tui.cli import cli, main
from tui.commands.common import PAIR_ENV, WORKSPACE_ENV
from tui.commands.console import console_app
from tui.screens.dashboard import DashboardScreen
from tui.screens.orders import OrdersScreen
from tui.screens.pair_picker import PairPickerScreen
from tui.widgets.stat_card import StatCard

SIZE = (120, 36)
PAIRS = {"default": ("https://shop-a.example.com", "AAA"),
         "wholesale": ("https://shop-b.example.com", "BBB"),
         "eu": ("https://shop-c.example.com", "CCC")}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def folder(tmp_path, monkeypatch, clock) -> Path:
    """Three pairs made by `init`: default (A: 1 new, 2 held, 1 failed, a worker that polled),
    wholesale (B: 3 new, 1 held) and eu (C: nothing yet)."""
    for name in (ENV_VAR, WORKSPACE_ENV, PAIR_ENV):
        monkeypatch.delenv(name, raising=False)
    ws_dir = tmp_path / "ws"
    for pair, (shop, company) in PAIRS.items():
        named = [] if pair == "default" else ["--pair", pair]
        assert main(["init", "--workspace", str(ws_dir), "--non-interactive", "--woo-url", shop,
                     "--gp-company", company, *named]) == 0
        close_db()
    base = Workspace.at(ws_dir)
    init_db(base.db_path)
    add_order(clock, 1001, state="new", skus=["BLU-TEE-M"], total="24.00")
    for woo_id in (1002, 1003):
        add_order(clock, woo_id, state="held", skus=["SOCK-A"], total="16.00",
                  hold_reason="sku", hold_detail="SKU SOCK-A is not a GP item")
    add_order(clock, 1004, state="failed", skus=["MUG-ENAMEL"], total="17.50",
              last_error="GP refused it")
    Lease(mode="headless", clock=clock, host="office", pid=4242).acquire(
        status={"last_poll_at": (START + timedelta(hours=1)).isoformat()})
    close_db()
    init_db(pair_workspace(base, "wholesale").db_path)
    for woo_id in (2001, 2002, 2003):
        add_order(clock, woo_id, state="new", skus=["BLU-TEE-L"], total="24.00")
    add_order(clock, 2004, state="held", skus=["APRON-LIN"], total="37.00", hold_reason="gl",
              hold_detail="no sales account")
    close_db()
    yield ws_dir
    close_db()


def picker_rows(app) -> dict[str, list[str]]:
    table = app.screen.query_one("#pairs", DataTable)
    return {str(key.value): [str(cell) for cell in table.get_row(key)] for key in table.rows}


def order_keys(app) -> list[str]:
    """The order numbers the Orders screen shows (row keys are database ids: 1, 2, ... in
    every pair, so they cannot tell the pairs apart)."""
    table = app.screen.query_one("#orders", DataTable)
    return sorted(str(table.get_cell(k, "number")) for k in table.rows)


def cards(app) -> tuple[str, ...]:
    return tuple(app.screen.query_one(f"#card-{name}", StatCard).value
                 for name in ("incoming", "held", "failed"))


async def choose(pilot, app, name: str) -> None:
    assert isinstance(app.screen, PairPickerScreen)
    table = app.screen.query_one("#pairs", DataTable)
    table.move_cursor(row=table.get_row_index(name))
    await pilot.press("enter")
    await settle(pilot)


async def test_the_picker_lists_every_pairs_shop_company_and_queues_read_only(folder, clock):
    base = Workspace.at(folder)
    app = make_picker_app(base, clock=clock, actor="console:test", poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PairPickerScreen) and not app.pair_open
        rows = picker_rows(app)
    assert list(rows) == ["default", "eu", "wholesale"]
    # pair, shop, GP company, incoming, held, failed, last poll (UTC), worker
    assert rows["default"][:6] == ["default", "shop-a.example.com", "AAA", "1", "2", "1"]
    assert rows["default"][6] == "2026-11-27 10:00"
    assert rows["wholesale"][:7] == ["wholesale", "shop-b.example.com", "BBB", "3", "1", "0",
                                     "never"]
    assert rows["wholesale"][7] == "never ran"
    assert rows["eu"][:7] == ["eu", "shop-c.example.com", "CCC", "0", "0", "0", "never"]
    # Reading took no pair's lease and left the lease that was there as it was.
    init_db(pair_workspace(base, "wholesale").db_path)
    assert WorkerLease.select().count() == 0
    init_db(base.db_path)
    assert WorkerLease.get().holder.startswith("office:4242")


async def test_choosing_a_pair_shows_its_orders_only_and_switching_back_shows_the_first(
        folder, clock):
    base = Workspace.at(folder)
    app = make_picker_app(base, clock=clock, actor="console:test", poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "0" not in app.screen.active_bindings  # no "0 Pairs" on the picker itself
        await pilot.press("2")  # no pair open yet: the screen keys do nothing
        await settle(pilot)
        assert isinstance(app.screen, PairPickerScreen)
        await choose(pilot, app, "wholesale")
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.active_bindings["0"].binding.description == "Pairs"  # in the footer
        assert "0 Pairs" in text_of(app.screen.query_one("#nav"))
        assert cards(app) == ("3", "1", "0")  # B's incoming, held, failed
        assert app.screen.sub_title == "pair wholesale: shop-b.example.com → GP BBB"
        assert Path(database.database) == pair_workspace(base, "wholesale").db_path
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, OrdersScreen)
        assert order_keys(app) == ["2001", "2002", "2003", "2004"]
        held_b = app.screen
        await pilot.press("0")  # back to the picker: B's screens and database are closed
        await settle(pilot)
        assert isinstance(app.screen, PairPickerScreen) and not app.pair_open
        assert database.is_closed() and not held_b.is_attached
        await choose(pilot, app, "default")
        assert app.screen.sub_title == "pair default: shop-a.example.com → GP AAA"
        assert cards(app) == ("1", "2", "1")  # A's, none of B's left on screen
        await pilot.press("2")
        await settle(pilot)
        assert order_keys(app) == ["1001", "1002", "1003", "1004"]
        assert app.screen is not held_b
        await pilot.press("0")
        await settle(pilot)
        await choose(pilot, app, "wholesale")
        await pilot.press("2")
        await settle(pilot)
        assert order_keys(app) == ["2001", "2002", "2003", "2004"]


def opened_console(folder: Path, *args: str):
    """What `ml-connector console --workspace FOLDER ARGS` would run (not run here)."""
    with cli.make_context("ml-connector", ["--workspace", str(folder), *args, "console"]) as ctx, \
            ctx.scope():
        return console_app(start_worker=False)


async def test_pair_named_or_a_single_pair_opens_on_the_dashboard_as_before(folder, tmp_path):
    assert isinstance(opened_console(folder), PickerApp)
    close_db()
    named = opened_console(folder, "--pair", "eu")
    assert not isinstance(named, PickerApp) and named.ctx.pair == "eu"
    assert named.pairs_base == Workspace.at(folder)  # key 0 still offers the others
    close_db()
    assert main(["init", "--workspace", str(tmp_path / "one"), "--non-interactive",
                 "--woo-url", "https://shop.example.com"]) == 0
    close_db()
    single = opened_console(tmp_path / "one")
    assert not isinstance(single, PickerApp) and single.pairs_base is None
    async with single.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(single.screen, DashboardScreen)
        assert "0" not in single.screen.active_bindings  # no Pairs key in the footer
        await pilot.press("0")
        await settle(pilot)
        assert isinstance(single.screen, DashboardScreen)  # nothing to pick from


async def test_a_pair_opened_with_its_name_switches_to_another_from_the_picker(folder, clock):
    base = Workspace.at(folder)
    app = make_app(pair_workspace(base, "eu"), clock=clock, actor="console:test",
                   poll_interval=None, pairs_base=base, pair="eu")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert order_keys(app) == []
        await pilot.press("0")
        await settle(pilot)
        await choose(pilot, app, "default")
        await pilot.press("2")
        await settle(pilot)
        assert order_keys(app) == ["1001", "1002", "1003", "1004"]


async def test_switching_stops_the_first_pairs_embedded_worker_and_starts_the_nexts(tmp_path):
    """Two real pairs (each its own shop and GP stand-in): the console's embedded worker runs
    the open pair only; going back to the picker stops it and gives its lease back, and the
    next pair gets a worker of its own, on that pair's workspace and lease."""
    folder = tmp_path / "ws"
    envs = [start_pair(tmp_path, folder, "default", seed=1, orders=3),
            start_pair(tmp_path, folder, "wholesale", seed=2, orders=2)]
    base = Workspace.at(folder)
    app = make_picker_app(base, start_worker=True, actor="console:test", poll_interval=None)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await choose(pilot, app, "default")
            first = app.embedded
            assert first is not None
            assert await asyncio.to_thread(first.worker.started.wait, 30)
            a_queues = pair_overview(base, "default").queues
            assert a_queues is not None and a_queues.worker is not None
            assert a_queues.worker.alive and a_queues.worker.mode == "embedded"
            assert pair_overview(base, "wholesale").queues.worker is None  # B untouched
            await pilot.press("0")
            await settle(pilot)
            assert app.embedded is None and first.finished.is_set() and first.exit_code == 0
            default = pair_overview(base, "default").queues
            assert default is not None and default.worker is None  # released, not expired
            assert default.stopped_at is not None and default.last_poll_at is not None
            assert picker_rows(app)["default"][7].startswith("stopped ")
            await choose(pilot, app, "wholesale")
            second = app.embedded
            assert second is not None and second is not first
            assert second.worker.workspace == pair_workspace(base, "wholesale")
            assert await asyncio.to_thread(second.worker.started.wait, 30)
            b_queues = pair_overview(base, "wholesale").queues
            assert b_queues is not None and b_queues.worker is not None and b_queues.worker.alive
            assert b_queues.worker.mode == "embedded"
            default = pair_overview(base, "default").queues  # A's lease stays given back
            assert default is not None and (default.worker is None or not default.worker.alive)
        assert second.finished.is_set()  # the console closing stops it too
    finally:
        close_pairs(envs)


async def test_a_pair_that_cannot_be_read_is_listed_with_why_and_the_others_still_open(
        folder, clock):
    """A broken config.toml in one pair (a hand edit gone wrong): its row says so in words,
    its figures are '?', and the other pairs open as usual."""
    base = Workspace.at(folder)
    config = pair_workspace(base, "eu").config_path
    config.write_text(config.read_text() + "\n[gp\n")
    app = make_picker_app(base, clock=clock, actor="console:test", poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = picker_rows(app)
        assert rows["eu"][3:6] == ["?", "?", "?"]
        note = text_of(app.screen.query_one("#pair-note"))
        assert note.startswith("eu: configuration:") and "config.toml" in note
        assert rows["wholesale"][3:6] == ["3", "1", "0"]
        await choose(pilot, app, "wholesale")
        assert cards(app) == ("3", "1", "0")


async def test_going_back_and_choosing_at_once_waits_for_the_first_pair_to_close(folder, clock):
    """0 then Enter with no pause: the second pair opens only after the first is closed."""
    base = Workspace.at(folder)
    app = make_picker_app(base, clock=clock, actor="console:test", poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, app, "default")
        await pilot.press("0", "enter")  # the cursor is still on default's row
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen) and app.ctx.pair == "default"
        assert cards(app) == ("1", "2", "1")
        assert Path(database.database) == base.db_path and not database.is_closed()


async def test_a_pair_whose_state_another_pair_shares_is_not_opened(folder, clock, monkeypatch):
    """ML_CONNECTOR_DATABASE_URL names one database for every pair: opening a pair on it would
    show (and its embedded worker would work) a state the other pairs write too. The console
    says why and opens nothing; the URL points nowhere, so an attempt would fail differently."""
    monkeypatch.setenv(DATABASE_URL_ENV, "postgresql://mlc@127.0.0.1:9/tenants")
    app = make_picker_app(Workspace.at(folder), clock=clock, actor="console:test",
                          poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, app, "wholesale")
        assert isinstance(app.screen, PairPickerScreen)
        assert not app.pair_open
        shown = " ".join(str(n.message) for n in app._notifications)
        assert f"Pair wholesale is not opened: {DATABASE_URL_ENV} is set" in shown


def test_a_pair_on_an_unreachable_postgresql_says_so_not_a_missing_database(folder, clock):
    """A pair whose state is on a PostgreSQL that cannot be reached says where it is (no
    password: the URL never holds one) and why, instead of 'no state database yet'; the other
    pairs are still listed (tests/postgres/test_pg_pair_picker.py reads a reachable one)."""
    ws = pair_workspace(Workspace.at(folder), "eu")
    settings = ws.load()
    settings.store.database_url = ("postgresql://mlc@db.example:5432/tenants"
                                   "?options=-csearch_path%3Deu")
    ws.save(settings)
    row = pair_overview(Workspace.at(folder), "eu", clock)
    assert row.queues is None and row.problem is not None
    assert row.problem.startswith("PostgreSQL at postgresql://mlc@db.example:5432/tenants "
                                  "cannot be read: "), row.problem
