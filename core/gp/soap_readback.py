"""Read-backs by key: the document GP has just accepted, in one round trip.

Existence is asked with `Get…List` (gp.md §8: an empty list is "absent", a `Get…ByKey` fault only
"unknown"). Right after GP answered a create without a fault, existence is not the question any
more — what GP holds is: so the read-back asks `Get…ByKey` alone, and the duplicate check before
the create keeps its list read. A fault or an empty answer here is "could not read back" (the
caller retries, and the retry reads the list first), never "absent".
"""
from __future__ import annotations

from typing import Any

from core.errors import GPTransient
from core.gp import soap_read as rd
from core.gp.gateway import GPDocument
from core.gp.soap import SoapClient

_SALES = {"invoice": ("GetSalesInvoiceByKey", "SalesInvoiceLine"),
          "return": ("GetSalesReturnByKey", "SalesReturnLine")}


def _by_key(client: SoapClient, op: str, what: str, number: str) -> Any:
    doc = client.call(op, write=False, what=what, key={"Id": number})
    if doc is None:
        raise GPTransient(f"GP accepted {what} but returned nothing for it yet")
    return doc


def read_sales(client: SoapClient, number: str, kind: str) -> GPDocument:
    """A SOP invoice or return GP has just accepted, read by key (lines and totals)."""
    op, line_name = _SALES[kind]
    doc = _by_key(client, op, f"{kind} {number}", number)
    return rd.sales_document(doc, None, kind, line_name)


def read_credit_memo(client: SoapClient, number: str) -> GPDocument:
    """An RM credit memo GP has just accepted, read by key."""
    doc = _by_key(client, "GetReceivablesCreditMemoByKey", f"credit memo {number}", number)
    return rd.credit_memo_document(doc, None)
