"""Typed views of WooCommerce customers, products and variations (see core.woo.views)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from core.clock import parse_gmt
from core.woo.payload import AddressView, as_int, as_money, as_records, as_str


@dataclass(frozen=True)
class CustomerView:
    id: int
    email: str
    first_name: str
    last_name: str
    username: str
    billing: AddressView
    shipping: AddressView
    date_modified: datetime | None

    @classmethod
    def from_payload(cls, d: Mapping[str, Any]) -> CustomerView:
        return cls(as_int(d.get("id")), as_str(d.get("email")).strip().lower(),
                   as_str(d.get("first_name")), as_str(d.get("last_name")),
                   as_str(d.get("username")),
                   AddressView.from_payload(d.get("billing")),
                   AddressView.from_payload(d.get("shipping")),
                   parse_gmt(d.get("date_modified_gmt")))


@dataclass(frozen=True)
class VariationView:
    id: int
    parent_id: int
    sku: str
    name: str
    regular_price: Decimal | None
    sale_price: Decimal | None
    stock_quantity: int | None
    manage_stock: bool
    date_modified: datetime | None
    attributes: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_payload(cls, d: Mapping[str, Any], *, parent_id: int | None = None) -> VariationView:
        attrs = tuple((as_str(a.get("name")), as_str(a.get("option")))
                      for a in as_records(d, "attributes"))
        return cls(as_int(d.get("id")), parent_id if parent_id is not None else as_int(
            d.get("parent_id")), as_str(d.get("sku")).strip(), as_str(d.get("name")),
            _opt_money(d.get("regular_price")), _opt_money(d.get("sale_price")),
            None if d.get("stock_quantity") is None else as_int(d.get("stock_quantity")),
            bool(d.get("manage_stock")), parse_gmt(d.get("date_modified_gmt")), attrs)


@dataclass(frozen=True)
class ProductView:
    id: int
    type: str
    status: str
    sku: str
    name: str
    regular_price: Decimal | None  # None when unset ("")
    sale_price: Decimal | None
    price: Decimal | None
    stock_quantity: int | None
    manage_stock: bool
    parent_id: int
    variation_ids: tuple[int, ...]
    date_modified: datetime | None

    @classmethod
    def from_payload(cls, d: Mapping[str, Any]) -> ProductView:
        variations = d.get("variations")
        return cls(as_int(d.get("id")), as_str(d.get("type")), as_str(d.get("status")),
                   as_str(d.get("sku")).strip(), as_str(d.get("name")),
                   _opt_money(d.get("regular_price")), _opt_money(d.get("sale_price")),
                   _opt_money(d.get("price")),
                   None if d.get("stock_quantity") is None else as_int(d.get("stock_quantity")),
                   bool(d.get("manage_stock")), as_int(d.get("parent_id")),
                   tuple(as_int(v) for v in variations) if isinstance(variations, list) else (),
                   parse_gmt(d.get("date_modified_gmt")))




def _opt_money(value: object) -> Decimal | None:
    return None if value in (None, "") else as_money(value)
