"""Order and refund arithmetic as WooCommerce 10 does it, in Decimal.

Taxes are rounded per line (half-up, 2 dp); coupons are spread in cents: `fixed_cart` per unit
(order 32's 5.00 over 4 units = 1.25 each), `percent` floored per line with the left-over cents
handed out in line order (order 31's 14.37), each percent coupon on the full subtotals (the
default, non-sequential), a fixed one on what is left. The invariant the tests hold us to:

    total = Σ line totals + shipping + fees + total_tax
          = Σ line subtotals − discount_total + shipping + fees + total_tax      (exactly)
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from sandbox.woo.wpjson import money, php_number, r2, unpadded

ZERO = Decimal("0")


@dataclass(frozen=True)
class TaxRate:
    rate_id: int
    percent: Decimal          # "8.875"
    label: str                # "NY Tax"
    state: str

    @property
    def code(self) -> str:
        return f"US-{self.state}-{self.label.upper()}-1"

    def of(self, amount: Decimal) -> Decimal:
        return r2(amount * self.percent / 100)


@dataclass
class LineIn:
    """One sellable line, resolved from the catalogue before pricing."""
    product_id: int
    variation_id: int
    name: str
    sku: str | None
    unit_price: Decimal
    quantity: int
    parent_name: str | None = None
    attr_meta: list[tuple[str, str, str, str]] = field(default_factory=list)  # key,value,dkey,dval
    subtotal: Decimal | None = None   # sent explicitly by the client: overrides price × qty


@dataclass
class Ids:
    """The store's shared order-item and meta id sequences (one per store, like the real one)."""
    item: Callable[[], int]
    meta: Callable[[], int]


def _meta(ids: Ids, key: str, value: str, dkey: str | None = None,
          dval: str | None = None) -> dict[str, Any]:
    return {"id": ids.meta(), "key": key, "value": value, "display_key": dkey or key,
            "display_value": dval if dval is not None else value}


def _spread(cents_per_line: list[int], remainder: int) -> list[int]:
    out = list(cents_per_line)
    i = 0
    while remainder > 0 and out:
        out[i % len(out)] += 1
        remainder -= 1
        i += 1
    return out


def _coupon_cents(coupon: dict[str, Any], bases: list[Decimal], qtys: list[int]) -> list[int]:
    """Cents of discount per line for one coupon over the lines' current (remaining) totals."""
    base_cents = [int(b * 100) for b in bases]
    amount = Decimal(coupon["amount"])
    if coupon["discount_type"] == "percent":
        per = [int((Decimal(c) * amount / 100).to_integral_value(ROUND_FLOOR)) for c in base_cents]
        target = int((Decimal(sum(base_cents)) * amount / 100).to_integral_value(ROUND_FLOOR))
        per = _spread(per, target - sum(per))
    else:  # fixed_cart: per unit, capped by what the line still costs
        target = min(int(amount * 100), sum(base_cents))
        units = sum(qtys) or 1
        per_unit = target // units
        per = [min(per_unit * q, c) for q, c in zip(qtys, base_cents, strict=True)]
        per = _spread(per, target - sum(per))
    return [min(p, c) for p, c in zip(per, base_cents, strict=True)]


