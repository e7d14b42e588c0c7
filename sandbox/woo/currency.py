"""What currency the shop sells in (WooCommerce > Settings > General > Currency, and the
"Number of decimals" beside it), and what an order carries of it.

An order keeps the currency it was created with (`currency`, `currency_symbol`); a client may
create one in another currency, as multi-currency plugins do (`currency` is writable in wc/v3 and
must be one of WooCommerce's codes, else rest_invalid_param). Money strings are written at the
currency's decimals: `"1500"` in a 0-decimal currency (woocommerce.md: `dp`).

Stand-in limitation (said at GET /_sandbox/currency): the stand-in's order arithmetic works in
cents; in a currency with other than 2 decimals every amount must come out whole at those
decimals (whole prices, no percentage tax or coupon that leaves a fraction), else the order is
refused with a stand-in error rather than rounded differently from WooCommerce.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.woo.errors import ApiError

LIMITATION = ("The stand-in's order arithmetic works in cents: in a currency with other than 2 "
              "decimals every amount must come out whole at those decimals, else the order is "
              "refused (sandbox_currency_fraction) instead of rounded unlike WooCommerce.")
# code: (symbol as the REST API returns it, WooCommerce's usual number of decimals)
CURRENCIES = {"USD": ("$", 2), "EUR": ("€", 2), "GBP": ("£", 2), "CAD": ("$", 2),
              "AUD": ("$", 2), "CHF": ("CHF", 2), "SEK": ("kr", 2), "DKK": ("kr.", 2),
              "NOK": ("kr", 2), "PLN": ("zł", 2), "JPY": ("¥", 0), "KRW": ("₩", 0),
              "MXN": ("$", 2), "NZD": ("$", 2), "INR": ("₹", 2), "BRL": ("R$", 2)}
# Order fields (at any depth) that hold a money string.
MONEY_KEYS = {"discount_total", "discount_tax", "shipping_total", "shipping_tax", "cart_tax",
              "total", "total_tax", "subtotal", "subtotal_tax", "tax_total",
              "shipping_tax_total", "discount", "amount"}


@dataclass
class ShopCurrency:
    code: str = "USD"
    symbol: str = "$"
    decimals: int = 2

    def as_dict(self) -> dict[str, Any]:
        return {"currency": self.code, "currency_symbol": self.symbol,
                "number_of_decimals": self.decimals}


def shop_currency(code: str, decimals: int | None = None) -> ShopCurrency:
    code = code.upper()
    if code not in CURRENCIES:
        raise ValueError(f"unknown currency {code!r}; one of {sorted(CURRENCIES)}")
    symbol, dp = CURRENCIES[code]
    return ShopCurrency(code, symbol, dp if decimals is None else decimals)


def order_currency(data: dict[str, Any], shop: ShopCurrency) -> ShopCurrency:
    """The currency a new order is created in: the one sent, else the shop's."""
    sent = data.get("currency")
    if sent in (None, ""):
        return shop
    if not isinstance(sent, str) or sent.upper() not in CURRENCIES or sent != sent.upper():
        raise ApiError.invalid_param("currency", f"currency is not one of "
                                     f"{', '.join(sorted(CURRENCIES))}.", "rest_not_in_enum",
                                     None)
    return shop if sent == shop.code else shop_currency(sent)


def restate(order: dict[str, Any], decimals: int) -> None:
    """Write the order's money strings at `decimals` (a no-op at 2); refuse a fraction."""
    if decimals == 2:
        return
    quantum = Decimal(1).scaleb(-decimals)

    def walk(x: Any) -> None:
        if isinstance(x, list):
            for item in x:
                walk(item)
        elif isinstance(x, dict):
            for k, v in x.items():
                if k == "meta_data":
                    continue
                if k in MONEY_KEYS and isinstance(v, str) and v:
                    try:
                        d = Decimal(v)
                    except InvalidOperation:
                        continue
                    if d != d.quantize(quantum):
                        raise ApiError(400, "sandbox_currency_fraction",
                                       f"{k} {v} has more than {decimals} decimals: the "
                                       "stand-in models a 0-decimal currency only when every "
                                       "amount comes out whole (stand-in limitation).")
                    x[k] = format(d.quantize(quantum), "f")
                else:
                    walk(v)

    walk(order)


def decimals_of(order: dict[str, Any]) -> int:
    return CURRENCIES.get(str(order.get("currency") or "USD"), ("", 2))[1]
