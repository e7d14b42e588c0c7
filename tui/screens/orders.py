"""Orders: the live queue, filtered and keyset-paged straight from SQLite."""
from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input, Label

from core import queries
from core.store.states import REPLAYABLE
from tui.messages import FilterChanged, OrdersReplayed
from tui.screens.base import ConsoleScreen, in_db_thread
from tui.widgets.filter_bar import FilterBar
from tui.widgets.order_table import OrderTable


class OrdersScreen(ConsoleScreen):
    TITLE = "Orders"
    AUTO_FOCUS = "#orders"
    BINDINGS = [
        Binding("slash", "search", "Search", id="orders.search"),
        Binding("enter", "open", "Open", show=False, id="orders.open"),
        Binding("r", "replay", "Replay", id="orders.replay"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = queries.OrderFilter()
        self.next_cursor: queries.Cursor | None = None
        self.loading_more = False
        self.shown_filter: queries.OrderFilter | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield FilterBar()
        yield OrderTable(id="orders")
        yield Label("", id="orders-status")
        yield Footer()

    @property
    def table(self) -> OrderTable:
        return self.query_one(OrderTable)

    # --- loading ---------------------------------------------------------------------------

    def refresh_data(self) -> None:
        if self.shown_filter != self.filter or not self.table.row_count:
            self.load_first(self.filter)
        else:
            self.refresh_loaded(self.filter, max(self.table.row_count, queries.PAGE_SIZE))

    @on(FilterChanged)
    def filter_changed(self, message: FilterChanged) -> None:
        self.filter = message.filter
        self.load_first(self.filter)

    @work(thread=True, exclusive=True, exit_on_error=False, group="orders",
          description="Reading orders")
    def load_first(self, flt: queries.OrderFilter) -> None:
        page = in_db_thread(queries.order_page, flt)
        self.deliver(self.show_first, flt, page)

    def show_first(self, flt: queries.OrderFilter, page: queries.OrderPage) -> None:
        if flt != self.filter:
            return  # a later keystroke already asked for something else
        self.shown_filter = flt
        self.table.replace_rows(page.rows)
        self.next_cursor = page.next_cursor
        self.show_status()

    @work(thread=True, exclusive=True, exit_on_error=False, group="orders",
          description="Refreshing orders")
    def refresh_loaded(self, flt: queries.OrderFilter, count: int) -> None:
        page = in_db_thread(queries.order_page, flt, limit=count)
        self.deliver(self.show_refreshed, flt, page)

    def show_refreshed(self, flt: queries.OrderFilter, page: queries.OrderPage) -> None:
        if flt != self.filter:
            return
        table = self.table
        if [r.id for r in page.rows] == table.order_keys():
            table.update_rows({r.id: r for r in page.rows})
        else:
            # The order changed (a row moved to the top): redraw in one go, keep the cursor's order.
            keep = table.current
            table.replace_rows(page.rows)
            if keep is not None and keep.id in table.rows_by_id:
                table.move_cursor(row=table.get_row_index(str(keep.id)))
        self.next_cursor = page.next_cursor
        self.show_status()

    @work(thread=True, exclusive=True, exit_on_error=False, group="orders-more",
          description="Reading more orders")
    def load_more(self, flt: queries.OrderFilter, cursor: queries.Cursor) -> None:
        page = in_db_thread(queries.order_page, flt, after=cursor)
        self.deliver(self.show_more, flt, page)

    def show_more(self, flt: queries.OrderFilter, page: queries.OrderPage) -> None:
        self.loading_more = False
        if flt != self.filter:
            return
        self.table.append_rows(page.rows)
        self.next_cursor = page.next_cursor
        self.show_status()

    def show_status(self) -> None:
        n = self.table.row_count
        more = ", more below" if self.next_cursor else ""
        self.query_one("#orders-status", Label).update(
            f"{n} order(s) shown{more} · newest change first · Enter opens · r replays")

    @on(DataTable.RowHighlighted, "#orders")
    def near_the_end(self, event: DataTable.RowHighlighted) -> None:
        if (self.next_cursor and not self.loading_more
                and event.cursor_row >= self.table.row_count - 5):
            self.loading_more = True
            self.load_more(self.filter, self.next_cursor)

    # --- actions ---------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#orders")
    def row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        from tui.screens.order_detail import OrderDetailScreen

        row = self.table.current
        if row is not None:
            self.app.push_screen(OrderDetailScreen(row.woo_id))

    def action_search(self) -> None:
        self.query_one("#text-filter", Input).focus()

    def action_replay(self) -> None:
        row = self.table.current
        if row is None:
            return
        if row.state not in REPLAYABLE:
            self.notify(f"Order {row.number} is {row.state}: only held or failed orders replay.",
                        severity="warning")
            return
        self.replay([row.woo_id], f"order {row.number}")

    @work(thread=True, exit_on_error=False, group="write", description="Replaying")
    def replay(self, woo_ids: list[int], what: str) -> None:
        self.replay_and_report(what, woo_ids)

    def on_orders_replayed(self, message: OrdersReplayed) -> None:
        self.notify_replayed(message)

    def palette_commands(self) -> Any:
        from textual.app import SystemCommand

        yield SystemCommand("Replay the highlighted order", "Held or failed only",
                            self.action_replay)
        yield SystemCommand("Search orders", "Focus the search box", self.action_search)
