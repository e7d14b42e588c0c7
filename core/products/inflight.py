"""Stock WooCommerce already took for orders GP has not seen yet.

WooCommerce reduces stock when an order is paid, on hold or processing; GP's available quantity
drops only when the connector creates the invoice (which allocates it). Between the two, GP's
figure is too high by exactly those orders' lines, so GP's quantity is compared and written as
"available less in flight". Without this every sale would bounce back to WooCommerce as the
old stock figure until the invoice lands (and oversell the last unit meanwhile).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from core.money import MoneyError, parse_number
from core.store.models import Order, OrderSku
from core.store.states import INVOICE_DONE

# WooCommerce statuses whose stock is already reduced (woocommerce.md §3.7).
STOCK_TAKEN_STATUSES = ("processing", "completed", "on-hold")
# Our states in which GP holds the invoice, so GP's own available figure already counts it.
IN_GP_STATES = INVOICE_DONE


def in_flight_quantities(skus: Iterable[str]) -> dict[str, Decimal]:
    """SKU -> units sold in WooCommerce on orders GP has no invoice for yet."""
    wanted = set(skus)
    if not wanted:
        return {}
    order_ids: set[int] = set()
    sku_list = list(wanted)
    for i in range(0, len(sku_list), 500):
        rows = (OrderSku.select(OrderSku.order)
                .join(Order)
                .where(OrderSku.sku.in_(sku_list[i:i + 500])
                       & Order.status.in_(STOCK_TAKEN_STATUSES)
                       & Order.state.not_in(IN_GP_STATES)))
        order_ids.update(r.order_id for r in rows)
    out: dict[str, Decimal] = defaultdict(Decimal)
    ids = list(order_ids)
    for i in range(0, len(ids), 500):
        for order in Order.select(Order.id, Order.payload).where(Order.id.in_(ids[i:i + 500])):
            for line in (order.payload or {}).get("line_items") or []:
                sku = str(line.get("sku") or "")
                if sku not in wanted:
                    continue
                try:
                    out[sku] += parse_number(line.get("quantity") or 0)
                except MoneyError:
                    continue
    return dict(out)
