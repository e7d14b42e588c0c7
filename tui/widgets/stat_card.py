"""A labelled figure on the dashboard."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Label


class StatCard(Vertical):
    DEFAULT_CSS = """
    StatCard { height: 4; border: round $panel; padding: 0 1; }
    StatCard > .value { text-style: bold; }
    StatCard > .note { color: $text-muted; }
    StatCard.-alert { border: round $error; }
    StatCard.-alert > .value { color: $error; }
    """
    value: reactive[str] = reactive("–")
    note: reactive[str] = reactive("")

    def __init__(self, title: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.border_title = title

    def compose(self) -> ComposeResult:
        yield Label(self.value, classes="value")
        yield Label(self.note, classes="note")

    def watch_value(self, value: str) -> None:
        if self.is_mounted:
            self.query_one(".value", Label).update(value)

    def watch_note(self, note: str) -> None:
        if self.is_mounted:
            self.query_one(".note", Label).update(note)

    def show(self, value: int | str, note: str = "", *, alert: bool = False) -> None:
        self.value = str(value)
        self.note = note
        self.set_class(alert, "-alert")
