"""`check`, GP side: the currencies the shop sells in, against GP's.

The shop's currencies are those its orders carry (in the connector's database) and those the
accountant gave a rate for ([posting] shop_rates). Each one other than GP's functional currency
must be set up in GP (GetCurrencyList), at no fewer decimals than the shop's amounts carry, or its
orders are held "currency". With [posting] exchange_rate = "shop", each needs a rate as well.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from core.config import Settings
from core.errors import ConnectorError, GPError
from core.money import currency_decimals
from core.store.models import Order

Add = Callable[..., None]  # add(subject, status, detail, fix="")


def shop_currencies() -> list[str]:
    """The currencies of the shop's orders, from the open state database."""
    return sorted({(o.currency or "").upper() for o in Order.select(Order.currency).distinct()
                   if o.currency})


def check_currencies(settings: Settings, lists: Any, add: Add,
                     seen: Sequence[str]) -> None:
    functional = settings.gp.functional_currency.upper()
    posting = settings.posting
    wanted = sorted({c.upper() for c in [*seen, *posting.shop_rates]} - {functional})
    if not wanted:
        add("Currencies", "ok", f"the shop's orders are in GP's functional currency {functional}")
        return
    try:
        rows = lists.rows("currencies")
    except GPError as exc:
        add("Currencies", "warn", f"cannot read GP's currencies: {exc}; orders in "
            f"{', '.join(wanted)} are checked when they post")
        return
    have: dict[str, int | None] = {r.id.upper(): r.decimals for r in rows}
    listed = ", ".join(sorted(have)) or "none"
    for code in wanted:
        subject = f"Currency {code}"
        if code not in have:
            add(subject, "fail", f"GP has no currency {code} (GP lists: {listed}): the shop's "
                f"orders in {code} are held 'currency'",
                f"in GP add {code} (Administration » Setup » System » Currency), give company "
                f"{settings.gp.company} access to it (Multicurrency Access) and an exchange "
                "table with rates (Exchange Rate Tables); then `ml-connector replay --reason "
                "currency`")
        elif (held := have[code]) is not None and held < currency_decimals(code):
            add(subject, "fail", f"GP holds {code} at {held} decimals, the shop's amounts "
                f"carry {currency_decimals(code)}: GP would refuse them",
                f"set {code}'s decimal places to {currency_decimals(code)} in GP's Currency Setup")
        elif posting.exchange_rate == "shop" and code not in posting.shop_rates:
            add(subject, "fail", f"[posting] exchange_rate = \"shop\" but shop_rates has no rate "
                f"for {code}: its orders are held 'currency'",
                f"add {code} = \"<rate>\" under [posting] shop_rates, or exchange_rate = \"gp\"")
        else:
            source = (f"the shop's rate {posting.shop_rates[code]}"
                      if posting.exchange_rate == "shop" else "GP's exchange table rate for the "
                      "document date")
            add(subject, "ok", f"set up in GP; documents carry {source}")


def check_shop_currency(settings: Settings, client: Any, add: Add,
                        orders: Sequence[dict[str, Any]] = ()) -> None:
    """WooCommerce side: what the shop sells in (its setting and its recent orders' currencies,
    which multi-currency plugins write per order), and whether each can reach GP."""
    try:
        shop = str(((client.system_status() or {}).get("settings") or {}).get("currency") or "")
    except ConnectorError as exc:
        add("Shop currency", "warn", f"cannot read the shop's currency ({exc})")
        shop = ""
    seen = sorted({shop.upper()} - {""} | {str(o.get("currency") or "").upper()
                                           for o in orders if o.get("currency")})
    if not seen:
        return
    functional = settings.gp.functional_currency.upper()
    others = [c for c in seen if c != functional]
    text = (f"the shop sells in {shop.upper() or '?'}"
            + (f"; recent orders are in {', '.join(seen)}" if seen != [shop.upper()] else ""))
    if not others:
        add("Shop currency", "ok", f"{text}, GP's functional currency")
        return
    posting = settings.posting
    if posting.exchange_rate == "shop":
        missing = [c for c in others if c not in posting.shop_rates]
        if missing:
            add("Shop currency", "fail", f"{text}; [posting] exchange_rate = \"shop\" but "
                f"shop_rates has no rate for {', '.join(missing)}: those orders are held",
                f"add {missing[0]} = \"<rate>\" under [posting] shop_rates, or "
                "exchange_rate = \"gp\"")
            return
    add("Shop currency", "info", f"{text}; orders in {', '.join(others)} post in that currency "
        f"({'the shop rates' if posting.exchange_rate == 'shop' else 'GP table rates'}); the "
        "GP side of `check` proves GP has each")
