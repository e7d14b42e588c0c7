"""Every SKU mapping, with who made it, and the way to remove one (audited, replays nothing)."""
from __future__ import annotations

from typing import Any, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label

from core.skus import SkuMapping, sku_mappings, unmap_sku
from tui.screens.base import ConsoleHost, in_db_thread
from tui.screens.sku_confirm import ConfirmScreen


class SkuMappingsScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="mappings.close"),
        Binding("u,delete", "unmap", "Remove mapping", id="mappings.unmap"),
    ]
    AUTO_FOCUS = "#mappings"

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, SkuMapping] = {}

    @property
    def connector(self) -> ConsoleHost:
        return cast(ConsoleHost, self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="mappings-box"):
            yield Label("SKU mappings", classes="section")
            yield DataTable(id="mappings", cursor_type="row", zebra_stripes=True)
            yield Label("Posting only: orders are invoiced with the item; the product sync "
                        "leaves the product alone. u removes a mapping · Esc closes",
                        classes="hint wrap", id="mappings-hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#mappings", DataTable)
        for key, label in (("sku", "WooCommerce SKU"), ("product", "Product"),
                           ("item", "GP item"), ("how", "Use"), ("by", "Mapped by"),
                           ("at", f"When ({self.connector.ctx.zone_name()})")):
            table.add_column(label, key=key)
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load",
          description="Reading SKU mappings")
    def load(self) -> None:
        rows = in_db_thread(sku_mappings)
        if self.app.is_running:
            self.app.call_from_thread(self.show, rows)

    def show(self, rows: list[SkuMapping]) -> None:
        table = self.query_one("#mappings", DataTable)
        table.clear()
        self.rows = {r.sku: r for r in rows}
        for r in rows:
            table.add_row(Text(r.sku or "(none)"), Text(r.product_name or ""), Text(r.gp_item),
                          "posting + sync" if r.sync else "posting only", Text(r.created_by),
                          self.connector.ctx.local(r.created_at),
                          key=r.sku)
        if not rows:
            self.query_one("#mappings-hint", Label).update(
                "No SKU is mapped yet: map a flagged SKU with m on Flagged SKUs.")

    @property
    def current(self) -> SkuMapping | None:
        table = self.query_one("#mappings", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(str(key))

    def action_unmap(self) -> None:
        row = self.current
        if row is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.unmap(row.sku)

        self.app.push_screen(ConfirmScreen(
            f"Remove the mapping {row.sku} → {row.gp_item}?",
            "Documents already posted keep their item and nothing is replayed. The next order "
            f"with SKU {row.sku} is held and the SKU flagged again"
            + (", and the product stops syncing with the item." if row.sync else "."),
            "Remove mapping"), answered)

    @work(thread=True, exit_on_error=False, group="write", description="Removing the mapping")
    def unmap(self, sku: str) -> None:
        ctx: Any = self.connector.ctx
        item = in_db_thread(unmap_sku, sku, actor=ctx.actor, clock=ctx.clock)
        if self.app.is_running:
            self.app.call_from_thread(self.unmapped, sku, item)

    def unmapped(self, sku: str, item: str | None) -> None:
        self.notify(escape(f"{sku} is no longer mapped to {item}." if item else
                           f"{sku} was not mapped."))
        self.connector.check_database()
        self.load()

    def action_close(self) -> None:
        self.dismiss(None)
