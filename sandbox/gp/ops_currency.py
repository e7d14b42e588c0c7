"""Currencies over Web Services (GetCurrencyList, GetCurrencyByKey) and the administrator's
Multicurrency set-up on the control plane:

    GET  /_sandbox/currencies   the functional currency, every currency with its exchange table
    POST /_sandbox/currencies   {"iso": "JPY", "id"?: "Z-JPY", "decimals"?: 0, "symbol"?: "¥",
                                 "description"?: ..., "rates"?: [["2026-01-01", "0.0067"], ...]}
                                 adds a currency (or rates to one) as GP's Currency Setup and
                                 Exchange Table Setup windows would
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.gp import currency
from sandbox.gp.faults import SystemFault
from sandbox.gp.operations import Operations
from sandbox.gp.rules import Call, key_id, matches

OPERATIONS = Operations()  # merged by sandbox.gp.soap
Response = tuple[int, dict[str, Any]]


@OPERATIONS.handler("GetCurrencyList")
def get_currency_list(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    rows = [currency.to_gp(iso, row) for iso, row in currency.currencies(call.store)
            if matches(crit.get("ISOCode"), iso) and matches(crit.get("Id"), row.get("id"))
            and matches(crit.get("Description"), row.get("description"))]
    return {"Currency": rows} if rows else None


@OPERATIONS.handler("GetCurrencyByKey")
def get_currency_by_key(call: Call, p: dict[str, Any]) -> Any:
    iso = key_id(p.get("key"), "ISOCode")
    found = call.store.find_reference("currency", iso)
    if found is None:
        raise SystemFault(f"The currency '{iso}' was not found.")
    return currency.to_gp(*found)


def listing(store: Any) -> dict[str, Any]:
    tables = store.reference("exchange_table")
    return {"functional": currency.functional_iso(store),
            "currencies": [{"iso": iso, **row, "exchange_table": tables.get(iso)}
                           for iso, row in currency.currencies(store)]}


def control(store: Any, method: str, data: dict[str, Any]) -> Response:
    if method == "GET":
        return 200, listing(store)
    iso = str(data.get("iso") or "").upper()
    if not (len(iso) == 3 and iso.isalpha()):
        return 400, {"error": "iso must be a three-letter ISO 4217 code"}
    found = store.find_reference("currency", iso)
    old = found[1] if found else {}
    decimals = data.get("decimals", old.get("decimals", 2))
    if not isinstance(decimals, int) or not 0 <= decimals <= 5:
        return 400, {"error": "decimals must be 0-5 (GP's CurrencyDecimalPlaces)"}
    rates = data.get("rates") or []
    try:
        checked = [(date.fromisoformat(str(d)).isoformat(), str(Decimal(str(r))))
                   for d, r in rates]
    except (ValueError, TypeError, InvalidOperation):
        return 400, {"error": "rates must be [[\"YYYY-MM-DD\", \"rate\"], ...]"}
    if any(Decimal(r) <= 0 for _, r in checked):
        return 400, {"error": "a rate must be greater than zero"}
    currency.put_currency(store, {
        "iso": iso, "id": str(data.get("id") or old.get("id") or f"Z-{iso}")[:15],
        "description": str(data.get("description") or old.get("description") or iso),
        "symbol": str(data.get("symbol") or old.get("symbol") or iso), "decimals": decimals,
        "rates": checked})
    return 200, listing(store)
