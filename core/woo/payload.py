"""Reading WooCommerce payload fields: money strings, numbers sent as text, meta_data lists,
and addresses. Shared by the order views and the catalog views (customers, products)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.money import parse_money


def as_money(value: object) -> Decimal:
    return parse_money(value)


def as_int(value: object, default: int = 0) -> int:
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


def as_str(value: object) -> str:
    return "" if value is None else str(value)


def as_meta(items: object) -> dict[str, Any]:
    """meta_data [{key, value}] as a dict (the last value wins, as WooCommerce's get_meta does)."""
    out: dict[str, Any] = {}
    if isinstance(items, list):
        for m in items:
            if isinstance(m, Mapping) and "key" in m:
                out[str(m["key"])] = m.get("value")
    return out


def as_records(payload: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
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
        return cls(**{f: as_str(data.get(f)).strip() for f in (
            "first_name", "last_name", "company", "address_1", "address_2", "city", "state",
            "postcode", "country", "email", "phone")})

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def is_empty(self) -> bool:
        return not any((self.first_name, self.last_name, self.company, self.address_1, self.city))


