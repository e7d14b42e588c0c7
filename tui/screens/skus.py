"""Flagged SKUs: each unknown SKU with the orders waiting on it, fixed in place."""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import DataTable, Footer, Header, Label

from core.money import format_money
from core.skus import (
    FlaggedRow,
    MapEffect,
    SkuMapError,
    map_all_exact_matches,
    map_effect,
    map_sku,
    open_flags,
    waiting_orders,
)
from core.store.models import Order
from tui.messages import SkuMapped
from tui.screens.base import ConsoleScreen, in_db_thread
from tui.screens.item_picker import ItemPickerScreen
from tui.screens.sku_confirm import SYNC, ConfirmMapScreen
from tui.screens.sku_mappings import SkuMappingsScreen
from tui.shown import shown


class SkusScreen(ConsoleScreen):
    TITLE = "Flagged SKUs"
    AUTO_FOCUS = "#flags"
    BINDINGS = [
        Binding("m,enter", "pick", "Map to item", id="skus.pick"),
        Binding("a", "accept", "Accept match", id="skus.accept"),
        Binding("l", "mappings", "Mappings", id="skus.mappings"),
        Binding("x", "map_all", "Map all exact", show=False, id="skus.map_all"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.flags: dict[str, FlaggedRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="flag-list"):
                yield Label("Unknown SKUs", classes="section")
                yield DataTable(id="flags", cursor_type="row", zebra_stripes=True)
            with Vertical(id="flag-orders"):
                yield Label("Orders waiting on it", classes="section", id="waiting-title")
                yield DataTable(id="waiting", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        flags = self.query_one("#flags", DataTable)
        # No fixed widths: the SKU ("(no sku) product 123") and the variation ("Organic Tee,
        # Blue - XL") are shown whole; the table scrolls sideways on a narrow terminal.
        flags.add_column("SKU", key="sku")
        flags.add_column("Product", key="product")
        flags.add_column("Product id", key="product_id")
        flags.add_column("Waiting", key="waiting")
        flags.add_column("Exact match in GP", key="suggestion")
        waiting = self.query_one("#waiting", DataTable)
        for key, label in (("number", "Order"), ("customer", "Customer"), ("total", "Total")):
            waiting.add_column(label, key=key)

    @property
    def current(self) -> FlaggedRow | None:
        table = self.query_one("#flags", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.flags.get(str(key))

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load",
          description="Reading flagged SKUs")
    def load(self) -> None:
        self.deliver(self.show, in_db_thread(open_flags))

    def show(self, rows: list[FlaggedRow]) -> None:
        table = self.query_one("#flags", DataTable)
        keep = self.current
        self.flags = {r.sku: r for r in rows}
        table.clear()
        for r in rows:
            table.add_row(shown(r.sku or "(none)"), shown(r.product_name or ""),
                          Text(str(r.product_id or ""), justify="right"),
                          Text(str(r.waiting_orders), justify="right"),
                          shown(r.suggestion or "—"), key=r.sku)
        if keep is not None and keep.sku in self.flags:
            table.move_cursor(row=table.get_row_index(keep.sku))
        self.load_waiting()

    @on(DataTable.RowHighlighted, "#flags")
    def highlighted(self) -> None:
        self.load_waiting()

    def load_waiting(self) -> None:
        row = self.current
        self.read_waiting(row.sku if row else None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="waiting",
          description="Reading waiting orders")
    def read_waiting(self, sku: str | None) -> None:
        orders = in_db_thread(waiting_orders, sku) if sku is not None else []
        self.deliver(self.show_waiting, sku, orders)

    def show_waiting(self, sku: str | None, orders: list[Order]) -> None:
        table = self.query_one("#waiting", DataTable)
        table.clear()
        for o in orders:
            table.add_row(Text(o.number, justify="right"), shown(o.customer_name or ""),
                          Text(format_money(o.total) if o.total is not None else "",
                               justify="right"), key=str(o.woo_id))
        title = (f"Orders waiting on {sku}" if sku else
                 "No flagged SKU: every line has a GP item. l lists the SKU mappings.")
        self.query_one("#waiting-title", Label).update(shown(title))

    # --- fixing ----------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#flags")
    def selected(self) -> None:
        self.action_pick()

    def action_pick(self) -> None:
        row = self.current
        if row is None:
            return

        def chosen(item: str | None) -> None:
            if item:
                self.explain(row, item)

        self.app.push_screen(ItemPickerScreen(row.sku, row.suggestion, row.product_name),
                             chosen)

    def action_accept(self) -> None:
        row = self.current
        if row is None:
            return
        if not row.suggestion:
            self.notify(f"GP has no item {row.sku}: pick one with m.", severity="warning")
            return
        self.explain(row, row.suggestion)

    @work(thread=True, exit_on_error=False, group="effect", description="Reading the effect")
    def explain(self, row: FlaggedRow, item: str) -> None:
        effect = in_db_thread(map_effect, row.sku, item)
        self.deliver(self.confirm, row, effect)

    def confirm(self, row: FlaggedRow, effect: MapEffect) -> None:
        """Nothing is mapped on a keystroke: the effect is spelled out first."""
        def answered(how: str | None) -> None:
            if how:
                self.save(row.sku, effect.gp_item, how == SYNC)

        self.app.push_screen(ConfirmMapScreen(effect, row.product_name), answered)

    @work(thread=True, exit_on_error=False, group="write", description="Mapping the SKU")
    def save(self, sku: str, item: str, sync: bool = False) -> None:
        try:
            replayed = in_db_thread(map_sku, sku, item, actor=self.ctx.actor,
                                    clock=self.ctx.clock, sync=sync)
        except SkuMapError as exc:
            self.deliver(self.notify, escape(f"Not mapped: {exc}."), severity="error",
                         timeout=10)
            return
        self.deliver(self.post_message, SkuMapped(sku, item.strip().upper(), replayed))

    def action_mappings(self) -> None:
        def reload(_none: None) -> None:
            self.load()

        self.app.push_screen(SkuMappingsScreen(), reload)

    def action_map_all(self) -> None:
        self.save_all()

    @work(thread=True, exit_on_error=False, group="write", description="Mapping exact matches")
    def save_all(self) -> None:
        done = in_db_thread(map_all_exact_matches, actor=self.ctx.actor, clock=self.ctx.clock)
        self.deliver(self.mapped_all, done)

    def mapped_all(self, done: dict[str, int]) -> None:
        if not done:
            self.notify("No flagged SKU has an exact match in GP.", severity="warning")
        else:
            self.notify(f"Mapped {len(done)} SKU(s); {sum(done.values())} order(s) replayed.")
            self.connector.wake_worker()
        self.connector.check_database()
        self.load()

    def on_sku_mapped(self, message: SkuMapped) -> None:
        self.notify(escape(f"{message.sku} → {message.gp_item}: {message.replayed} order(s) "
                           "replayed."))
        self.connector.check_database()
        self.load()

    def palette_commands(self) -> Any:
        yield SystemCommand("Map all exact matches", "Every flagged SKU GP knows by the same "
                            "number", self.action_map_all)
        yield SystemCommand("Map the highlighted SKU", "Pick a GP item", self.action_pick)
        yield SystemCommand("SKU mappings", "List mappings, remove one", self.action_mappings)