def price_order(lines: list[LineIn], *, shipping: list[dict[str, Any]],
                fees: list[dict[str, Any]], coupons: list[dict[str, Any]],
                rate: TaxRate | None, ids: Ids, reduced_stock: bool) -> dict[str, Any]:
    """Everything money-shaped about an order, as WooCommerce emits it."""
    subtotals = [ln.subtotal if ln.subtotal is not None else r2(ln.unit_price * ln.quantity)
                 for ln in lines]
    remaining = list(subtotals)
    coupon_rows: list[tuple[dict[str, Any], Decimal, Decimal]] = []
    for c in coupons:
        # WooCommerce's default (woocommerce_calc_discounts_sequentially = no): a percent coupon
        # is a percentage of the full line subtotals, not of what earlier coupons left; a fixed
        # coupon takes from what is left. Either way a line never goes below zero.
        base = subtotals if c["discount_type"] == "percent" else remaining
        cents = _coupon_cents(c, base, [ln.quantity for ln in lines])
        cents = [min(ct, int(r * 100)) for ct, r in zip(cents, remaining, strict=True)]
        before_tax = [rate.of(x) if rate else ZERO for x in remaining]
        remaining = [r - Decimal(ct) / 100 for r, ct in zip(remaining, cents, strict=True)]
        after_tax = [rate.of(x) if rate else ZERO for x in remaining]
        coupon_rows.append((c, Decimal(sum(cents)) / 100,
                            sum((b - a for b, a in zip(before_tax, after_tax, strict=True)), ZERO)))

    line_items: list[dict[str, Any]] = []
    cart_tax = ZERO
    for ln, sub, tot in zip(lines, subtotals, remaining, strict=True):
        sub_tax = rate.of(sub) if rate else ZERO
        tot_tax = rate.of(tot) if rate else ZERO
        cart_tax += tot_tax
        meta = [_meta(ids, *m) for m in ln.attr_meta]
        if reduced_stock:
            meta.append(_meta(ids, "_reduced_stock", str(ln.quantity)))
        line_items.append({
            "id": ids.item(), "name": ln.name, "product_id": ln.product_id,
            "variation_id": ln.variation_id, "quantity": ln.quantity, "tax_class": "",
            "subtotal": money(sub), "subtotal_tax": money(sub_tax),
            "total": money(tot), "total_tax": money(tot_tax),
            "taxes": ([{"id": rate.rate_id, "total": money(tot_tax), "subtotal": money(sub_tax)}]
                      if rate else []),
            "meta_data": meta, "sku": ln.sku, "price": php_number(tot, ln.quantity),
            # Woo's own quirk: simple products give image.id "", variations 0.
            "image": {"id": 0 if ln.variation_id else "", "src": ""},
            "parent_name": ln.parent_name,
        })

    shipping_lines, shipping_total, shipping_tax = [], ZERO, ZERO
    for s in shipping:
        amt = Decimal(str(s.get("total") or "0"))
        tax = rate.of(amt) if rate else ZERO
        shipping_total += amt
        shipping_tax += tax
        shipping_lines.append({
            "id": ids.item(), "method_title": s.get("method_title", "Flat rate"),
            "method_id": s.get("method_id", "flat_rate"),
            "instance_id": str(s.get("instance_id", "1")), "total": money(amt),
            "total_tax": money(tax),
            "taxes": [{"id": rate.rate_id, "total": money(tax), "subtotal": ""}] if rate else [],
            "tax_status": "taxable", "meta_data": [],
        })

    fee_lines, fee_total = [], ZERO
    for f in fees:
        amt = Decimal(str(f.get("total") or "0"))
        status = f.get("tax_status", "taxable")
        # Real quirk: a negative fee is taxed even when sent with tax_status "none".
        taxed = rate is not None and (status == "taxable" or amt < 0)
        tax = rate.of(amt) if taxed and rate else ZERO
        fee_total += amt
        cart_tax += tax
        fee_lines.append({
            "id": ids.item(), "name": f.get("name", "Fee"), "tax_class": f.get("tax_class", ""),
            "tax_status": status, "amount": "", "total": money(amt), "total_tax": money(tax),
            "taxes": ([{"id": rate.rate_id, "total": money(tax), "subtotal": ""}]
                      if taxed and rate else []),
            "meta_data": [],
        })

    tax_lines = []
    if rate:
        tax_lines.append({
            "id": ids.item(), "rate_code": rate.code, "rate_id": rate.rate_id,
            "label": rate.label, "compound": False, "tax_total": money(cart_tax),
            "shipping_tax_total": money(shipping_tax), "rate_percent": float(rate.percent),
            "meta_data": [],
        })

    coupon_lines = []
    for c, disc, disc_tax in coupon_rows:
        nominal = Decimal(c["amount"])
        kind = "null" if c["discount_type"] == "fixed_cart" else f'"{c["discount_type"]}"'
        info = f'[{c["id"]},"{c["code"]}",{kind},{unpadded(nominal)}]'
        coupon_lines.append({
            "id": ids.item(), "code": c["code"], "discount": unpadded(disc),
            "discount_tax": unpadded(disc_tax),
            "meta_data": [_meta(ids, "coupon_info", info)],
            "discount_type": c["discount_type"],
            "nominal_amount": int(nominal) if nominal == int(nominal) else float(nominal),
            "free_shipping": False,
        })

    discount_total = sum((s - t for s, t in zip(subtotals, remaining, strict=True)), ZERO)
    discount_tax = sum((d for _, _, d in coupon_rows), ZERO)
    total_tax = cart_tax + shipping_tax
    total = sum(remaining, ZERO) + shipping_total + fee_total + total_tax
    return {
        "discount_total": money(discount_total), "discount_tax": money(discount_tax),
        "shipping_total": money(shipping_total), "shipping_tax": money(shipping_tax),
        "cart_tax": money(cart_tax), "total": money(total), "total_tax": money(total_tax),
        "line_items": line_items, "tax_lines": tax_lines, "shipping_lines": shipping_lines,
        "fee_lines": fee_lines, "coupon_lines": coupon_lines,
    }


