"""What the GP stand-in says about itself at GET /_sandbox/help and in SBA's /help: which facts it
models from GP's documentation (gp.md), which it infers (and so could be wrong on a real server),
and what is unknown and therefore not invented."""
from __future__ import annotations

from typing import Any

from sandbox.gp import currency
from sandbox.gp import policy as policies

INFERRED = [
    "Create Sales Invoice's behaviour list is taken to equal Create Sales Return's (GP publishes "
    "only the return's) (gp.md §3.4).",
    "GUIDs and option names of Create Taxes, Use Header Level Taxes and Customer Class "
    "Defaulting are the stand-in's own: GP does not publish them.",
    "Header tax different from the sum of its tax details is refused on SOP documents, as "
    "eConnect error 712 does for RM; the SOP error's number and text are unpublished.",
    "Header-level tax details are refused while Use Header Level Taxes is off.",
    "A line is accepted when round(extended / quantity, currency decimals, half up) equals the "
    "net unit price, from two documented cases (eConnect error 722).",
    "Keys compare case-insensitively by default (GP's usual SQL collation); binary sort order "
    "installs exist (POST /_sandbox/setup key_collation).",
    "The company's default quantity shortage option is Override Shortage (eConnect's default "
    "QtyShrtOpt 2); a customer's Backorder Remaining / Cancel Remaining default wins.",
    "Freight and miscellaneous amounts are not taxed (SOP setup default; no freight or misc "
    "schedule in this company); tax is computed per detail on the document's taxable total.",
    "Batch sources: Sales Entry (SOP), RM_Sales (RM), IV_Trxent (IV); adding to a batch that is "
    "being posted or in recovery is refused, to a marked batch allowed.",
    "Calculate Unit Price = Calculate with Calculate Total Amount = Do Not Calculate refuses a "
    "re-priced document with error 235 (the sent total no longer adds up).",
    "Payment card payments need a payment card type; checkbooks are checked (CM00100) but not "
    "listed: GP's legacy WSDL has no checkbook list operation.",
    "Latency per operation and a bounded number of service processes are a model: no public "
    "per-call figure exists for legacy Web Services (gp.md §20.3, §22).",
]
STAND_IN_WORDING = [
    "Texts for a missing payment card type, checkbook, process hold, tax detail, site, price "
    "level, U of M, document ID, batch in use or being posted, unbalanced distributions and "
    "quantity shortage are the stand-in's, in eConnect's '<field> (<column>) does not exist in "
    "<table>' manner; GP's are unpublished (gp.md §21). Published ones are GP's: 67, 221, 235, "
    "483, 716, 722, 2079 (document being edited), 7023.",
]
UNKNOWN = [
    "SBA: built-in Sales and Inventory route names, JSON bodies, error bodies, paging and query "
    "options, whether SOP invoices, returns or RM credit memos can be created over SBA "
    "(gp.md §20.2, §22). The stand-in's SBA routes and shapes are its own.",
    "Get…ByKey on a missing key: null or fault (the stand-in answers a system fault).",
    "The fault a user without Dynamics Security rights gets.",
    "What GP does with an incoming DecimalDigits.",
    "Real per-operation latency of legacy Web Services on a customer's server.",
]


def facts() -> dict[str, Any]:
    return {
        "policies": {op: {b.name: {"default": b.option_name(b.default), "internal": b.internal,
                                   "inferred": b.inferred} for b in bs}
                     for op, bs in policies.OPERATIONS.items()},
        "inferred": INFERRED + currency.INFERRED, "stand_in_wording": STAND_IN_WORDING,
        "unknown": UNKNOWN,
    }
