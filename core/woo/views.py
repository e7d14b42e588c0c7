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
from core.money import ZERO, parse_money, parse_number


def _money(value: object) -> Decimal:
    return parse_money(value)


def _int(value: object, default: int = 0) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return default


def _str(value: object) -> str:
    return "" if value is None else str(value)


def _meta(items: object) -> dict[str, Any]:
    """meta_data [{key, value}] as a dict (the last value wins, as WooCommerce's get_meta does)."""
    out: dict[str, Any] = {}
    if isinstance(items, list):
        for m in items:
            if isinstance(m, Mapping) and "key" in m:
                out[str(m["key"])] = m.get("value")
    return out


def line_display_name(d: Mapping[str, Any]) -> str:
    """A line's product as the shop shows it: a variation's attributes after its name
    ("Organic Tee, Blue - XL"), from the display values WooCommerce puts in meta_data. Names
    that already carry them (WooCommerce's own variation titles) are left as they are."""
    name = _str(d.get("name"))
    if not _int(d.get("variation_id")):
        return name
    values = [str(m.get("display_value")) for m in d.get("meta_data") or []
              if isinstance(m, Mapping) and m.get("display_key")
              and not str(m.get("key", "")).startswith("_") and m.get("display_value")]
    extra = [v for v in values if v not in name]
    return f"{name} - {', '.join(extra)}" if extra else name


def _list(payload: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = payload.get(key)
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


@dataclass(frozen=True)
class AddressView:
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    address_1: str = ""
    address_2: str = ""
    city: str = ""
    state: str = ""
    postcode: str = ""
    country: str = ""
    email: str = ""
    phone: str = ""

    @classmethod
    def from_payload(cls, data: object) -> AddressView:
        if not isinstance(data, Mapping):
            return cls()
        return cls(**{f: _str(data.get(f)).strip() for f in (
            "first_name", "last_name", "company", "address_1", "address_2", "city", "state",
            "postcode", "country", "email", "phone")})

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def is_empty(self) -> bool:
        return not any((self.first_name, self.last_name, self.company, self.address_1, self.city))


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
        return tuple(cls(_int(t.get("id")), _money(t.get("total")), _money(t.get("subtotal")))
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
            id=_int(d.get("id")), name=_str(d.get("name")), product_id=_int(d.get("product_id")),
            variation_id=_int(d.get("variation_id")), quantity=parse_number(d.get("quantity") or 0),
            sku=None if sku is None else _str(sku).strip(),
            subtotal=_money(d.get("subtotal")), subtotal_tax=_money(d.get("subtotal_tax")),
            total=_money(d.get("total")), total_tax=_money(d.get("total_tax")),
            price=parse_number(d.get("price") if d.get("price") not in (None, "") else 0),
            taxes=TaxAmount.many(d.get("taxes")), meta=_meta(d.get("meta_data")),
            display_name=line_display_name(d))

    @property
    def refunded_item_id(self) -> int | None:
        value = self.meta.get("_refunded_item_id")
        return _int(value) if value not in (None, "") else None

    @property
    def restocked_quantity(self) -> int:
        return _int(self.meta.get("_restock_refunded_items"))


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
        return cls(_int(d.get("id")), _str(d.get("method_title")), _str(d.get("method_id")),
                   _money(d.get("total")), _money(d.get("total_tax")),
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
        return cls(_int(d.get("id")), _str(d.get("name")), _money(d.get("total")),
                   _money(d.get("total_tax")), _str(d.get("tax_status")) or "taxable",
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
        return cls(_int(d.get("id")), _str(d.get("code")), _money(d.get("discount")),
                   _money(d.get("discount_tax")), _str(d.get("discount_type")))


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
        return cls(_int(d.get("id")), _int(d.get("rate_id")), _str(d.get("rate_code")),
                   _str(d.get("label")), bool(d.get("compound")), _money(d.get("tax_total")),
                   _money(d.get("shipping_tax_total")))


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
        refunds = tuple(RefundSummary(_int(r.get("id")), _str(r.get("reason")),
                                      abs(_money(r.get("total")))) for r in _list(d, "refunds"))
        return cls(
            id=_int(d.get("id")), number=_str(d.get("number")) or _str(d.get("id")),
            status=_str(d.get("status")), currency=_str(d.get("currency")) or "USD",
            prices_include_tax=bool(d.get("prices_include_tax")),
            customer_id=_int(d.get("customer_id")),
            billing=AddressView.from_payload(d.get("billing")),
            shipping=AddressView.from_payload(d.get("shipping")),
            payment_method=_str(d.get("payment_method")),
            payment_method_title=_str(d.get("payment_method_title")),
            transaction_id=_str(d.get("transaction_id")),
            customer_note=_str(d.get("customer_note")), created_via=_str(d.get("created_via")),
            date_created=parse_gmt(d.get("date_created_gmt")),
            date_modified=parse_gmt(d.get("date_modified_gmt")),
            date_paid=parse_gmt(d.get("date_paid_gmt")),
            date_completed=parse_gmt(d.get("date_completed_gmt")),
            discount_total=_money(d.get("discount_total")),
            discount_tax=_money(d.get("discount_tax")),
            shipping_total=_money(d.get("shipping_total")),
            shipping_tax=_money(d.get("shipping_tax")), cart_tax=_money(d.get("cart_tax")),
            total=_money(d.get("total")), total_tax=_money(d.get("total_tax")),
            line_items=tuple(LineView.from_payload(x) for x in _list(d, "line_items")),
            shipping_lines=tuple(ShippingLineView.from_payload(x)
                                 for x in _list(d, "shipping_lines")),
            fee_lines=tuple(FeeLineView.from_payload(x) for x in _list(d, "fee_lines")),
            coupon_lines=tuple(CouponLineView.from_payload(x) for x in _list(d, "coupon_lines")),
            tax_lines=tuple(TaxLineView.from_payload(x) for x in _list(d, "tax_lines")),
            refunds=refunds, meta=_meta(d.get("meta_data")))

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
            id=_int(d.get("id")), order_id=order_id if order_id is not None else _int(
                d.get("parent_id")),
            amount=abs(_money(d.get("amount"))), reason=_str(d.get("reason")),
            date_created=parse_gmt(d.get("date_created_gmt")),
            refunded_payment=bool(d.get("refunded_payment")),
            line_items=tuple(LineView.from_payload(x) for x in _list(d, "line_items")),
            shipping_lines=tuple(ShippingLineView.from_payload(x)
                                 for x in _list(d, "shipping_lines")),
            fee_lines=tuple(FeeLineView.from_payload(x) for x in _list(d, "fee_lines")),
            tax_lines=tuple(TaxLineView.from_payload(x) for x in _list(d, "tax_lines")))

    @property
    def lines_amount(self) -> Decimal:
        """What the refund's lines account for (positive); the rest of `amount` is money only."""
        parts = [-li.total for li in self.line_items] + [-s.total for s in self.shipping_lines]
        parts += [-f.total for f in self.fee_lines] + [-t.amount for t in self.tax_lines]
        return sum(parts, ZERO)

    @property
    def is_amount_only(self) -> bool:
        return not (self.line_items or self.shipping_lines or self.fee_lines or self.tax_lines)


# Customers, products and variations live in views_catalog (re-exported here).
from core.woo.views_catalog import CustomerView, ProductView, VariationView  # noqa: E402

__all__ = ["AddressView", "CouponLineView", "CustomerView", "FeeLineView", "LineView",
           "OrderView", "ProductView", "RefundSummary", "RefundView", "ShippingLineView",
           "TaxAmount", "TaxLineView", "VariationView"]
