"""One order: the WooCommerce side, the GP document (as it will be or was posted) with its GL
distribution, refunds, and the audit timeline."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static

from core import queries
from core.money import format_money
from core.replay import replay_orders
from core.store import audit
from core.store.models import AuditEvent, Order, Refund
from core.store.states import REPLAYABLE
from core.woo.views import line_display_name
from tui.messages import DatabaseChanged, OrdersReplayed
from tui.screens.base import in_db_thread
from tui.shown import shown
from tui.widgets.gp_document import document_renderable
from tui.widgets.timeline import Timeline


@dataclass
class OrderDetail:
    order: Order
    skus: list[str]
    refunds: list[Refund]
    preview: queries.DocumentPreview
    events: list[AuditEvent]


def _amount(value: Any) -> Text:
    """A WooCommerce money string shown as money (2 decimals); as stored when it is not one."""
    if value in (None, ""):
        return Text("")
    try:
        return Text(format_money(Decimal(str(value))))
    except (InvalidOperation, ValueError):
        return shown(value)


def woo_renderable(order: Order, skus: list[str], refunds: list[Refund], ctx: Any = None
                   ) -> RenderableType:
    """The WooCommerce side, from the stored snapshot. Every value is Text: shop data is never
    read as markup."""
    p: dict[str, Any] = order.payload or {}
    billing = p.get("billing") or {}
    head = Table.grid(padding=(0, 2))
    head.add_row(Text("Order", style="bold"), shown(order.number),
                 Text("WooCommerce status", style="bold"), shown(order.status))
    head.add_row(Text("Customer", style="bold"), shown(order.customer_name or ""),
                 Text("E-mail", style="bold"), shown(str(billing.get("email", ""))))
    head.add_row(Text("Payment", style="bold"), shown(str(p.get("payment_method_title")
                                                         or order.payment_method or "")),
                 Text(f"Created ({ctx.zone_name() if ctx else 'UTC'})", style="bold"),
                 Text(ctx.local(order.date_created_gmt) if ctx else
                      order.date_created_gmt.strftime("%Y-%m-%d %H:%M")
                      if order.date_created_gmt else ""))
    state = order.state + (f" ({order.hold_reason})" if order.hold_reason else "")
    head.add_row(Text("Connector state", style="bold"), shown(state), Text(""), Text(""))
    lines = Table(title="Lines", expand=True, show_edge=False)
    for name, justify in (("SKU", "left"), ("Product", "left"), ("Qty", "right"),
                          ("Total", "right")):
        lines.add_column(name, justify=justify)  # type: ignore[arg-type]
    for item in p.get("line_items") or []:
        lines.add_row(shown(str(item.get("sku") or "(none)")), shown(line_display_name(item)),
                      shown(str(item.get("quantity", ""))), _amount(item.get("total")))
    # Every amount WooCommerce adds up to its total, fees included, so the side adds up.
    totals = Table.grid(padding=(0, 2))
    totals.add_column()
    totals.add_column(justify="right")
    totals.add_row(Text("Shipping"), _amount(p.get("shipping_total")))
    for fee in p.get("fee_lines") or []:
        totals.add_row(shown(f"Fee: {fee.get('name') or ''}"), _amount(fee.get("total")))
    for label, key in (("Discount", "discount_total"), ("Tax", "total_tax"), ("Total", "total")):
        figure = _amount(p.get(key))
        if key == "discount_total" and figure.plain not in ("", "0.00"):
            figure = Text(f"-{figure.plain}")
        totals.add_row(Text(label, style="bold" if key == "total" else ""), figure)
    parts: list[RenderableType] = [head, lines, totals]
    if order.hold_detail:
        parts.append(Text("Held: ", style="bold").append(shown(order.hold_detail)))
    if order.last_error:
        parts.append(Text("GP said: ", style="bold red").append(shown(order.last_error)))
    for r in refunds:
        parts.append(shown(f"Refund {r.woo_id}: {format_money(r.amount)} — {r.state}"
                          + (f" as {r.gp_doc_number}" if r.gp_doc_number else "")))
    return Group(*parts)


class OrderDetailScreen(Screen[None]):
    AUTO_FOCUS = "#detail-top"  # arrows and PgUp/PgDn scroll the order (stacked below 110)
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
        with VerticalScroll(id="detail-top"):
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

    def on_resize(self) -> None:
        """Side by side from 110 columns; below, one above the other (scrolling), so both
        stay readable at 80x24."""
        self.query_one("#detail-top").set_class(self.size.width < 110, "-stacked")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "replay":  # shown only where it applies
            return self.detail is not None and self.detail.order.state in REPLAYABLE
        return True

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
        self.refresh_bindings()
        ctx: Any = getattr(self.app, "ctx", None)
        self.query_one("#woo", Static).update(woo_renderable(detail.order, detail.skus,
                                                             detail.refunds, ctx))
        self.query_one("#gp", Static).update(document_renderable(detail.order, detail.preview,
                                                                 ctx))
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
