"""The order filter: a state picker and one search box that understands a few words.

Typed as a person searches: `olivia`, `1042`, `sku:BLU-TEE`, `customer:hart`,
`from:2026-11-01 to:2026-11-30` — any mix. Anything else is free text.
"""
from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Select

from core.queries import OrderFilter
from core.store.models import HOLD_REASONS, ORDER_STATES
from tui.messages import FilterChanged
from tui.widgets.search_input import SearchInput

STATE_CHOICES: list[tuple[str, str]] = [(s, s) for s in ORDER_STATES] + [
    (f"held: {r}", f"held:{r}") for r in HOLD_REASONS]


def parse_filter(text: str, state: str | None = None) -> OrderFilter:
    words: list[str] = []
    found: dict[str, str] = {}
    for token in text.split():
        key, sep, value = token.partition(":")
        if sep and key.lower() in ("sku", "customer", "from", "to", "state") and value:
            found[key.lower()] = value
        else:
            words.append(token)

    def day(value: str | None) -> date | None:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None  # half-typed date: ignore until it parses

    return OrderFilter(state=found.get("state") or state, date_from=day(found.get("from")),
                       date_to=day(found.get("to")), customer=found.get("customer"),
                       sku=found.get("sku"), text=" ".join(words) or None)


class FilterBar(Horizontal):
    DEFAULT_CSS = """
    FilterBar { height: auto; }
    FilterBar Select { width: 22; }
    FilterBar Input { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Select(STATE_CHOICES, prompt="any state", id="state-filter")
        yield SearchInput(placeholder="search: number, customer, sku:ABC, from:2026-11-01 "
                          "to:… (Enter: results)", id="text-filter")

    def current(self) -> OrderFilter:
        select = self.query_one("#state-filter", Select)
        state = None if select.is_blank() else str(select.value)
        return parse_filter(self.query_one("#text-filter", Input).value, state)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(FilterChanged(self.current()))

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(FilterChanged(self.current()))
