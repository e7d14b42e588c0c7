"""Pick a GP item for a flagged SKU from the local item cache (never the network)."""
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
from core.store.models import GpItem
from tui.screens.base import in_db_thread


class ItemPickerScreen(ModalScreen[str | None]):
    """Returns the chosen GP item number, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="picker.cancel")]

    def __init__(self, sku: str, suggestion: str | None) -> None:
        super().__init__()
        self.sku = sku
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Label(Text(f"GP item for WooCommerce SKU {self.sku}"), classes="section")
            yield Input(value=self.suggestion or "", placeholder="type to search GP items",
                        id="item-search")
            yield OptionList(id="items")
            yield Label("Enter picks · Esc cancels · searched in the local GP item cache",
                        classes="hint", id="picker-hint")

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
        if self.app.is_running:
            self.app.call_from_thread(self.show, found)

    def show(self, items: list[GpItem]) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(Text(f"{i.item_number:<20} {i.description}"),
                                    id=i.item_number) for i in items])
        if items:
            options.highlighted = 0
        self.query_one("#picker-hint", Label).update(
            "Enter picks · Esc cancels · searched in the local GP item cache" if items else
            "No GP item matches: create it in GP first (the worker refreshes the item cache)")

    @on(OptionList.OptionSelected, "#items")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
