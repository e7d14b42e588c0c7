"""The three synced fields, what each side's value is, and when two values count as the same.

Echo suppression starts here: a value we wrote must compare equal to what the other system hands
back, or our own write bounces. So names are compared HTML-unescaped (WordPress returns `&` as
`&amp;`), whitespace-collapsed and cut at GP's 100-character description; prices at the store's
cents (GP keeps five decimals); quantities as whole units (WooCommerce stock is an integer).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from core.clock import parse_gmt
from core.money import MoneyError, parse_money, parse_number, to_cents

FIELDS: tuple[str, ...] = ("name", "price", "quantity")
GP_DESCRIPTION_LIMIT = 100  # Item.Description

Value = str | Decimal


def normalize_name(text: object) -> str | None:
    if text is None:
        return None
    clean = re.sub(r"\s+", " ", html.unescape(str(text))).strip()
    return clean or None


def comparable(field: str, value: Value | None) -> object:
    """The form in which two values of `field` are compared."""
    if value is None:
        return None
    if field == "name":
        name = normalize_name(value)
        return None if name is None else name[:GP_DESCRIPTION_LIMIT]
    if field == "price":
        return to_cents(Decimal(value))
    if field == "quantity":
        return Decimal(value).to_integral_value(rounding=ROUND_FLOOR)
    raise ValueError(f"unknown product field {field!r}")


def same(field: str, a: Value | None, b: Value | None) -> bool:
    return comparable(field, a) == comparable(field, b)


def to_text(field: str, value: Value | None) -> str | None:
    """How a value is kept in a task or an audit event (Decimal as its exact string)."""
    if value is None:
        return None
    if field == "name":
        return str(value)
    return str(Decimal(value))


def from_text(field: str, text: str | None) -> Value | None:
    if text is None:
        return None
    return text if field == "name" else Decimal(text)


def for_woo(field: str, value: Value) -> Any:
    """The JSON value WooCommerce takes for `field`."""
    if field == "name":
        return str(value)
    if field == "price":
        return f"{to_cents(Decimal(value)):.2f}"
    return int(Decimal(value).to_integral_value(rounding=ROUND_FLOOR))


WOO_KEYS = {"name": "name", "price": "regular_price", "quantity": "stock_quantity"}


@dataclass(frozen=True)
class WooEntry:
    """One sellable WooCommerce thing: a simple product or a variation (parents are not items)."""

    sku: str
    product_id: int  # the parent's id for a variation
    variation_id: int | None
    name: str | None
    price: Decimal | None  # regular_price; None when unset
    quantity: Decimal | None  # None when WooCommerce does not manage this stock
    modified_gmt: datetime | None
    parent_name: str | None = field(default=None, compare=False)

    @property
    def woo_id(self) -> int:
        return self.variation_id or self.product_id

    def value(self, name: str) -> Value | None:
        return {"name": self.name, "price": self.price, "quantity": self.quantity}[name]


SELLABLE_TYPES = ("simple", "variation")


def variation_name(parent_name: str, attributes: list[dict[str, Any]]) -> str:
    """The title WooCommerce gives a variation ("Hoodie - Medium"): `/variations` returns only the
    attribute value, `/products/{vid}` and webhooks the full title; we always use the full one so
    a poll and a webhook agree. WooCommerce leaves the attributes out from three upward."""
    options = [str(a.get("option", "")) for a in attributes if a.get("option")]
    if not options or len(options) >= 3:
        return parent_name
    return f"{parent_name} - {', '.join(options)}"


def _quantity(p: dict[str, Any]) -> Decimal | None:
    # manage_stock is true, false, or "parent" for a variation whose parent manages stock.
    if p.get("manage_stock") is not True or p.get("stock_quantity") is None:
        return None
    try:
        return parse_number(p["stock_quantity"])
    except MoneyError:
        return None


def _price(p: dict[str, Any]) -> Decimal | None:
    raw = p.get("regular_price")
    if raw in (None, ""):
        return None
    try:
        return parse_money(raw)
    except MoneyError:
        return None


def entry_from_woo(p: dict[str, Any], *, parent: dict[str, Any] | None = None) -> WooEntry | None:
    """A WooEntry from a product, a `/products/{vid}` variation, or a `/variations` element
    (`parent` given). None for variable parents, grouped/external products and SKU-less ones."""
    sku = str(p.get("sku") or "").strip()
    is_variation = parent is not None or p.get("type") == "variation" or bool(p.get("parent_id"))
    if not sku:
        return None
    if not is_variation and p.get("type", "simple") not in SELLABLE_TYPES:
        return None
    name = p.get("name")
    parent_name = None
    if is_variation:
        pid = int(parent["id"] if parent is not None else p.get("parent_id") or 0)
        if parent is not None:
            parent_name = normalize_name(parent.get("name")) or ""
            name = variation_name(parent_name, p.get("attributes") or [])
        return WooEntry(sku, pid, int(p["id"]), normalize_name(name), _price(p), _quantity(p),
                        parse_gmt(p.get("date_modified_gmt")), parent_name)
    return WooEntry(sku, int(p["id"]), None, normalize_name(name), _price(p), _quantity(p),
                    parse_gmt(p.get("date_modified_gmt")))
