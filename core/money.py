"""Money is Decimal, parsed from WooCommerce's strings, never from float."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0")

# ISO 4217 minor units that are not 2 (the ones a shop plausibly sells in); every other code
# has 2. GP holds each currency at its own 0-5 decimals (gp.md §5.2): JPY has none.
_DECIMALS = {"JPY": 0, "KRW": 0, "CLP": 0, "VND": 0, "ISK": 0, "UGX": 0, "XOF": 0, "XAF": 0,
             "PYG": 0, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3}


def currency_decimals(currency: str) -> int:
    """How many decimals amounts in `currency` carry (ISO 4217 minor units)."""
    return _DECIMALS.get((currency or "").upper(), 2)


class MoneyError(ValueError):
    """A money value that cannot be read as an exact decimal."""


def parse_money(value: object) -> Decimal:
    """Read a money amount exactly. Strings and ints are accepted; floats are refused because
    they already lost the cents (0.1 + 0.2 != 0.3)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(
            f"money must be a string or integer, not {type(value).__name__}: {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if value is None or value == "":
        return ZERO
    if isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation as exc:
            raise MoneyError(f"not a money amount: {value!r}") from exc
        if not d.is_finite():
            raise MoneyError(f"not a money amount: {value!r}")
        return d
    raise MoneyError(f"not a money amount: {value!r}")


def parse_number(value: object) -> Decimal:
    """Like parse_money, but also accepts JSON numbers (line_items[].price is a JSON number in
    WooCommerce); the float is read through its shortest repr, which is what PHP printed."""
    if isinstance(value, float):
        return Decimal(repr(value))
    return parse_money(value)


def to_cents(amount: Decimal, decimals: int = 2) -> Decimal:
    """Round to the currency's decimals, half up as WooCommerce and GP do."""
    return amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, decimals: int = 2) -> str:
    return f"{to_cents(amount, decimals):,.{decimals}f}"


def format_in(amount: Decimal, currency: str) -> str:
    """An amount at its currency's decimals with the code: "1,500 JPY", "40.99 EUR"."""
    return f"{format_money(amount, currency_decimals(currency))} {currency.upper()}"
