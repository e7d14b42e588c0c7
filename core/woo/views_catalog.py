"""Typed views of WooCommerce customers, products and variations (see core.woo.views)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from core.clock import parse_gmt
from core.woo.views import AddressView, _int, _list, _money, _str


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
        return cls(_int(d.get("id")), _str(d.get("email")).strip().lower(),
                   _str(d.get("first_name")), _str(d.get("last_name")), _str(d.get("username")),
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
        attrs = tuple((_str(a.get("name")), _str(a.get("option")))
                      for a in _list(d, "attributes"))
        return cls(_int(d.get("id")), parent_id if parent_id is not None else _int(
            d.get("parent_id")), _str(d.get("sku")).strip(), _str(d.get("name")),
            _opt_money(d.get("regular_price")), _opt_money(d.get("sale_price")),
            None if d.get("stock_quantity") is None else _int(d.get("stock_quantity")),
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
        return cls(_int(d.get("id")), _str(d.get("type")), _str(d.get("status")),
                   _str(d.get("sku")).strip(), _str(d.get("name")),
                   _opt_money(d.get("regular_price")), _opt_money(d.get("sale_price")),
                   _opt_money(d.get("price")),
                   None if d.get("stock_quantity") is None else _int(d.get("stock_quantity")),
                   bool(d.get("manage_stock")), _int(d.get("parent_id")),
                   tuple(_int(v) for v in variations) if isinstance(variations, list) else (),
                   parse_gmt(d.get("date_modified_gmt")))




def _opt_money(value: object) -> Decimal | None:
    return None if value in (None, "") else _money(value)
