"""One order: the WooCommerce side, the GP document (as it will be or was posted) with its GL
distribution, refunds, and the audit timeline."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static

from core import queries
from core.money import format_money
from core.replay import replay_orders
from core.store import audit
from core.store.models import AuditEvent, Order, Refund
from core.store.states import REPLAYABLE
from tui.messages import DatabaseChanged, OrdersReplayed
from tui.screens.base import in_db_thread
from tui.widgets.gp_document import document_renderable
from tui.widgets.timeline import Timeline


@dataclass
class OrderDetail:
    order: Order
    skus: list[str]
    refunds: list[Refund]
    preview: queries.DocumentPreview
    events: list[AuditEvent]


def woo_renderable(order: Order, skus: list[str], refunds: list[Refund]) -> RenderableType:
    """The WooCommerce side, from the stored snapshot. Every value is Text: shop data is never
    read as markup."""
    p: dict[str, Any] = order.payload or {}
    billing = p.get("billing") or {}
    head = Table.grid(padding=(0, 2))
    head.add_row(Text("Order", style="bold"), Text(order.number),
                 Text("WooCommerce status", style="bold"), Text(order.status))
    head.add_row(Text("Customer", style="bold"), Text(order.customer_name or ""),
                 Text("E-mail", style="bold"), Text(str(billing.get("email", ""))))
    head.add_row(Text("Payment", style="bold"), Text(str(p.get("payment_method_title")
                                                         or order.payment_method or "")),
                 Text("Created (UTC)", style="bold"),
                 Text(order.date_created_gmt.strftime("%Y-%m-%d %H:%M")
                      if order.date_created_gmt else ""))
    state = order.state + (f" ({order.hold_reason})" if order.hold_reason else "")
    head.add_row(Text("Connector state", style="bold"), Text(state), Text(""), Text(""))
    lines = Table(title="Lines", expand=True, show_edge=False)
    for name, justify in (("SKU", "left"), ("Product", "left"), ("Qty", "right"),
                          ("Total", "right")):
        lines.add_column(name, justify=justify)  # type: ignore[arg-type]
    for item in p.get("line_items") or []:
        lines.add_row(Text(str(item.get("sku") or "(none)")), Text(str(item.get("name", ""))),
                      Text(str(item.get("quantity", ""))), Text(str(item.get("total", ""))))
    totals = Table.grid(padding=(0, 2))
    for label, key in (("Shipping", "shipping_total"), ("Discount", "discount_total"),
                       ("Tax", "total_tax"), ("Total", "total")):
        totals.add_row(Text(label, style="bold" if key == "total" else ""),
                       Text(str(p.get(key, ""))))
    parts: list[RenderableType] = [head, lines, totals]
    if order.hold_detail:
        parts.append(Text("Held: ", style="bold").append(order.hold_detail))
    if order.last_error:
        parts.append(Text("GP said: ", style="bold red").append(order.last_error))
    for r in refunds:
        parts.append(Text(f"Refund {r.woo_id}: {format_money(r.amount)} — {r.state}"
                          + (f" as {r.gp_doc_number}" if r.gp_doc_number else "")))
    return Group(*parts)


class OrderDetailScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="detail.back"),
        Binding("r", "replay", "Replay", id="detail.replay"),
    ]

    def __init__(self, woo_id: int) -> None:
        super().__init__()
        self.woo_id = woo_id
        self.detail: OrderDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="detail-top"):
            with VerticalScroll(id="woo-side"):
                yield Label("WooCommerce", classes="section")
                yield Static(id="woo")
            with VerticalScroll(id="gp-side"):
                yield Label("Dynamics GP", classes="section")
                yield Static(id="gp")
        yield Label("Audit timeline", classes="section")
        yield Timeline(id="order-timeline")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Order {self.woo_id}"
        self.load()

    def on_database_changed(self, message: DatabaseChanged) -> None:
        message.stop()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load",
          description="Reading the order")
    def load(self) -> None:
        app: Any = self.app

        def read() -> OrderDetail | None:
            order = queries.order_by_woo_id(self.woo_id)
            if order is None:
                return None
            return OrderDetail(order, queries.order_skus(order.id),
                               queries.order_refunds(order.id),
                               queries.gp_document_preview(order, app.ctx.settings,
                                                           app.ctx.clock),
                               audit.timeline("order", self.woo_id))

        detail = in_db_thread(read)
        if self.app.is_running:
            self.app.call_from_thread(self.show, detail)

    def show(self, detail: OrderDetail | None) -> None:
        self.detail = detail
        if detail is None:
            self.query_one("#woo", Static).update(f"Order {self.woo_id} is not in the database.")
            return
        self.sub_title = detail.order.state
        self.query_one("#woo", Static).update(woo_renderable(detail.order, detail.skus,
                                                             detail.refunds))
        self.query_one("#gp", Static).update(document_renderable(detail.order, detail.preview))
        self.query_one(Timeline).show(detail.events)

    def action_replay(self) -> None:
        if self.detail is None or self.detail.order.state not in REPLAYABLE:
            self.notify("Only held or failed orders replay.", severity="warning")
            return
        self.replay()

    @work(thread=True, exit_on_error=False, group="write", description="Replaying")
    def replay(self) -> None:
        app: Any = self.app
        moved = in_db_thread(replay_orders, [self.woo_id], actor=app.ctx.actor,
                             clock=app.ctx.clock, why="console")
        if self.app.is_running:
            self.app.call_from_thread(self.post_message,
                                      OrdersReplayed(moved, f"order {self.woo_id}"))

    def on_orders_replayed(self, message: OrdersReplayed) -> None:
        self.notify(f"{message.what}: {message.count} replayed.")
        self.load()
