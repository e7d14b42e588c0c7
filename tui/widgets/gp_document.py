"""How a GP document reads on screen: header, lines, totals, GL distribution."""
from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from core.money import currency_decimals, format_money
from core.queries import DocumentPreview
from core.store.models import Order
from core.store.states import POSTED_STATES
from tui.shown import shown


def _money(value: Any, currency: str = "") -> str:
    """At the currency's decimals (JPY has none)."""
    return format_money(value, currency_decimals(currency)) if value is not None else ""


def invoice_renderable(invoice: Any, title: str) -> RenderableType:
    c = invoice.currency  # amounts at its decimals
    head = Table.grid(padding=(0, 2))
    head.add_row(Text("Document", style="bold"), shown(invoice.number),
                 Text("Customer", style="bold"), shown(invoice.customer_id))
    head.add_row(Text("Batch", style="bold"), shown(invoice.batch),
                 Text("Date", style="bold"), shown(invoice.doc_date.isoformat()))
    head.add_row(Text("Customer PO", style="bold"), shown(invoice.po_number),
                 Text("Currency", style="bold"), shown(invoice.currency))
    lines = Table(title="Lines", expand=True, show_edge=False)
    for name, justify in (("Item", "left"), ("Qty", "right"), ("Unit", "right"),
                          ("Extended", "right"), ("Sales account", "left")):
        lines.add_column(name, justify=justify)  # type: ignore[arg-type]
    for line in invoice.lines:
        lines.add_row(shown(line.item), str(line.quantity), _money(line.unit_price, c),
                      _money(line.extended_price, c), shown(line.sales_account))
    totals = Table.grid(padding=(0, 2))
    for label, value in (("Freight", invoice.freight), ("Misc", invoice.misc),
                         ("Trade discount", invoice.trade_discount), ("Tax", invoice.tax),
                         ("Total", invoice.total)):
        totals.add_row(shown(label, style="bold" if label == "Total" else ""), _money(value, c))
    dist = Table(title="GL distribution", expand=True, show_edge=False)
    for name, justify in (("Type", "left"), ("Account", "left"), ("Debit", "right"),
                          ("Credit", "right")):
        dist.add_column(name, justify=justify)  # type: ignore[arg-type]
    for d in invoice.distributions:
        dist.add_row(d.kind, shown(d.account), _money(d.debit, c) if d.debit else "",
                     _money(d.credit, c) if d.credit else "")
    parts: list[RenderableType] = [shown(title, style="bold underline"), head, lines, totals, dist]
    for p in invoice.payments:
        card = f" card type {p.card_type}" if p.card_type else ""
        parts.append(shown(f"Payment: {p.payment_type.replace('_', ' ')}{card} "
                           f"{_money(p.amount, c)} to checkbook {p.checkbook or '(none)'}"))
    return Group(*parts)


def document_renderable(order: Order, preview: DocumentPreview, ctx: Any = None
                        ) -> RenderableType:
    """What GP holds (or will hold) for this order; times in the store's zone (ctx)."""
    def when(at: Any) -> str:
        if at is None:
            return ""
        if ctx is None:
            return at.strftime("%Y-%m-%d %H:%M UTC")
        return f"{ctx.local(at)} {ctx.zone_name()}"

    posted = order.state in POSTED_STATES
    parts: list[RenderableType] = []
    if order.gp_doc_number:
        recorded = Table.grid(padding=(0, 2))
        recorded.add_row(Text("GP document", style="bold"), shown(order.gp_doc_number),
                         Text("Batch", style="bold"), shown(order.gp_batch or ""))
        recorded.add_row(Text("GP total (read back)", style="bold"),
                         _money(order.gp_total, order.currency),
                         Text("Posted", style="bold"),
                         when(order.posted_at))
        parts.append(recorded)
    if preview.outcome == "posted" and preview.invoice is not None:
        parts.append(invoice_renderable(preview.invoice, f"The invoice as posted "
                                        f"({preview.detail} {when(preview.at)})"))
    elif preview.outcome == "posted":
        parts.append(Text(preview.detail, style="italic"))
    elif preview.outcome == "mapped":
        title = ("As mapped from today's settings (posted above)" if posted
                 else "The invoice exactly as it will be posted (today's GL mapping)")
        parts.append(invoice_renderable(preview.invoice, title))
        for note in preview.notes:
            parts.append(shown(f"Note: {note}", style="italic"))
    else:
        label = {"held": "Cannot be posted yet", "rejected": "GP would refuse it",
                 "unavailable": "No preview"}.get(preview.outcome, preview.outcome)
        parts.append(shown(f"{label}: ", style="bold").append(shown(preview.detail, style="")))
        if preview.figures:
            figs = Table.grid(padding=(0, 2))
            for key, value in preview.figures.items():
                figs.add_row(shown(key), shown(value))
            parts.append(figs)
    return Group(*parts)
