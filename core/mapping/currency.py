"""Which exchange rate a document in another currency carries to GP.

[posting] exchange_rate = "gp" (the default): none is sent and GP takes the rate from its exchange
table for the document date. "shop": the accountant's rate from [posting] shop_rates is sent as
ExchangeRate with the document date as ExchangeDate. An order in GP's functional currency
([gp] functional_currency) never carries a rate. A currency with no rate in "shop" mode holds
the order with what to set: never a silent fall-back to GP's table.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class RateChoice:
    rate: Decimal | None  # what to send (None: GP's table, or the functional currency)
    problem: str = ""  # why the order cannot be sent (a "currency" hold)


def rate_for(posting: Any, functional: str, currency: str) -> RateChoice:
    code = (currency or functional).upper()
    if code == functional.upper() or posting.exchange_rate != "shop":
        return RateChoice(None)
    rate = (posting.shop_rates or {}).get(code)
    if rate is None:
        return RateChoice(None, (
            f"the order is in {code} and [posting] exchange_rate = \"shop\", but "
            f"[posting] shop_rates has no rate for {code}: add {code} = \"<rate>\" (GP "
            f"functional {functional.upper()} per 1 {code}), or set exchange_rate = \"gp\" to "
            "use GP's exchange table; then replay"))
    return RateChoice(Decimal(rate))
