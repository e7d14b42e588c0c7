"""Choose the GP payment a WooCommerce gateway's invoices carry, from GP's own lists.

The card types and checkbooks come from GP (read on a worker thread by the GL screen); nothing
here can be typed that GP does not list, except a checkbook GP's card types do not name, which
needs the explicit "not listed" box (GP Web Services cannot list checkbooks). The choice is
checked with core.payment_setup.choose, the same rule as `ml-connector payments set`.
"""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

from core.config import Settings
from core.errors import ConfigError
from core.mapping.payments import KIND_WORDS, NOT_PAID, PAYMENT_KINDS
from core.payment_setup import GPPaymentLists, choose

KINDS = [(KIND_WORDS[k], k) for k in PAYMENT_KINDS + (NOT_PAID,)]
KIND_VALUES = {k for _, k in KINDS}


class PaymentPickScreen(ModalScreen[dict[str, Any] | None]):
    """Returns the `[posting] gateways` entry for `gateway`, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="payment_pick.cancel")]

    def __init__(self, gateway: str, lists: GPPaymentLists, settings: Settings) -> None:
        super().__init__()
        self.gateway = gateway
        self.lists = lists
        self.settings = settings

    def compose(self) -> ComposeResult:
        current = self.settings.posting.gateways.get(self.gateway, {})
        kind = str(current.get("payment_type", "credit_card"))
        cards = [(f"{r.id}  → {r.checkbook or '-'}", r.id) for r in self.lists.card_types]
        books = [(b, b) for b in self.lists.checkbooks]
        with Vertical(id="payment-pick", classes="dialog"):
            yield Label(Text(f"GP payment for WooCommerce gateway {self.gateway}"),
                        classes="section")
            yield Select(KINDS, value=kind if kind in KIND_VALUES else "credit_card",
                         allow_blank=False, id="kind")
            card = current.get("card_type")
            yield Select(cards, value=card if card in {c for _, c in cards} else Select.NULL,
                         prompt="GP payment card type", id="card-type")
            yield Select(books, prompt="GP checkbook (cards: the card type's own)",
                         id="checkbook")
            yield Input(placeholder="or a checkbook GP's card types do not name",
                        id="other-checkbook")
            yield Checkbox("it exists in GP (Web Services cannot list checkbooks)",
                           id="unlisted")
            yield Label("", id="payment-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def choice(self) -> dict[str, Any] | str:
        kind = str(self.query_one("#kind", Select).value)
        card = self.query_one("#card-type", Select).value
        book = self.query_one("#checkbook", Select).value
        other = self.query_one("#other-checkbook", Input).value.strip()
        try:
            return choose(self.settings, self.gateway, kind, self.lists,
                          card_type="" if card is Select.NULL else str(card),
                          checkbook=other or ("" if book is Select.NULL else str(book)),
                          allow_unlisted_checkbook=self.query_one("#unlisted", Checkbox).value)
        except ConfigError as exc:
            return str(exc)

    @on(Button.Pressed, "#save")
    def save(self) -> None:
        outcome = self.choice()
        if isinstance(outcome, str):
            self.query_one("#payment-error", Label).update(Text(outcome))
            return
        self.dismiss(outcome)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
