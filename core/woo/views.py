"""Typed, read-only views of WooCommerce payloads.

WooCommerce sends money as strings (mostly 2 decimals, but coupon amounts unpadded, `price` a JSON
number, `""` for absent), dates without a zone (the `*_gmt` twins are UTC) and refunds with negative
lines. These views parse all of that once, so mapping code only ever sees Decimal and aware UTC
datetimes. `from_payload` never trusts a field's presence: a missing field reads as empty/zero.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from core.clock import parse_gmt
from core.money import ZERO, parse_number
from core.woo.payload import (
    AddressView,
    as_int,
    as_meta,
    as_money,
    as_records,
    as_str,
)


def line_display_name(d: Mapping[str, Any]) -> str:
    """A line's product as the shop shows it: a variation's attributes after its name
    ("Organic Tee, Blue - XL"), from the display values WooCommerce puts in meta_data. Names
    that already carry them (WooCommerce's own variation titles) are left as they are."""
    name = as_str(d.get("name"))
    if not as_int(d.get("variation_id")):
        return name
    values = [str(m.get("display_value")) for m in d.get("meta_data") or []
              if isinstance(m, Mapping) and m.get("display_key")
              and not str(m.get("key", "")).startswith("_") and m.get("display_value")]
    extra = [v for v in values if v not in name]
    return f"{name} - {', '.join(extra)}" if extra else name




@dataclass(frozen=True)
class TaxAmount:
    """One tax rate's share of a line: `{id: rate id, total, subtotal}`."""

    rate_id: int
    total: Decimal
    subtotal: Decimal

    @classmethod
    def many(cls, items: object) -> tuple[TaxAmount, ...]:
        if not isinstance(items, list):
            return ()
        return tuple(cls(as_int(t.get("id")), as_money(t.get("total")), as_money(t.get("subtotal")))
                     for t in items if isinstance(t, Mapping))


@dataclass(frozen=True)
class LineView:
    id: int
    name: str
    product_id: int
    variation_id: int
    quantity: Decimal  # negative in refunds
    sku: str | None  # "" when the product has no SKU, None when the product was deleted
    subtotal: Decimal  # before coupons, without tax
    subtotal_tax: Decimal
    total: Decimal  # after coupons, without tax
    total_tax: Decimal
    price: Decimal  # total / quantity as WooCommerce rounded it: shown, never summed
    taxes: tuple[TaxAmount, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False)
    display_name: str = field(default="", compare=False)  # with a variation's attributes

    @classmethod
    def from_payload(cls, d: Mapping[str, Any]) -> LineView:
        sku = d.get("sku")
        return cls(
            id=as_int(d.get("id")), name=as_str(d.get("name")),
            product_id=as_int(d.get("product_id")), variation_id=as_int(d.get("variation_id")),
            quantity=parse_number(d.get("quantity") or 0),
            sku=None if sku is None else as_str(sku).strip(),
            subtotal=as_money(d.get("subtotal")), subtotal_tax=as_money(d.get("subtotal_tax")),
            total=as_money(d.get("total")), total_tax=as_money(d.get("total_tax")),
            price=parse_number(d.get("price") if d.get("price") not in (None, "") else 0),
            taxes=TaxAmount.many(d.get("taxes")), meta=as_meta(d.get("meta_data")),
            display_name=line_display_name(d))

    @property
    def refunded_item_id(self) -> int | None:
        value = self.meta.get("_refunded_item_id")
        return as_int(value) if value not in (None, "") else None

    @property
    def restocked_quantity(self) -> int:
        return as_int(self.meta.get("_restock_refunded_items"))


@dataclass(frozen=True)
class ShippingLineView:
    id: int
    method_title: str
    method_id: str
    total: Decimal
    total_tax: Decimal
    taxes: tuple[TaxAmount, ...] = ()

    @classmethod
    def from_payload(cls, d: Mapping[str, Any]) -> ShippingLineView:
        return cls(as_int(d.get("id")), as_str(d.get("method_title")), as_str(d.get("method_id")),
                   as_money(d.get("total")), as_money(d.get("total_tax")),
                   TaxAmount.many(d.get("taxes")))


@dataclass(frozen=True)
class FeeLineView:
    id: int
    name: str
    total: Decimal  # may be negative (a discount entered as a fee)
    total_tax: Decimal
    tax_status: str = "taxable"
    taxes: tuple[TaxAmount, ...] = ()

    @classmethod
    def from_payload(cls, d: Mapping[str, Any]) -> FeeLineView:
        # `amount` is "" for fees created with a total; `total` is what the order sums.
        return cls(as_int(d.get("id")), as_str(d.get("name")), as_money(d.get("total")),
                   as_money(d.get("total_tax")), as_str(d.get("tax_status")) or "taxable",
                   TaxAmount.many(d.get("taxes")))


@dataclass(frozen=True)
class CouponLineView:
    id: int
    code: str
    discount: Decimal  # unpadded in WooCommerce ("5", "1.1")
    discount_tax: Decimal
    discount_type: str = ""

    @classmethod
    def from_payload(cls, d: Mapping[str, Any]) -> CouponLineView:
        return cls(as_int(d.get("id")), as_str(d.get("code")), as_money(d.get("discount")),
                   as_money(d.get("discount_tax")), as_str(d.get("discount_type")))


@dataclass(frozen=True)
class TaxLineView:
    id: int
    rate_id: int
    rate_code: str
    label: str
    compound: bool
    tax_total: Decimal  # tax on items and fees
    shipping_tax_total: Decimal

    @property
    def amount(self) -> Decimal:
        return self.tax_total + self.shipping_tax_total

    @classmethod
    def from_payload(cls, d: Mapping[str, Any]) -> TaxLineView:
        return cls(as_int(d.get("id")), as_int(d.get("rate_id")), as_str(d.get("rate_code")),
                   as_str(d.get("label")), bool(d.get("compound")), as_money(d.get("tax_total")),
                   as_money(d.get("shipping_tax_total")))


@dataclass(frozen=True)
class RefundSummary:
    """An entry of the order's `refunds[]`: `total` is negative there; `amount` is positive."""

    id: int
    reason: str
    amount: Decimal


@dataclass(frozen=True)
class OrderView:
    id: int
    number: str
    status: str
    currency: str
    prices_include_tax: bool
    customer_id: int  # 0 for guests
    billing: AddressView
    shipping: AddressView
    payment_method: str
    payment_method_title: str
    transaction_id: str
    customer_note: str
    created_via: str
    date_created: datetime | None
    date_modified: datetime | None
    date_paid: datetime | None
    date_completed: datetime | None
    discount_total: Decimal
    discount_tax: Decimal
    shipping_total: Decimal
    shipping_tax: Decimal
    cart_tax: Decimal
    total: Decimal  # not reduced by refunds
    total_tax: Decimal
    line_items: tuple[LineView, ...] = ()
    shipping_lines: tuple[ShippingLineView, ...] = ()
    fee_lines: tuple[FeeLineView, ...] = ()
    coupon_lines: tuple[CouponLineView, ...] = ()
    tax_lines: tuple[TaxLineView, ...] = ()
    refunds: tuple[RefundSummary, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_payload(cls, d: Mapping[str, Any]) -> OrderView:
        refunds = tuple(RefundSummary(as_int(r.get("id")), as_str(r.get("reason")),
                                      abs(as_money(r.get("total"))))
                        for r in as_records(d, "refunds"))
        return cls(
            id=as_int(d.get("id")), number=as_str(d.get("number")) or as_str(d.get("id")),
            status=as_str(d.get("status")), currency=as_str(d.get("currency")) or "USD",
            prices_include_tax=bool(d.get("prices_include_tax")),
            customer_id=as_int(d.get("customer_id")),
            billing=AddressView.from_payload(d.get("billing")),
            shipping=AddressView.from_payload(d.get("shipping")),
            payment_method=as_str(d.get("payment_method")),
            payment_method_title=as_str(d.get("payment_method_title")),
            transaction_id=as_str(d.get("transaction_id")),
            customer_note=as_str(d.get("customer_note")), created_via=as_str(d.get("created_via")),
            date_created=parse_gmt(d.get("date_created_gmt")),
            date_modified=parse_gmt(d.get("date_modified_gmt")),
            date_paid=parse_gmt(d.get("date_paid_gmt")),
            date_completed=parse_gmt(d.get("date_completed_gmt")),
            discount_total=as_money(d.get("discount_total")),
            discount_tax=as_money(d.get("discount_tax")),
            shipping_total=as_money(d.get("shipping_total")),
            shipping_tax=as_money(d.get("shipping_tax")), cart_tax=as_money(d.get("cart_tax")),
            total=as_money(d.get("total")), total_tax=as_money(d.get("total_tax")),
            line_items=tuple(LineView.from_payload(x) for x in as_records(d, "line_items")),
            shipping_lines=tuple(ShippingLineView.from_payload(x)
                                 for x in as_records(d, "shipping_lines")),
            fee_lines=tuple(FeeLineView.from_payload(x) for x in as_records(d, "fee_lines")),
            coupon_lines=tuple(CouponLineView.from_payload(x)
                               for x in as_records(d, "coupon_lines")),
            tax_lines=tuple(TaxLineView.from_payload(x) for x in as_records(d, "tax_lines")),
            refunds=refunds, meta=as_meta(d.get("meta_data")))

    @property
    def is_guest(self) -> bool:
        return self.customer_id == 0

    @property
    def email(self) -> str:
        return self.billing.email.strip().lower()

    @property
    def customer_key(self) -> str:
        """The key the queue uses for one customer's documents ("id:12", "guest:a@b.c")."""
        return f"id:{self.customer_id}" if self.customer_id else f"guest:{self.email}"

    @property
    def refunded_total(self) -> Decimal:
        return sum((r.amount for r in self.refunds), ZERO)

    def line_by_id(self, item_id: int) -> LineView | None:
        return next((li for li in self.line_items if li.id == item_id), None)


@dataclass(frozen=True)
class RefundView:
    id: int
    order_id: int  # parent_id (only in /refunds; filled by the caller otherwise)
    amount: Decimal  # positive
    reason: str
    date_created: datetime | None
    refunded_payment: bool
    line_items: tuple[LineView, ...] = ()
    shipping_lines: tuple[ShippingLineView, ...] = ()
    fee_lines: tuple[FeeLineView, ...] = ()
    tax_lines: tuple[TaxLineView, ...] = ()

    @classmethod
    def from_payload(cls, d: Mapping[str, Any], *, order_id: int | None = None) -> RefundView:
        return cls(
            id=as_int(d.get("id")), order_id=order_id if order_id is not None else as_int(
                d.get("parent_id")),
            amount=abs(as_money(d.get("amount"))), reason=as_str(d.get("reason")),
            date_created=parse_gmt(d.get("date_created_gmt")),
            refunded_payment=bool(d.get("refunded_payment")),
            line_items=tuple(LineView.from_payload(x) for x in as_records(d, "line_items")),
            shipping_lines=tuple(ShippingLineView.from_payload(x)
                                 for x in as_records(d, "shipping_lines")),
            fee_lines=tuple(FeeLineView.from_payload(x) for x in as_records(d, "fee_lines")),
            tax_lines=tuple(TaxLineView.from_payload(x) for x in as_records(d, "tax_lines")))

    @property
    def lines_amount(self) -> Decimal:
        """What the refund's lines account for (positive); the rest of `amount` is money only."""
        parts = [-li.total for li in self.line_items] + [-s.total for s in self.shipping_lines]
        parts += [-f.total for f in self.fee_lines] + [-t.amount for t in self.tax_lines]
        return sum(parts, ZERO)

    @property
    def is_amount_only(self) -> bool:
        return not (self.line_items or self.shipping_lines or self.fee_lines or self.tax_lines)


__all__ = ["AddressView", "CouponLineView", "FeeLineView", "LineView", "OrderView",
           "RefundSummary", "RefundView", "ShippingLineView", "TaxAmount", "TaxLineView"]
