"""Two GP companies: as a fresh install leaves it, and as the README's GP set-up configures it.

"fresh": GP's defaults everywhere (policies re-price lines, build distributions, calculate
taxes and totals), the company's own chart of accounts, checkbook, sites, price levels and sales
tax, but nothing made for the connector.

"configured": what README.md "Setting up GP for the connector" tells a GP administrator to do,
and nothing more: a Dynamics Security role "ML Connector" holding the service account, with a
policy instance per document operation (GP keeps WooCommerce's prices, totals, distributions and
tax details and checks them instead of replacing them); payment card types and checkbooks for the
shop's gateways; a process hold for orders on hold in the shop; the web shop's accounts.
The suite and the demo run against "configured", as a customer's GP looks after set-up.
"""
from __future__ import annotations

from typing import Any

from sandbox.gp import currency
from sandbox.gp import policy as policies
from sandbox.gp.store import Store

FRESH, CONFIGURED = "fresh", "configured"
PROFILES = (FRESH, CONFIGURED)
CONNECTOR_ROLE = "ML Connector"
FRESH_ROLE = "admin"  # a fresh install: the service account sits in a general role

# Options the administrator selects in the connector role's policy instances (README set-up).
_DOCUMENT_OPTIONS = {
    policies.CALCULATE_UNIT_PRICE.guid: 0,    # Do Not Calculate: WooCommerce's price stands
    policies.CALCULATE_TOTAL_AMOUNT.guid: 0,  # Do Not Calculate: GP checks the sent total
    policies.CREATE_DISTRIBUTIONS.guid: 0,    # Distributions Will Be Provided
    policies.CREATE_TAXES.guid: 0,            # Taxes Will Be Provided (WooCommerce's tax)
    policies.HEADER_LEVEL_TAXES.guid: 1,      # Use Header Level Taxes
}
CONNECTOR_POLICIES: dict[str, dict[str, int]] = {
    op: {g: o for g, o in _DOCUMENT_OPTIONS.items()
         if any(b.guid == g for b in policies.OPERATIONS[op])}
    for op in ("CreateSalesInvoice", "UpdateSalesInvoice", "CreateSalesReturn",
               "UpdateSalesReturn", "CreateReceivablesCreditMemo")}

# The sales tax rates the web shop collects (state, percent): shipping is taxed with the goods.
SHOP_TAX_RATES = (("NY", "8.875"), ("CA", "7.25"), ("TX", "6.25"), ("WA", "6.5"))
# Setup rows the administrator creates for the connector (README set-up), by kind.
CONNECTOR_SETUP: dict[str, dict[str, dict[str, Any]]] = {
    "gl_account": {
        "000-1130-00": {"description": "PayPal Clearing", "active": True},
        "000-1140-00": {"description": "Card Processor Clearing", "active": True},
        "000-7900-00": {"description": "Rounding Differences", "active": True},
    },
    "checkbook": {"CARDS": {"account": "000-1140-00", "description": "Card processor"},
                  "PAYPAL": {"account": "000-1130-00", "description": "PayPal"}},
    "payment_card_type": {
        "STRIPE": {"checkbook": "CARDS", "account": "000-1140-00", "type": "Bank Card"},
        "PAYPAL": {"checkbook": "PAYPAL", "account": "000-1130-00", "type": "Bank Card"}},
    "process_hold": {"WCHOLD": {"description": "On hold in the web shop", "post": True,
                                "transfer": True, "fulfill": False, "print": False}},
    # One tax detail per sales tax rate the shop collects, on the sales tax account.
    "tax_detail": {f"WEB-{state}": {"description": f"{state} sales tax (web shop)",
                                    "percent": percent, "account": "000-2300-00",
                                    "rounding": "To the Nearest Currency Decimal Digit"}
                   for state, percent in SHOP_TAX_RATES},
    # A tax schedule per state the shop collects tax in (the ship-to's schedule, sent on the
    # document as TaxScheduleKey under tax_mode "gp"), and one for freight holding every detail
    # that also taxes shipping: GP taxes freight by the details common to both (gp.md §12).
    "tax_schedule": {**{f"WEB-{state}": {"description": f"{state} ship-to (web shop)",
                                         "details": [f"WEB-{state}"]}
                        for state, _ in SHOP_TAX_RATES},
                     "WEB-FREIGHT": {"description": "Freight taxed where shipping is taxable",
                                     "details": [f"WEB-{state}" for state, _ in SHOP_TAX_RATES]}},
}
# Sales Order Processing Setup » Tax: freight is taxable, by the freight schedule above.
CONNECTOR_SOP_SETUP = {"freight_tax_basis": "Taxable", "freight_tax_schedule": "WEB-FREIGHT"}


def role_of_service_account(profile: str) -> str:
    return CONNECTOR_ROLE if profile == CONFIGURED else FRESH_ROLE


def apply(profile: str, store: Store, pols: policies.Policies, company: int) -> None:
    """Configure the company as `profile` says (idempotent: a restart re-applies it)."""
    if profile not in PROFILES:
        raise ValueError(f"GP profile must be one of {PROFILES}, not {profile!r}")
    if profile != CONFIGURED:
        return
    for operation, options in CONNECTOR_POLICIES.items():
        for guid, option in options.items():
            pols.set(company, operation, CONNECTOR_ROLE, guid, option)
    with store.transaction():
        for kind, rows in CONNECTOR_SETUP.items():
            for key, data in rows.items():
                store.put_reference(kind, key, data)
        current = store.find_reference("setup", "sop")
        store.put_reference("setup", "sop", {**(current[1] if current else {}),
                                             **CONNECTOR_SOP_SETUP})
        currency.configure(store)
