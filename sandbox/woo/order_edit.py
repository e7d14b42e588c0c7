"""An order edited after it was placed, as a shop manager does in wp-admin ("Add item" or
the item's delete cross, then "Recalculate"): a new line is priced like the others, coupons,
shipping, fees and taxes are recalculated, `date_modified` moves and WooCommerce sends
`order.updated` (webhooks/ shows the same for every admin save). Existing items keep their ids;
a new line gets the next one. Stock follows when the order had reduced it: an added line takes
its quantity, a deleted one gives it back (wp-admin's "Adjusted stock" note).
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
    return edit_lines(book, oid, add={"sku": sku, "quantity": quantity})


def remove_line(book: OrderBook, oid: int, line_id: int) -> dict[str, Any]:
    return edit_lines(book, oid, remove=line_id)


def edit_lines(book: OrderBook, oid: int, *, add: dict[str, Any] | None = None,
               remove: int | None = None) -> dict[str, Any]:
    s = book.s
    with s.lock:
        o = book.get(oid)
        if o is None or o["status"] == "trash":
            raise ApiError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        kept = [li for li in o["line_items"] if li["id"] != remove]
        gone = [li for li in o["line_items"] if li["id"] == remove]
        if remove is not None and (not gone or not kept):
            raise ApiError(400, "woocommerce_rest_invalid_line", "No such line, or the last one.")
        lines = [_line_in(book, li) for li in kept]
        if add is not None:
            lines.append(book._resolve_line({"sku": str(add["sku"]),
                                             "quantity": int(add["quantity"])}))
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
        o["line_items"] = kept
        for key in ("line_items", "shipping_lines", "fee_lines", "tax_lines", "coupon_lines"):
            _keep_ids(o[key], priced[key])
            o[key] = priced[key]
        o.update({k: priced[k] for k in ("discount_total", "discount_tax", "shipping_total",
                                          "shipping_tax", "cart_tax", "total", "total_tax")})
        touched = []
        if reduced:
            moves = [(li, +int(li["quantity"])) for li in gone]
            if add is not None:
                moves.append((o["line_items"][-1], -int(add["quantity"])))
            for li, delta in moves:
                pid = li["variation_id"] or li["product_id"]
                if pid and s.adjust_stock(pid, delta):
                    touched.append(pid)
        o["date_modified"], o["date_modified_gmt"] = s.now()
        book._save(o, reduced)
        s.emit("order", "updated", oid)
        for pid in touched:
            s.emit("product", "updated", pid)
        return o
