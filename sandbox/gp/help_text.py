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
    "Tax schedules: the document's is the header TaxScheduleKey sent, else the ship-to "
    "address's, else the customer's default address's, else SOP setup's; an item with no item "
    "tax schedule is taxed by every detail of the document's schedule; freight and misc are "
    "taxed (when their basis is Taxable; SOP setup's default Nontaxable) by the details common "
    "to the document's schedule and the freight or misc schedule.",
    "Tax is computed after the trade discount, taken off each line's taxable amount in "
    "proportion to its extended price.",
    "Tax is rounded once per detail on the document's taxable amount for it (freight and misc "
    "on their own); each line keeps its row per detail (SOP10105) with the rounding cent on the "
    "last taxed line, so line rows add up to the document's row. TaxAmount includes freight and "
    "misc tax; FreightTaxAmount and MiscellaneousTaxAmount are its parts.",
    "Taxes provided: line, freight and misc tax amounts must equal their details (SOP10105) and "
    "TaxAmount the sum of all, like RM's error 712; line details are refused while Use Header "
    "Level Taxes is on.",
    "Batch sources: Sales Entry (SOP), RM_Sales (RM), IV_Trxent (IV); adding to a batch that is "
    "being posted or in recovery is refused, to a marked batch allowed.",
    "Calculate Unit Price = Calculate with Calculate Total Amount = Do Not Calculate refuses a "
    "re-priced document with error 235 (the sent total no longer adds up).",
    "Payment card payments need a payment card type; checkbooks are checked (CM00100) but not "
    "listed: GP's legacy WSDL has no checkbook list operation.",
    "SBA route names, the item fields beyond ItemNumber/ItemDescription/ItemShortName/"
    "UOfMSchedule, the XML element names, the error body and the status refusing a body "
    "without Payload (400) or a batch post without GP-Custom-Action (405) (gp.md §22; each "
    "marked INFERRED in SBA's /help).",
    "A SOP document's ShipToAddress is stored as sent (fields left out blank); without one, the "
    "address named by ShipToAddressKey (else the customer's ship-to) is copied onto the document "
    "(eConnect's taSopHdrIvcInsert behaviour, assumed for Web Services). Over-long address fields "
    "are refused (gp.md §9 widths; GP's text is unpublished).",
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
    "SBA: built-in Sales and Inventory route names, bodies beyond the public example (Payload "
    "wrapper, XML unless .json, ItemNumber/ItemDescription/ItemShortName/UOfMSchedule), error "
    "bodies, paging and query options, whether SOP invoices, returns or RM credit memos can be "
    "created over SBA (gp.md §20.2, §22). SBA's /help marks each route and shape the stand-in "
    "INFERRED.",
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
