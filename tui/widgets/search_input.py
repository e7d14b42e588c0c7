"""A search box that hands the keyboard back: Enter or Down goes to the results, and a key the
box cannot hold (a letter in an order-number box, `/` in any search) is the screen's key, so
`v` verifies and `/` toggles between the box and the results instead of being typed."""
from __future__ import annotations

import re
from typing import Any

from textual import events
from textual.binding import Binding
from textual.widgets import Input


class SearchInput(Input):
    BINDINGS = [Binding("down", "to_results", "Results", show=False)]

    def __init__(self, *args: Any, restrict: str | None = r"[^/]*", **kwargs: Any) -> None:
        super().__init__(*args, restrict=restrict, **kwargs)

    def _rejects(self, character: str | None) -> bool:
        return (character is not None and character.isprintable() and bool(self.restrict)
                and re.fullmatch(self.restrict or "", character) is None)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if self._rejects(character):
            return False  # the screen's binding for this key runs instead
        return super().check_consume_key(key, character)

    async def _on_key(self, event: events.Key) -> None:
        if self._rejects(event.character):
            event.prevent_default()  # not typed; it bubbles to the screen's bindings

    async def action_submit(self) -> None:
        await super().action_submit()
        self.action_to_results()

    def action_to_results(self) -> None:
        leave = getattr(self.screen, "action_leave_input", None)
        if callable(leave):
            leave()
        else:
            self.screen.focus_next()
