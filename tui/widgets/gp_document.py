"""How a GP document reads on screen: header, lines, totals, GL distribution."""
from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from core.money import format_money
from core.queries import DocumentPreview
from core.store.models import Order
from core.store.states import POSTED_STATES


def _money(value: Any) -> str:
    return format_money(value) if value is not None else ""


def invoice_renderable(invoice: Any, title: str) -> RenderableType:
    head = Table.grid(padding=(0, 2))
    head.add_row(Text("Document", style="bold"), Text(invoice.number),
                 Text("Customer", style="bold"), Text(invoice.customer_id))
    head.add_row(Text("Batch", style="bold"), Text(invoice.batch),
                 Text("Date", style="bold"), Text(invoice.doc_date.isoformat()))
    head.add_row(Text("Customer PO", style="bold"), Text(invoice.po_number),
                 Text("Currency", style="bold"), Text(invoice.currency))
    lines = Table(title="Lines", expand=True, show_edge=False)
    for name, justify in (("Item", "left"), ("Qty", "right"), ("Unit", "right"),
                          ("Extended", "right"), ("Sales account", "left")):
        lines.add_column(name, justify=justify)  # type: ignore[arg-type]
    for line in invoice.lines:
        lines.add_row(Text(line.item), str(line.quantity), _money(line.unit_price),
                      _money(line.extended_price), Text(line.sales_account))
    totals = Table.grid(padding=(0, 2))
    for label, value in (("Freight", invoice.freight), ("Misc", invoice.misc),
                         ("Trade discount", invoice.trade_discount), ("Tax", invoice.tax),
                         ("Total", invoice.total)):
        totals.add_row(Text(label, style="bold" if label == "Total" else ""), _money(value))
    dist = Table(title="GL distribution", expand=True, show_edge=False)
    for name, justify in (("Type", "left"), ("Account", "left"), ("Debit", "right"),
                          ("Credit", "right")):
        dist.add_column(name, justify=justify)  # type: ignore[arg-type]
    for d in invoice.distributions:
        dist.add_row(d.kind, Text(d.account), _money(d.debit) if d.debit else "",
                     _money(d.credit) if d.credit else "")
    parts: list[RenderableType] = [Text(title, style="bold underline"), head, lines, totals, dist]
    for p in invoice.payments:
        card = f" card type {p.card_type}" if p.card_type else ""
        parts.append(Text(f"Payment: {p.payment_type.replace('_', ' ')}{card} "
                          f"{_money(p.amount)} to checkbook {p.checkbook or '(none)'}"))
    return Group(*parts)


def document_renderable(order: Order, preview: DocumentPreview) -> RenderableType:
    """What GP holds (or will hold) for this order."""
    posted = order.state in POSTED_STATES
    parts: list[RenderableType] = []
    if order.gp_doc_number:
        recorded = Table.grid(padding=(0, 2))
        recorded.add_row(Text("GP document", style="bold"), Text(order.gp_doc_number),
                         Text("Batch", style="bold"), Text(order.gp_batch or ""))
        recorded.add_row(Text("GP total (read back)", style="bold"), _money(order.gp_total),
                         Text("Posted", style="bold"),
                         order.posted_at.strftime("%Y-%m-%d %H:%M UTC") if order.posted_at else "")
        parts.append(recorded)
    if preview.outcome == "mapped":
        title = ("As mapped from today's settings (posted above)" if posted
                 else "The invoice exactly as it will be posted")
        parts.append(invoice_renderable(preview.invoice, title))
        for note in preview.notes:
            parts.append(Text(f"Note: {note}", style="italic"))
    else:
        label = {"held": "Cannot be posted yet", "rejected": "GP would refuse it",
                 "unavailable": "No preview"}.get(preview.outcome, preview.outcome)
        parts.append(Text(f"{label}: ", style="bold").append(Text(preview.detail, style="")))
        if preview.figures:
            figs = Table.grid(padding=(0, 2))
            for key, value in preview.figures.items():
                figs.add_row(Text(key), Text(value))
            parts.append(figs)
    return Group(*parts)
