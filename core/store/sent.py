"""The GP invoices exactly as the connector sent them, kept for the accountant.

Once an invoice is posted, the console must show what went to GP (its lines, accounts and GL
distribution), not what today's GL mapping would give: a cash account changed since then must
not rewrite history on screen. The row is written in the same transaction as the "creating it"
event, just before the create call, and overwritten only while the document is not yet in GP
or when the connector updates the unposted document there (an order edited after invoicing).
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from peewee import AutoField, CharField, IntegerField

from core.clock import SYSTEM_CLOCK, Clock
from core.gp.gateway import GPDistribution, GPLine, GPPayment, SalesInvoice, ShipToAddress
from core.store.models import BaseModel, JSONField, UTCField


class SentDocument(BaseModel):
    """One GP document as sent: number, the order it came from, the document as JSON."""

    id = AutoField()
    gp_doc_number = CharField(unique=True)
    order_woo_id = IntegerField(index=True)
    doc_type = CharField(default="invoice")
    document = JSONField()
    sent_at = UTCField()


def _plain(value: Any) -> Any:
    """Decimal and date as text (money is never a float, even in JSON)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def record_sent(invoice: SalesInvoice, *, order_woo_id: int, clock: Clock = SYSTEM_CLOCK
                ) -> None:
    """Keep `invoice` as sent (call inside the transaction that records the attempt)."""
    doc = _plain(asdict(invoice))
    now = clock.now()
    SentDocument.insert(gp_doc_number=invoice.number, order_woo_id=order_woo_id,
                        doc_type="invoice", document=doc, sent_at=now).on_conflict(
        conflict_target=[SentDocument.gp_doc_number],
        update={SentDocument.document: doc, SentDocument.sent_at: now,
                SentDocument.order_woo_id: order_woo_id}).execute()


def _money(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal("0")


def sent_invoice(number: str) -> tuple[SalesInvoice, Any] | None:
    """(the invoice as sent, when it was sent), or None when this database never sent it
    (posted before this record existed, or found in GP from another attempt)."""
    row = SentDocument.get_or_none(SentDocument.gp_doc_number == number)
    if row is None:
        return None
    d = dict(row.document)
    money = ("freight", "misc", "trade_discount", "tax", "total")
    lines = [GPLine(**{**ln, **{k: _money(ln[k]) for k in (
        "quantity", "unit_price", "extended_price", "discount", "tax")}}) for ln in d["lines"]]
    dists = [GPDistribution(x["kind"], x["account"], _money(x["debit"]), _money(x["credit"]))
             for x in d.get("distributions", [])]
    pays = [GPPayment(**{**p, "amount": _money(p["amount"])}) for p in d.get("payments", [])]
    invoice = SalesInvoice(**{
        **d, "doc_date": date.fromisoformat(d["doc_date"]), "lines": lines,
        "distributions": dists, "payments": pays,
        "ship_to": ShipToAddress(**d["ship_to"]) if d.get("ship_to") else None,
        "tax_details": [(t[0], _money(t[1])) for t in d.get("tax_details", [])],
        "exchange_rate": (Decimal(str(d["exchange_rate"]))
                          if d.get("exchange_rate") not in (None, "") else None),
        **{k: _money(d[k]) for k in money}})
    return invoice, row.sent_at
