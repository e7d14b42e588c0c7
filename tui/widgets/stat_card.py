"""A labelled figure on the dashboard; Enter (or a click) opens the screen behind it."""
from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Label


class StatCard(Vertical, can_focus=True):
    DEFAULT_CSS = """
    StatCard { height: 4; border: round $primary 50%; padding: 0 1;
               border-title-color: $text; border-title-style: bold; }
    StatCard:focus { border: round $accent; background: $boost; }
    StatCard > .value { text-style: bold; }
    StatCard > .note { color: $text-muted; }
    StatCard.-alert { border: round $error; }
    StatCard.-alert > .value { color: $error; }
    """
    BINDINGS = [Binding("enter", "choose", "Open", show=False)]
    value: reactive[str] = reactive("–")
    note: reactive[str] = reactive("")

    @dataclass
    class Chosen(Message):
        card: StatCard

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

    def action_choose(self) -> None:
        self.post_message(self.Chosen(self))

    def on_click(self) -> None:
        self.action_choose()
