"""Multicurrency as GP sets it up (gp.md §5.2, §9, §21): currencies, exchange rate tables and
the company's functional currency, and what a document in another currency gets from them.

- Each currency has a Currency ID (CURNCYID, e.g. Z-EURO), an ISO code (what CurrencyKey.ISOCode
  carries over Web Services) and 0-5 decimals. A document whose currency the company does not
  have is refused with eConnect's error 483 ("The Currency ID does not exist in MC40200").
- A document in the functional currency has no exchange rate. One in another currency takes its
  rate from the currency's exchange table for the exchange date (the document date unless one is
  sent), searching back to the most recent earlier rate ("Previous Date", the table's search
  method); a supplied ExchangeRate is used instead. Without a rate the document is refused.
- The rate multiplies (functional = originating x rate, "Multiply", rounded half up at the
  functional currency's decimals); GP keeps both the originating and the functional amounts.
- Amounts are held at the document currency's decimals: one with more decimals is refused.

Inferred (GP publishes no text or rule for these; /_sandbox/help lists them): the wording of the
missing-rate and too-many-decimals refusals, "Previous Date" without a day limit as the seeded
tables' search method, and that a rate sent for a functional-currency document is ignored.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sandbox.gp.faults import econnect
from sandbox.gp.rules import Errors, amount, key_id

# The functional currency every profile has (a fresh install's only currency).
FUNCTIONAL = {"iso": "USD", "id": "Z-US$", "description": "US Dollars", "symbol": "$",
              "decimals": 2}
# What the README's GP set-up adds in "configured": two currencies with sales rate tables.
CONFIGURED_CURRENCIES = [
    {"iso": "EUR", "id": "Z-EURO", "description": "Euro", "symbol": "€", "decimals": 2,
     "rates": [("2024-01-01", "1.0850"), ("2025-01-01", "1.0350"), ("2026-01-01", "1.1700")]},
    {"iso": "GBP", "id": "Z-UK", "description": "Pound Sterling", "symbol": "£", "decimals": 2,
     "rates": [("2024-01-01", "1.2700"), ("2025-01-01", "1.2500"), ("2026-01-01", "1.3400")]},
]
INFERRED = [
    "Multicurrency: a non-functional document without ExchangeRate takes the currency's "
    "exchange table rate for its exchange date (else its document date), searching back to the "
    "latest earlier rate without a day limit ('Previous Date'); functional = originating x rate "
    "(Multiply) rounded half up at the functional currency's decimals.",
    "Multicurrency: the texts refusing a missing exchange rate, a non-positive rate and an amount "
    "with more decimals than the document currency allows are the stand-in's; a rate sent for a "
    "functional-currency document is ignored.",
    "Multicurrency: under Calculate Unit Price a line is priced from the item's price list in "
    "the document's currency; an item with none in that currency is refused (the stand-in "
    "keeps no currency conversion of functional prices).",
    "Multicurrency: GetCurrencyList lists the currencies the company has access to (MC60100); "
    "a read with Context.CurrencyType 'Local' answers each amount converted at the document's "
    "rate and rounded at the functional currency's decimals, field by field.",
]
DECIMAL_NAMES = ("Zero", "One", "Two", "Three", "Four", "Five")
# Money elements of SOP and RM documents (the ones a caller sends).
MONEY_FIELDS = {"UnitPrice", "TotalAmount", "FreightAmount", "MiscellaneousAmount", "TaxAmount",
                "LineTotalAmount", "PaymentAmount", "SalesAmount", "DocumentAmount",
                "TradeDiscountAmount", "DebitAmount", "CreditAmount", "TaxableAmount", "Amount"}


@dataclass(frozen=True)
class DocCurrency:
    """The currency a document was entered in, and its rate to the functional currency."""

    iso: str
    decimals: int
    functional_decimals: int
    rate: Decimal | None  # None: the document is in the functional currency
    exchange_date: datetime | None

    def round(self, value: Decimal) -> Decimal:
        return value.quantize(Decimal(1).scaleb(-self.decimals), rounding=ROUND_HALF_UP)

    def functional(self, value: Decimal) -> Decimal:
        v = value if self.rate is None else value * self.rate
        return v.quantize(Decimal(1).scaleb(-self.functional_decimals), rounding=ROUND_HALF_UP)


# ---- set-up ----------------------------------------------------------------------

def put_currency(store: Any, row: dict[str, Any]) -> None:
    data = {k: row[k] for k in ("id", "description", "symbol", "decimals")}
    store.put_reference("currency", row["iso"], data)
    if row.get("rates") is not None:
        found = store.find_reference("exchange_table", row["iso"])
        rates = dict((found[1] if found else {}).get("rates") or [])
        rates.update({d: str(Decimal(r)) for d, r in row["rates"]})
        store.put_reference("exchange_table", row["iso"], {
            "id": f"{row['id']}-SELL"[:15], "search": "Previous Date", "method": "Multiply",
            "rates": sorted(rates.items())})


def seed(store: Any) -> None:
    """Every company: its functional currency (Multicurrency Setup)."""
    if store.find_reference("setup", "multicurrency") is None:
        put_currency(store, FUNCTIONAL)
        store.put_reference("setup", "multicurrency", {"functional": FUNCTIONAL["iso"]})


def configure(store: Any) -> None:
    """The configured profile: EUR and GBP with their sales exchange tables (idempotent)."""
    seed(store)
    for row in CONFIGURED_CURRENCIES:
        put_currency(store, row)


def functional_iso(store: Any) -> str:
    found = store.find_reference("setup", "multicurrency")
    return str((found[1] if found else {}).get("functional") or FUNCTIONAL["iso"])


def currencies(store: Any) -> list[tuple[str, dict[str, Any]]]:
    return sorted(store.reference("currency").items())


def rate_on(store: Any, iso: str, when: date) -> Decimal | None:
    """The exchange table's rate for `when`: the latest rate dated on or before it."""
    found = store.find_reference("exchange_table", iso)
    best = None
    for day, rate in (found[1] if found else {}).get("rates") or []:
        if date.fromisoformat(day) <= when:
            best = Decimal(rate)
    return best


