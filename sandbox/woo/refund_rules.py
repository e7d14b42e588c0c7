"""WooCommerce's checks on a new refund and the restock bookkeeping on the refunded lines."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sandbox.woo.errors import ApiError
from sandbox.woo.records import REFUND_GATEWAYS


def _no(value: Any) -> bool:
    return value in (False, "false", 0, "0")


def refund_amount(order: dict[str, Any], data: dict[str, Any], from_lines: Decimal
                  ) -> tuple[Decimal, Decimal]:
    """(the amount to refund, what was refunded before), refused as WooCommerce refuses it."""
    try:
        given = Decimal(str(data["amount"])) if data.get("amount") not in (None, "") else None
    except ArithmeticError:
        given = Decimal("-1")
    if given is not None and given < 0:
        raise ApiError(500, "woocommerce_rest_invalid_order_refund",
                       "Refund amount must be greater than zero.", 400)
    amount = given if given is not None else from_lines
    already = sum((-Decimal(r["total"]) for r in order["refunds"]), Decimal("0"))
    if amount <= 0 or amount > Decimal(order["total"]) - already:
        raise ApiError(500, "woocommerce_rest_cannot_create_order_refund",
                       "Invalid refund amount.", 500)
    return amount, already


def through_gateway(order: dict[str, Any], data: dict[str, Any]) -> bool:
    """Whether the refund goes back through the payment gateway (api_refund, the default);
    refused when the order's gateway cannot refund automatically."""
    api_refund = not _no(data.get("api_refund", True))
    if api_refund and order["payment_method"] not in REFUND_GATEWAYS:
        raise ApiError(500, "woocommerce_rest_cannot_create_order_refund",
                       "The payment gateway for this order does not support automatic refunds.",
                       500)
    return api_refund


def restocks(data: dict[str, Any]) -> bool:
    return not _no(data.get("api_restock", True))


def restock_meta(line: dict[str, Any], qty: int, next_meta_id: Callable[[], int]) -> None:
    """Record `qty` restocked units on a refunded order line, as WooCommerce's meta does."""
    meta = {m["key"]: m for m in line["meta_data"]}
    if "_restock_refunded_items" in meta:
        m = meta["_restock_refunded_items"]
        m["value"] = m["display_value"] = str(int(m["value"]) + qty)
    else:
        line["meta_data"].append({"id": next_meta_id(), "key": "_restock_refunded_items",
                                  "value": str(qty), "display_key": "_restock_refunded_items",
                                  "display_value": str(qty)})
    if "_reduced_stock" in meta:
        m = meta["_reduced_stock"]
        m["value"] = m["display_value"] = str(max(0, int(m["value"]) - qty))
