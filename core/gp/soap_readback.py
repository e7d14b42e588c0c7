"""Read-backs by key: the document GP has just accepted, in one round trip, its few fields read
with lxml.

Existence is asked with `Get…List` (gp.md §8: an empty list is "absent", a `Get…ByKey` fault only
"unknown"). Right after GP answered a create without a fault, existence is not the question any
more — what GP holds is: so the read-back asks `Get…ByKey` alone, and the duplicate check before
the create keeps its list read. A fault or an empty answer here is "could not read back" (the
caller retries, and the retry reads the list first), never "absent".

zeep still builds and sends the request from the WSDL, and a fault still goes through zeep. The
answer, though, is a whole SalesInvoice (dozens of elements, every line's) of which the
verification uses a dozen: building zeep's objects for all of it was the largest single piece of
the connector's CPU per posted order (issue 16). So the fields used are taken with lxml, by
their names in GP's schema; a required one that is missing is an error, never a silent blank.
tests/contract/test_readback_fields.py proves these equal zeep's strict parse of the same
answers.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from lxml import etree

from core.errors import GPTransient, gp_unanswered
from core.gp.gateway import GPDistribution, GPDocument, GPLine, ShipToAddress
from core.gp.soap import SoapClient
from core.gp.soap_read import SOP_KINDS

_SALES = {"invoice": ("GetSalesInvoiceByKey", "SalesInvoiceLine"),
          "return": ("GetSalesReturnByKey", "SalesReturnLine")}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True,
                          remove_blank_text=True)
_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


class _Missing(Exception):
    pass


def _local(el: etree._Element) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el: etree._Element | None, *path: str) -> etree._Element | None:
    for name in path:
        if el is None:
            return None
        el = next((c for c in el if _local(c) == name), None)
    if el is not None and el.get(_NIL) == "true":
        return None
    return el


def _text(el: etree._Element | None, *path: str) -> str:
    found = _child(el, *path)
    return (found.text or "").strip() if found is not None else ""


def _amount(el: etree._Element | None, *path: str) -> Decimal:
    """A MoneyAmount / Quantity's Value (zero when the element is absent, as soap_read does)."""
    text = _text(el, *path, "Value")
    try:
        return Decimal(text) if text else Decimal("0")
    except InvalidOperation:
        raise _Missing(f"{'/'.join(path)} is not a number: {text!r}") from None


def _result(content: bytes, op: str) -> etree._Element | None:
    root = etree.fromstring(content, _PARSER)
    body = _child(root, "Body")
    answer = _child(body, f"{op}Response")
    if answer is None:
        raise _Missing(f"no {op}Response in GP's answer")
    return _child(answer, f"{op}Result")


def _by_key(client: SoapClient, op: str, what: str, number: str) -> etree._Element:
    content = client.call(op, write=False, what=what, raw=True, key={"Id": number})
    try:
        doc = _result(content, op)
    except (etree.XMLSyntaxError, _Missing) as exc:
        raise gp_unanswered(f"GP's answer to {op} for {what} is not readable ({exc})",
                            write=False) from None
    if doc is None:
        raise GPTransient(f"GP accepted {what} but returned nothing for it yet")
    return doc


def _state(doc: etree._Element) -> str:
    if _text(doc, "IsVoided").lower() in ("true", "1"):  # xs:boolean
        return "void"
    return _text(doc, "TransactionState").lower() or "work"


def _line(line: etree._Element) -> GPLine:
    qty = _amount(line, "Quantity")
    price = _amount(line, "UnitPrice")
    total = _child(line, "TotalAmount")
    return GPLine(item=_text(line, "ItemKey", "Id"), quantity=qty, unit_price=price,
                  extended_price=_amount(line, "TotalAmount") if total is not None
                  else qty * price,
                  description=_text(line, "ItemDescription"),
                  uofm=_text(line, "UofM") or "Each", site=_text(line, "WarehouseKey", "Id"),
                  discount=_amount(line, "Discount", "Amount"),
                  tax=_amount(line, "TaxAmount"),
                  sales_account=_text(line, "SalesGLAccountKey", "Id"))


def _distribution(d: etree._Element) -> GPDistribution:
    type_id = _text(d, "DistributionTypeKey", "Id")
    try:
        kind = SOP_KINDS.get(int(type_id), f"TYPE {type_id}") if type_id else "?"
    except ValueError:
        raise _Missing(f"distribution type {type_id!r} is not a number") from None
    return GPDistribution(kind, _text(d, "GLAccountKey", "Id"), _amount(d, "DebitAmount"),
                          _amount(d, "CreditAmount"))


def _ship_to(doc: etree._Element) -> ShipToAddress | None:
    a = _child(doc, "ShipToAddress")
    if a is None:
        return None
    found = ShipToAddress(name=_text(a, "Name"), contact=_text(a, "ContactPerson"),
                          line1=_text(a, "Line1"), line2=_text(a, "Line2"),
                          city=_text(a, "City"), state=_text(a, "State"),
                          postal_code=_text(a, "PostalCode"), country=_text(a, "CountryRegion"),
                          phone=_text(a, "Phone1", "Value"))
    return found if found != ShipToAddress() else None


def read_sales(client: SoapClient, number: str, kind: str) -> GPDocument:
    """A SOP invoice or return GP has just accepted, read by key (lines and totals)."""
    op, line_name = _SALES[kind]
    what = f"{kind} {number}"
    doc = _by_key(client, op, what, number)
    try:
        listed = _child(doc, "Lines")
        lines = tuple(_line(ln) for ln in (listed if listed is not None else ())
                      if _local(ln) == line_name)
        listed = _child(doc, "Distributions")
        distributions = tuple(_distribution(d) for d in (listed if listed is not None else ())
                              if _local(d) == "SalesDistribution")
        return GPDocument(number=_text(doc, "Key", "Id"), doc_type=kind,
                          customer_id=_text(doc, "CustomerKey", "Id"),
                          total=_amount(doc, "TotalAmount"), state=_state(doc),
                          batch=_text(doc, "BatchKey", "Id"),
                          po_number=_text(doc, "CustomerPONumber"), lines=lines,
                          tax=_amount(doc, "TaxAmount") if _child(doc, "TaxAmount") is not None
                          else None, distributions=distributions, ship_to=_ship_to(doc),
                          currency=_text(doc, "CurrencyKey", "ISOCode"))
    except _Missing as exc:
        raise gp_unanswered(f"GP's answer to {op} for {what} is not readable ({exc})",
                            write=False) from None


def read_credit_memo(client: SoapClient, number: str) -> GPDocument:
    """An RM credit memo GP has just accepted, read by key."""
    what = f"credit memo {number}"
    doc = _by_key(client, "GetReceivablesCreditMemoByKey", what, number)
    try:
        return GPDocument(number=_text(doc, "Key", "Id"), doc_type="credit_memo",
                          customer_id=_text(doc, "CustomerKey", "Id"),
                          total=_amount(doc, "DocumentAmount"), state=_state(doc),
                          batch=_text(doc, "BatchKey", "Id"),
                          po_number=_text(doc, "CustomerPONumber"),
                          currency=_text(doc, "CurrencyKey", "ISOCode"))
    except _Missing as exc:
        raise gp_unanswered(f"GP's answer to GetReceivablesCreditMemoByKey for {what} is not "
                            f"readable ({exc})", write=False) from None