# ---- documents ----------------------------------------------------------------------

def _as_datetime(value: Any, default: datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value)
    return default


def resolve(store: Any, src: dict[str, Any], errors: Errors, proc: str,
            now: datetime) -> DocCurrency:
    """The document's currency and rate, or errors (483 for a currency the company lacks)."""
    functional = functional_iso(store)
    found_functional = store.find_reference("currency", functional)
    fdec = int(found_functional[1]["decimals"]) if found_functional else 2
    iso = key_id(src.get("CurrencyKey"), "ISOCode") or functional
    found = store.find_reference("currency", iso)
    if found is None:
        errors.add_item(econnect(483, proc, "The Currency ID does not exist in MC40200",
                                 ["CurrencyKey.ISOCode"]))
        return DocCurrency(iso, fdec, fdec, None, None)
    iso, row = found
    decimals = int(row["decimals"])
    if iso == functional:
        return DocCurrency(iso, decimals, fdec, None, None)
    when = _as_datetime(src.get("ExchangeDate"), _as_datetime(src.get("Date"), now))
    sent = src.get("ExchangeRate")
    rate: Decimal | None
    if sent is not None:
        try:
            rate = Decimal(str(sent))
        except InvalidOperation:
            rate = None
        if rate is None or not rate.is_finite() or rate <= 0:
            errors.add(f"The exchange rate {sent} is not valid: it must be greater than zero.",
                       "ExchangeRate")
            rate = None
    else:
        rate = rate_on(store, iso, when.date())
        if rate is None:
            errors.add(f"An exchange rate for currency {iso} on {when.date().isoformat()} does "
                       f"not exist in the exchange table (MC00100).", "ExchangeDate")
    return DocCurrency(iso, decimals, fdec, rate, when)


def check_decimals(src: Any, cur: DocCurrency, errors: Errors, path: str = "") -> None:
    """Refuse money sent with more decimals than the document currency has."""
    if isinstance(src, list):
        for i, item in enumerate(src):
            check_decimals(item, cur, errors, f"{path}[{i}]")
        return
    if not isinstance(src, dict):
        return
    for name, value in src.items():
        where = f"{path}.{name}" if path else name
        if name in MONEY_FIELDS and isinstance(value, dict) and "Value" in value:
            v = amount(value)
            if v is not None and v != cur.round(v):
                errors.add(f"The amount {v} of {where} has more decimal places than currency "
                           f"{cur.iso} allows ({cur.decimals}).", where)
        elif isinstance(value, (dict, list)):
            check_decimals(value, cur, errors, where)


