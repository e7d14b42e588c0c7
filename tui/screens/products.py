"""Products: conflicts from the two-way product sync, resolved by choosing a side."""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.widgets import DataTable, Footer, Header, Label

from tui.messages import ConflictResolved
from tui.screens.base import ConsoleScreen, in_db_thread


def read_conflicts() -> tuple[list[Any], str]:
    try:
        from core.products.conflicts import open_conflicts
    except ImportError:
        return [], "Product sync is not part of this installation."
    rows = open_conflicts()
    return rows, ("No product conflicts: both sides agree." if not rows else
                  "Both sides changed these fields since the last sync: choose which one wins.")


class ProductsScreen(ConsoleScreen):
    TITLE = "Products"
    AUTO_FOCUS = "#conflicts"
    BINDINGS = [
        Binding("w", "take('woo')", "Keep WooCommerce", id="products.woo"),
        Binding("g", "take('gp')", "Keep GP", id="products.gp"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="products-note")
        yield DataTable(id="conflicts", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#conflicts", DataTable)
        for key, label, width in (("sku", "SKU", 16), ("field", "Field", 9),
                                  ("base", "Last synced", 16), ("woo", "WooCommerce", 16),
                                  ("gp", "GP", 16)):
            table.add_column(label, key=key, width=width)

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load",
          description="Reading product conflicts")
    def load(self) -> None:
        self.deliver(self.show, *in_db_thread(read_conflicts))

    def show(self, rows: list[Any], note: str) -> None:
        self.query_one("#products-note", Label).update(escape(note))
        table = self.query_one("#conflicts", DataTable)
        table.clear()
        for task in rows:
            sku = getattr(getattr(task, "link", None), "sku", "")
            table.add_row(Text(sku), task.field, Text(task.base_value or ""),
                          Text(task.woo_value or ""), Text(task.gp_value or ""),
                          key=str(task.id))

    def action_take(self, side: str) -> None:
        table = self.query_one("#conflicts", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self.resolve(int(str(key)), side)

    @work(thread=True, exit_on_error=False, group="write", description="Resolving the conflict")
    def resolve(self, task_id: int, side: str) -> None:
        from core.products.conflicts import resolve

        in_db_thread(resolve, task_id, side, actor=self.ctx.actor, clock=self.ctx.clock)
        self.deliver(self.post_message, ConflictResolved(task_id, side))

    def on_conflict_resolved(self, message: ConflictResolved) -> None:
        side = "WooCommerce" if message.side == "woo" else "GP"
        self.notify(f"Conflict resolved: {side}'s value wins.")
        self.load()
