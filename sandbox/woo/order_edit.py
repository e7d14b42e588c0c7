"""An order edited after it was placed, as a shop manager does in wp-admin ("Add item", then
"Recalculate"): the new line is priced like the others, coupons, shipping, fees and taxes are
recalculated, `date_modified` moves and WooCommerce sends `order.updated` (webhooks/ shows the
same for every admin save). Existing items keep their ids; the new line gets the next one.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.woo.errors import ApiError
from sandbox.woo.orders import TAX_RATES, OrderBook
from sandbox.woo.pricing import LineIn, price_order


def _line_in(book: OrderBook, li: dict[str, Any]) -> LineIn:
    return LineIn(int(li["product_id"]), int(li["variation_id"]), str(li["name"]), li["sku"],
                  Decimal(li["subtotal"]) / max(1, int(li["quantity"])), int(li["quantity"]),
                  parent_name=li.get("parent_name"), subtotal=Decimal(li["subtotal"]))


def _keep_ids(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    for before, after in zip(old, new, strict=False):
        after["id"] = before["id"]
        after["meta_data"] = before.get("meta_data", after.get("meta_data", []))


def add_line(book: OrderBook, oid: int, sku: str, quantity: int) -> dict[str, Any]:
    s = book.s
    with s.lock:
        o = book.get(oid)
        if o is None or o["status"] == "trash":
            raise ApiError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        lines = [_line_in(book, li) for li in o["line_items"]]
        lines.append(book._resolve_line({"sku": sku, "quantity": quantity}))
        coupons = [c for c in (s.coupon_by_code(cl["code"]) for cl in o["coupon_lines"]) if c]
        state = o["shipping"]["state"] or o["billing"]["state"]
        rate = TAX_RATES.get(state) if (o["shipping"]["country"] or o["billing"]["country"]) in (
            "US", "") else None
        reduced = book._reduced(oid)
        priced = price_order(lines, shipping=[{"method_title": x["method_title"], "method_id":
                                               x["method_id"], "total": x["total"]}
                                              for x in o["shipping_lines"]],
                             fees=[{"name": f["name"], "total": f["total"],
                                    "tax_status": f["tax_status"]} for f in o["fee_lines"]],
                             coupons=coupons, rate=rate, ids=book.ids, reduced_stock=reduced)
        for key in ("line_items", "shipping_lines", "fee_lines", "tax_lines", "coupon_lines"):
            _keep_ids(o[key], priced[key])
            o[key] = priced[key]
        o.update({k: priced[k] for k in ("discount_total", "discount_tax", "shipping_total",
                                          "shipping_tax", "cart_tax", "total", "total_tax")})
        touched = []
        if reduced:
            new = o["line_items"][-1]
            pid = new["variation_id"] or new["product_id"]
            if pid and s.adjust_stock(pid, -quantity):
                touched.append(pid)
        o["date_modified"], o["date_modified_gmt"] = s.now()
        book._save(o, reduced)
        s.emit("order", "updated", oid)
        for pid in touched:
            s.emit("product", "updated", pid)
        return o
