"""The company the stand-in starts with: Fabrikam, Inc., its items (from sandbox/catalog.py),
a few GP-only customers, price levels, sites, SOP document IDs, checkbooks and GL accounts.

Seeded rows are dated 2024-01-01 and leave no change records, so a connector's first
"changed since" poll sees only what happened after start-up.
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sandbox import catalog
from sandbox.gp import currency
from sandbox.gp.store import Store

SEEDED_AT = datetime(2024, 1, 1, tzinfo=UTC)
SITES = {"MAIN": "Main warehouse", "WEST": "West coast warehouse"}
PRICE_LEVELS = {"RETAIL": "Retail price list", "WHOLESALE": "Wholesale (80% of retail)"}
CUSTOMER_CLASSES = {"RETAIL": "Retail customers", "WEB": "Web shop customers",
                    "WHOLESALE": "Wholesale accounts"}
SOP_DOC_TYPES = {"STDINV": "Invoice", "WEBINV": "Invoice", "RTN": "Return", "WEBRTN": "Return"}
# The company's own bank account; the connector's checkbooks come with the configured profile.
CHECKBOOKS = {"FIRST BANK": "000-1110-00"}
# Items the accountant keyed in GP that no WooCommerce product carries as a SKU: the shop's
# SKU-less "Gift Wrapping" product is mapped to GIFT-WRAP from the console.
GP_ONLY_ITEMS: list[dict[str, object]] = [
    {"item_number": "GIFT-WRAP", "description": "Gift wrapping (service)", "price": "5.00",
     "quantity_on_hand": 9999, "site": "MAIN", "class_id": "SERVICE"},
]
GL_ACCOUNTS = {
    "000-1100-00": "Cash", "000-1110-00": "Cash - Operating Account",
    "000-1200-00": "Accounts Receivable", "000-1300-00": "Inventory",
    "000-2300-00": "Sales Tax Payable", "000-4100-00": "Sales",
    "000-4110-00": "Sales Discounts", "000-4200-00": "Sales Returns",
    "000-4510-00": "Freight Income", "000-4520-00": "Miscellaneous Income",
    "000-5100-00": "Cost of Goods Sold",
}
# Posting Accounts Setup: where GP's own distributions go when it builds them.
POSTING_ACCOUNTS = {"receivables": "000-1200-00", "sales": "000-4100-00",
                    "freight": "000-4510-00", "misc": "000-4520-00", "trade": "000-4110-00",
                    "returns": "000-4200-00", "cash": "000-1110-00", "cogs": "000-5100-00",
                    "inventory": "000-1300-00"}
# Sales tax as the company keys it in GP: details (rate, account, rounding) grouped in schedules.
TAX_DETAILS = {
    "USASTE-PS6N0": {"description": "US state sales tax 6%", "percent": "6",
                     "account": "000-2300-00", "rounding": "To the Nearest Currency Decimal Digit"},
    "USACITY-1": {"description": "City sales tax 1%", "percent": "1",
                  "account": "000-2300-00", "rounding": "To the Nearest Currency Decimal Digit"},
}
TAX_SCHEDULES = {"USASTCITY-6*": {"description": "State and city sales tax",
                                  "details": ["USASTE-PS6N0", "USACITY-1"]},
                 "USASTE-6": {"description": "State sales tax only", "details": ["USASTE-PS6N0"]}}
UOFM_SCHEDULES = {"EACH": {"description": "Each", "base": "Each", "units": ["Each"]}}
# GP-only customers: accounts the accountant keyed in GP, never seen by WooCommerce.
GP_CUSTOMERS = [
    ("AARONFIT0001", "Aaron Fitz Electrical", "WHOLESALE", "WHOLESALE",
     ("One Microsoft Way", "Redmond", "WA", "98052", "425-555-0101")),
    ("ADAMPARK0001", "Adam Park Resort", "RETAIL", "RETAIL",
     ("Suite 9876", "Chicago", "IL", "60603", "312-555-0102")),
    ("WEBGUEST", "Web Shop Guest Sales", "WEB", "RETAIL",
     ("1 Commerce Plaza", "Portland", "OR", "97205", "503-555-0103")),
]


def seed(store: Store) -> None:
    """Fill an empty store; a store that already holds items is left alone (restarts keep state)."""
    if store.query("SELECT 1 FROM items LIMIT 1"):
        return
    with store.transaction():  # one commit, not hundreds
        _seed(store)


def _seed(store: Store) -> None:
    at = SEEDED_AT
    currency.seed(store)
    for kind, table in (("site", SITES), ("price_level", PRICE_LEVELS),
                        ("customer_class", CUSTOMER_CLASSES)):
        for key, description in table.items():
            store.put_reference(kind, key, {"description": description,
                                            "created": at.isoformat()})
    for key, doc_type in SOP_DOC_TYPES.items():
        store.put_reference("sop_doc_type", key, {"type": doc_type})
    for key, account in CHECKBOOKS.items():
        store.put_reference("checkbook", key, {"account": account})
    for account, description in GL_ACCOUNTS.items():
        store.put_reference("gl_account", account, {"description": description, "active": True})
    for key, data in (("posting_accounts", POSTING_ACCOUNTS),):
        store.put_reference("setup", key, data)
    for detail, data in TAX_DETAILS.items():
        store.put_reference("tax_detail", detail, data)
    for schedule, details in TAX_SCHEDULES.items():
        store.put_reference("tax_schedule", schedule, details)
    for schedule, units in UOFM_SCHEDULES.items():
        store.put_reference("uofm_schedule", schedule, units)
    for item in [*catalog.gp_items(), *GP_ONLY_ITEMS]:
        number = item["item_number"]
        store.put("items", number, {
            "id": number, "description": item["description"], "short_description": "",
            "generic_description": "", "class_id": item.get("class_id", ""), "type": "Sales Item",
            "uofm_schedule": "EACH", "selling_uofm": "Each",
            "default_site": item.get("site", "MAIN"),
            "default_price_level": "RETAIL", "standard_cost": "0", "current_cost": "0",
            "discontinued": False, "allow_backorder": True,
            "created": at.isoformat(), "modified": at.isoformat()}, at)
        store.move_stock(number, item.get("site", "MAIN"),
                         on_hand=Decimal(item["quantity_on_hand"]))
        store.move_stock(number, "WEST")  # assigned to the second site, nothing on hand
        price = Decimal(item["price"])
        store.set_price(number, "RETAIL", "USD", "Each", price, at)
        store.set_price(number, "WHOLESALE", "USD", "Each", (price * Decimal("0.8"))
                        .quantize(Decimal("0.01")), at)
    for cid, name, class_id, level, (line1, city, state, postal, phone) in GP_CUSTOMERS:
        store.put("customers", cid, {
            "id": cid, "name": name, "class_id": class_id, "price_level": level, "active": True,
            "on_hold": False, "balance_type": "Open Item", "currency": "USD",
            "default_address": "PRIMARY", "bill_to": "PRIMARY", "ship_to": "PRIMARY",
            "statement_to": "PRIMARY", "created": at.isoformat(), "modified": at.isoformat()}, at)
        store.put_address(cid, "PRIMARY", {
            "customer": cid, "id": "PRIMARY", "name": name, "contact": "", "line1": line1,
            "line2": "", "line3": "", "city": city, "state": state, "postal": postal,
            "country": "USA", "phone1": phone, "email": "", "site": "MAIN",
            "tax_schedule": "USASTCITY-6*",
            "created": at.isoformat(), "modified": at.isoformat()}, at)
