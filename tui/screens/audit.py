"""Audit: the timeline for one order (or everything), and "verify chain"."""
from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input, Label

from core import queries
from core.store import audit
from core.store.models import AuditEvent
from tui.messages import ChainVerified
from tui.screens.base import ConsoleScreen, in_db_thread
from tui.widgets.search_input import SearchInput
from tui.widgets.timeline import Timeline

PAGE = 200


class AuditScreen(ConsoleScreen):
    TITLE = "Audit"
    AUTO_FOCUS = "#audit"
    BINDINGS = [
        Binding("slash", "search", "Order", id="audit.search"),
        Binding("v", "verify", "Verify chain", id="audit.verify"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.order: str | None = None
        self.more = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield SearchInput(placeholder="order number (empty: every event, newest first)",
                          id="audit-order", restrict=r"[#0-9]*")
        yield Timeline(id="audit", entity_column=True)
        yield Label("", id="chain")
        yield Footer()

    def refresh_data(self) -> None:
        self.load(self.order)

    @on(Input.Changed, "#audit-order")
    def order_changed(self, event: Input.Changed) -> None:
        self.order = event.value.strip().lstrip("#") or None
        self.load(self.order)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load",
          description="Reading the audit trail")
    def load(self, order: str | None) -> None:
        def read() -> list[AuditEvent]:
            if order is None:
                return queries.recent_audit(limit=PAGE)
            found = queries.order_by_woo_id(int(order)) if order.isdigit() else None
            woo_id = str(found.woo_id) if found else order
            return audit.timeline("order", woo_id)

        self.deliver(self.show, order, in_db_thread(read))

    def show(self, order: str | None, events: list[AuditEvent]) -> None:
        if order != self.order:
            return
        self.query_one(Timeline).show(events)
        self.more = order is None and len(events) == PAGE

    @on(DataTable.RowHighlighted, "#audit")
    def near_the_end(self, event: DataTable.RowHighlighted) -> None:
        table = self.query_one(Timeline)
        if self.more and event.cursor_row >= table.row_count - 5:
            self.more = False
            self.load_more(table.last_id())

    @work(thread=True, exclusive=True, exit_on_error=False, group="more",
          description="Reading older events")
    def load_more(self, before: int | None) -> None:
        events = in_db_thread(queries.recent_audit, before_id=before, limit=PAGE)
        self.deliver(self.append, events)

    def append(self, events: list[AuditEvent]) -> None:
        if self.order is None:
            self.query_one(Timeline).show(events, append=True)
            self.more = len(events) == PAGE

    def action_search(self) -> None:
        """/ goes to the search box, and from it back to the results."""
        box = self.query_one("#audit-order", Input)
        if self.focused is box:
            self.action_leave_input()
        else:
            box.focus()

    def action_verify(self) -> None:
        self.query_one("#chain", Label).update("Verifying the chain…")
        self.verify()

    @work(thread=True, exclusive=True, exit_on_error=False, group="verify",
          description="Verifying the audit chain")
    def verify(self) -> None:
        report = in_db_thread(audit.verify_chain)
        self.deliver(self.post_message, ChainVerified(report.ok, report.events, report.problem))

    def on_chain_verified(self, message: ChainVerified) -> None:
        text = (f"Chain verified: {message.events} events, unbroken." if message.ok
                else f"Chain BROKEN after {message.events} good events: {message.problem}")
        self.query_one("#chain", Label).update(text)
        self.notify(text, severity="information" if message.ok else "error")

    def palette_commands(self) -> Any:
        yield SystemCommand("Verify the audit chain", "Every event's hash, in order",
                            self.action_verify)