class RefundError(Exception):
    """Refund refused: (code, message, data-int) shaped like the refund controller's errors."""

    def __init__(self, code: str, message: str, data: int) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


def build_refund_lines(order: dict[str, Any], requested: list[dict[str, Any]], ids: Ids,
                       ) -> tuple[dict[str, list[dict[str, Any]]], Decimal, list[tuple[int, int]]]:
    """Refund line arrays (negative), the sum of their parts, [(line item id, qty)] to restock."""
    by_id: dict[int, tuple[str, dict[str, Any]]] = {}
    for kind in ("line_items", "shipping_lines", "fee_lines"):
        for item in order[kind]:
            by_id[item["id"]] = (kind, item)
    out: dict[str, list[dict[str, Any]]] = {"line_items": [], "shipping_lines": [],
                                            "fee_lines": [], "tax_lines": []}
    parts = ZERO
    item_tax, ship_tax = ZERO, ZERO
    restock: list[tuple[int, int]] = []
    rate_line = order["tax_lines"][0] if order["tax_lines"] else None
    for req in requested:
        found = by_id.get(int(req.get("id") or 0))
        if not found:
            continue  # WooCommerce skips ids that are not items of this order
        kind, item = found
        qty = int(req.get("quantity") or 0)
        total = Decimal(str(req.get("refund_total") or "0"))
        tax = sum((Decimal(str(t.get("refund_total") or "0")) for t in req.get("refund_tax", [])),
                  ZERO)
        if not total and not tax and not qty:
            continue
        parts += total + tax
        taxes = ([{"id": rate_line["rate_id"], "total": money(-tax),
                   "subtotal": money(-tax) if kind == "line_items" else ""}]
                 if rate_line and tax else [])
        ref_meta = [_meta(ids, "_refunded_item_id", str(item["id"]))]
        if kind == "line_items":
            item_tax += tax
            if qty:
                restock.append((item["id"], qty))
            out[kind].append({
                "id": ids.item(), "name": item["name"], "product_id": item["product_id"],
                "variation_id": item["variation_id"], "quantity": -qty, "tax_class": "",
                "subtotal": money(-total), "subtotal_tax": money(-tax), "total": money(-total),
                "total_tax": money(-tax), "taxes": taxes, "meta_data": ref_meta,
                "sku": item["sku"], "price": php_number(total, qty) if qty else 0,
                "image": dict(item["image"]), "parent_name": item["parent_name"],
            })
        elif kind == "shipping_lines":
            ship_tax += tax
            out[kind].append({
                "id": ids.item(), "method_title": item["method_title"],
                "method_id": item["method_id"], "instance_id": item["instance_id"],
                "total": money(-total), "total_tax": money(-tax), "taxes": taxes,
                "tax_status": item["tax_status"], "meta_data": ref_meta,
            })
        else:
            item_tax += tax
            out[kind].append({
                "id": ids.item(), "name": item["name"], "tax_class": item["tax_class"],
                "tax_status": item["tax_status"], "amount": "", "total": money(-total),
                "total_tax": money(-tax), "taxes": taxes, "meta_data": ref_meta,
            })
    if rate_line and (item_tax or ship_tax):
        out["tax_lines"].append({
            "id": ids.item(), "rate_code": rate_line["rate_code"], "rate_id": rate_line["rate_id"],
            "label": rate_line["label"], "compound": False, "tax_total": money(-item_tax),
            "shipping_tax_total": money(-ship_tax), "rate_percent": rate_line["rate_percent"],
            "meta_data": [],
        })
    return out, parts, restock
