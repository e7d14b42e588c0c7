"""Pick a GP item for a flagged SKU from the local item cache (never the network), seeing which
items are already synced with a product or used for posting another SKU."""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from core import queries
from core.skus import item_uses
from core.store.models import GpItem
from tui.screens.base import in_db_thread

HINT = ("Enter or ↓ to the list, Enter picks (you confirm next) · Esc cancels · from the local "
        "GP item cache")


class ItemPickerScreen(ModalScreen[str | None]):
    """Returns the chosen GP item number, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "to_items", "Items", show=False, id="picker.to_items"),
    ]

    def __init__(self, sku: str, suggestion: str | None, product_name: str | None = None
                 ) -> None:
        super().__init__()
        self.sku = sku
        self.suggestion = suggestion
        self.product_name = product_name

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            title = f"GP item for WooCommerce SKU {self.sku}"
            if self.product_name:
                title += f" ({self.product_name})"
            yield Label(Text(title), classes="section wrap")
            yield Input(value=self.suggestion or "", placeholder="type to search GP items",
                        id="item-search")
            yield OptionList(id="items")
            yield Label(HINT, classes="hint wrap", id="picker-hint")

    def on_mount(self) -> None:
        self.search(self.query_one(Input).value)

    @on(Input.Changed, "#item-search")
    def typed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @on(Input.Submitted, "#item-search")
    def submitted(self) -> None:
        items = self.query_one(OptionList)
        if items.option_count:
            items.highlighted = items.highlighted or 0
            option = items.get_option_at_index(items.highlighted)
            self.dismiss(option.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search",
          description="Searching GP items")
    def search(self, text: str) -> None:
        found = in_db_thread(queries.search_items, text)
        uses = in_db_thread(item_uses, [i.item_number for i in found])
        if self.app.is_running:
            self.app.call_from_thread(self.show, found, uses)

    def show(self, items: list[GpItem], uses: dict[str, str] | None = None) -> None:
        uses = uses or {}
        options = self.query_one(OptionList)
        options.clear_options()
        rows = []
        for i in items:
            label = Text(f"{i.item_number:<20} {i.description}")
            if i.item_number in uses:
                label.append(f"  ({uses[i.item_number]})", style="italic dim")
            rows.append(Option(label, id=i.item_number))
        options.add_options(rows)
        if items:
            options.highlighted = 0
        self.query_one("#picker-hint", Label).update(
            HINT if items else "No GP item matches what you typed: clear the search to see "
            "every item, or create the item in GP (the worker refreshes this list).")

    def action_to_items(self) -> None:
        items = self.query_one(OptionList)
        if items.option_count:
            items.focus()

    @on(OptionList.OptionSelected, "#items")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
