"""WooCommerce orders and refunds -> GP documents. Pure functions, Decimal money.

customers: deterministic GP customer ids and addresses; lines: SKU -> item; totals: the money
and its balance; documents: the invoice (or Held / Rejected); refunds: credit memos and returns;
rules: GP's field rules checked before sending.
"""
from __future__ import annotations

from .documents import (
    Held,
    InvoiceInputs,
    MappedInvoice,
    Rejected,
    batch_id,
    invoice_number,
    map_invoice,
)
from .payments import gateway_rule
from .refunds import MappedRefund, RefundInputs, map_refund, map_status_credit, refund_number
from .totals import Figures, currency_decimals, order_figures

__all__ = [
    "Figures", "Held", "InvoiceInputs", "MappedInvoice", "MappedRefund", "RefundInputs",
    "Rejected", "batch_id", "currency_decimals", "gateway_rule", "invoice_number", "map_invoice",
    "map_refund", "map_status_credit", "order_figures", "refund_number",
]
