"""Held and failed: why, GP's own message, what to do; replay one, a selection, or a reason."""
from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Select, Static

from core import queries
from tui.messages import OrdersReplayed
from tui.screens.base import ConsoleScreen, in_db_thread
from tui.screens.order_detail import OrderDetailScreen
from tui.shown import shown

REASONS = [("held: sku", "sku"), ("held: gl", "gl"), ("held: customer", "customer"),
           ("held: totals", "totals"), ("held: price", "price"), ("held: status", "status"),
           ("failed in GP", "failed")]


class ProblemsScreen(ConsoleScreen):
    TITLE = "Held & failed"
    AUTO_FOCUS = "#problems"
    BINDINGS = [
        Binding("space", "mark", "Mark", id="problems.mark"),
        Binding("r", "replay_one", "Replay", id="problems.replay"),
        Binding("R", "replay_marked", "Replay marked", id="problems.replay_marked"),
        Binding("A", "replay_reason", "Replay all shown", id="problems.replay_reason"),
        Binding("enter", "open", "Open", show=False, id="problems.open"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, queries.ProblemRow] = {}
        self.marked: set[str] = set()
        self.reason: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Select(REASONS, prompt="every reason", id="reason")
        yield DataTable(id="problems", cursor_type="row", zebra_stripes=True)
        yield Static(id="problem-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#problems", DataTable)
        since = f"Since ({self.ctx.zone_name()})"  # the store's time zone
        for key, label, width in (("mark", "✓", 1), ("what", "Document", 12),
                                  ("reason", "Reason", 9), ("since", since, 16),
                                  ("detail", "Detail", 40)):
            table.add_column(label, key=key, width=width)

    def refresh_data(self) -> None:
        self.load(self.reason)

    @on(Select.Changed, "#reason")
    def reason_changed(self, event: Select.Changed) -> None:
        self.reason = None if event.select.is_blank() else str(event.value)
        self.marked.clear()
        self.load(self.reason)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load",
          description="Reading held and failed")
    def load(self, reason: str | None) -> None:
        self.deliver(self.show, reason, in_db_thread(queries.problems, reason))

    def show(self, reason: str | None, rows: list[queries.ProblemRow]) -> None:
        if reason != self.reason:
            return
        table = self.query_one("#problems", DataTable)
        at = table.cursor_row
        table.clear()
        self.rows = {}
        for r in rows:
            key = f"{r.kind}:{r.woo_id}"
            self.rows[key] = r
            table.add_row("✓" if key in self.marked else "", shown(r.number), r.reason,
                          self.ctx.local(r.updated_at),
                          shown(r.gp_message or r.detail), key=key)
        self.marked &= set(self.rows)
        if table.row_count:
            table.move_cursor(row=min(at, table.row_count - 1))
        self.show_detail()

    @property
    def current_key(self) -> str | None:
        table = self.query_one("#problems", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @on(DataTable.RowHighlighted, "#problems")
    def show_detail(self) -> None:
        key = self.current_key
        detail = self.query_one("#problem-detail", Static)
        if key is None or key not in self.rows:
            detail.update("Nothing is held or failed." if not self.rows else "")
            return
        r = self.rows[key]
        parts = [Text.assemble(("Why: ", "bold"), r.detail or r.reason)]
        if r.gp_message:
            parts.append(Text.assemble(("GP said: ", "bold red"), r.gp_message))
        parts.append(Text.assemble(("What to do: ", "bold"), r.advice))
        detail.update(Group(*parts))

    # --- replaying -------------------------------------------------------------------------

    def action_mark(self) -> None:
        key = self.current_key
        if key is None:
            return
        self.marked.symmetric_difference_update({key})
        table = self.query_one("#problems", DataTable)
        table.update_cell(key, "mark", "✓" if key in self.marked else "")
        table.action_cursor_down()

    def _order_ids(self, keys: set[str] | list[str]) -> list[int]:
        # A refund replays with its order (replay_orders takes held/failed refunds along).
        return sorted({self.rows[k].woo_id for k in keys if k in self.rows
                       and self.rows[k].kind == "order"})

    def action_replay_one(self) -> None:
        key = self.current_key
        if key is not None:
            self.replay(self._order_ids([key]), self.rows[key].number)

    def action_replay_marked(self) -> None:
        if not self.marked:
            self.notify("Mark documents with space first.", severity="warning")
            return
        self.replay(self._order_ids(self.marked), f"{len(self.marked)} marked")

    def action_replay_reason(self) -> None:
        if not self.rows:
            return
        label = f"every {self.reason}" if self.reason else "every held and failed"
        self.replay(self._order_ids(list(self.rows)), label)

    @work(thread=True, exit_on_error=False, group="write", description="Replaying")
    def replay(self, woo_ids: list[int], what: str) -> None:
        self.replay_and_report(what, woo_ids)

    def on_orders_replayed(self, message: OrdersReplayed) -> None:
        self.marked.clear()
        self.notify_replayed(message)
        self.load(self.reason)

    def action_open(self) -> None:
        key = self.current_key
        if key is not None and self.rows[key].kind == "order":
            self.app.push_screen(OrderDetailScreen(self.rows[key].woo_id))

    @on(DataTable.RowSelected, "#problems")
    def selected(self) -> None:
        self.action_open()

    def palette_commands(self) -> Any:
        yield SystemCommand("Replay every failed order", "Back into the posting queue",
                            lambda: self.replay_failed())
        yield SystemCommand("Replay the marked documents", "", self.action_replay_marked)

    def replay_failed(self) -> None:
        self._replay_failed()

    @work(thread=True, exit_on_error=False, group="write", description="Replaying failed")
    def _replay_failed(self) -> None:
        self.replay_and_report("every failed order", why="console: all failed", failed=True)
