"""Confirm a SKU mapping with its effect spelled out, and confirm an unmapping."""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from core.skus import MapEffect

POSTING, SYNC = "posting", "sync"


class ConfirmMapScreen(ModalScreen[str | None]):
    """Returns POSTING, SYNC (post with the item and sync the product with it) or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="confirm_map.cancel")]

    def __init__(self, effect: MapEffect, product_name: str | None) -> None:
        super().__init__()
        self.effect = effect
        self.product_name = product_name

    def compose(self) -> ComposeResult:
        e = self.effect
        with Vertical(id="confirm-map", classes="dialog"):
            yield Label("Map this SKU?", classes="section")
            what = f"WooCommerce SKU {e.sku or '(none)'}"
            if self.product_name:
                what += f" ({self.product_name})"
            item = f"GP item {e.gp_item}" + (f" ({e.item_description})"
                                             if e.item_description else "")
            yield Label(Text(f"{what}\n→ {item}"), classes="wrap")
            for sentence in e.sentences():
                yield Label(Text(f"• {sentence}"), classes="wrap hint")
            yield Label(Text("Undo: l lists mappings, u removes one (audited; nothing that "
                             "posted changes)."), classes="wrap hint")
            with Horizontal(classes="buttons"):
                yield Button("Map for posting", variant="primary", id=POSTING)
                yield Button("Map and sync product", id=SYNC, disabled=not e.can_sync)
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one(f"#{POSTING}", Button).focus()

    @on(Button.Pressed)
    def chosen(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "cancel" else event.button.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question with what will happen; No is the default."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="confirm.cancel")]

    def __init__(self, title: str, body: str, yes: str) -> None:
        super().__init__()
        self.title_text, self.body, self.yes = title, body, yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="dialog"):
            yield Label(Text(self.title_text), classes="section")
            yield Label(Text(self.body), classes="wrap")
            with Horizontal(classes="buttons"):
                yield Button(self.yes, variant="error", id="yes")
                yield Button("Cancel", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def chosen(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_cancel(self) -> None:
        self.dismiss(False)