FUNCTIONAL_AMOUNTS = ("subtotal", "trade_discount", "freight", "misc", "tax", "total", "payment",
                      "sales")


LINE_AMOUNTS = ("unit_price", "extended", "markdown", "tax")


def record_fields(cur: DocCurrency, record: dict[str, Any]) -> dict[str, Any]:
    """The amounts at the currency's decimals (the ones sent already are: check_decimals), and
    what GP keeps beside them: currency, rate, date, functional amounts."""
    for k in FUNCTIONAL_AMOUNTS:
        if record.get(k) is not None:
            record[k] = cur.round(Decimal(str(record[k])))
    for ln in record.get("lines") or []:
        for k in LINE_AMOUNTS:
            if ln.get(k) is not None:
                ln[k] = cur.round(Decimal(str(ln[k])))
    return {"currency": cur.iso, "currency_decimals": cur.decimals,
            "exchange_rate": None if cur.rate is None else str(cur.rate),
            "exchange_date": cur.exchange_date,
            "functional": {k: str(cur.functional(Decimal(str(record[k]))))
                           for k in FUNCTIONAL_AMOUNTS if record.get(k) is not None}}


def wants_local(params: dict[str, Any]) -> bool:
    """Context.CurrencyType = Local: the caller asks for functional-currency amounts."""
    return ((params.get("context") or {}).get("CurrencyType") or "") == "Local"


def restate(obj: Any, doc: dict[str, Any], *, rate: bool = True, local: bool = False,
            functional: tuple[str, int] = ("USD", 2)) -> Any:
    """Every MoneyAmount of a document read, in the document's currency at its decimals (or,
    with `local`, converted to the functional currency `(iso, decimals)` at the document's
    rate, field by field), and the document's ExchangeRate / ExchangeDate."""
    iso = doc.get("currency") or FUNCTIONAL["iso"]
    decimals = int(doc.get("currency_decimals", 2))
    sent = doc.get("exchange_rate")
    factor = Decimal(sent) if (local and sent) else None
    if local:
        iso, decimals = functional

    def walk(x: Any) -> Any:
        if isinstance(x, list):
            return [walk(i) for i in x]
        if not isinstance(x, dict):
            return x
        if "Currency" in x and "DecimalDigits" in x and x.get("Value") is not None:
            value = Decimal(str(x["Value"])) * (factor if factor is not None else 1)
            value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
            return {**x, "Currency": iso, "Value": value, "DecimalDigits": decimals}
        return {k: walk(v) for k, v in x.items()}

    out = walk(obj)
    if rate and isinstance(out, dict):
        out["ExchangeRate"] = Decimal(sent) if sent else None
        out["ExchangeDate"] = doc.get("exchange_date") if sent else None
    return out


def functional_of(store: Any) -> tuple[str, int]:
    iso = functional_iso(store)
    found = store.find_reference("currency", iso)
    return iso, int(found[1]["decimals"]) if found else 2


def snapshot_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """The control plane's view of a document's currency (GET /_sandbox/state)."""
    return {"currency": doc.get("currency") or FUNCTIONAL["iso"],
            "exchange_rate": doc.get("exchange_rate"),
            "exchange_date": str(doc["exchange_date"]) if doc.get("exchange_date") else None,
            "functional": dict(doc.get("functional") or {})}


def to_gp(iso: str, row: dict[str, Any]) -> dict[str, Any]:
    """A Currency object as GetCurrencyList / GetCurrencyByKey return it."""
    return {"Key": {"ISOCode": iso}, "Description": row.get("description"), "Index": None,
            "Id": row.get("id"), "Symbol": row.get("symbol"), "SymbolLocation": "Before Amount",
            "IncludeSpace": False, "NegativeSymbol": "Negative Sign",
            "NegativeSymbolLocation": "Before Amount",
            "NegativeSymbolCurrencySymbolLocation": "Before Currency Symbol",
            "DecimalSymbol": "Period", "DecimalPlaces": DECIMAL_NAMES[int(row["decimals"])],
            "ThousandsSymbol": "Comma", "LastModifiedDate": None}
