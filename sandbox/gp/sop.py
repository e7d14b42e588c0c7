"""Sales Order Processing documents (invoices and returns): GP's checks, pricing and totals.

Amounts: extended price = quantity x (unit price - markdown per unit), to the cent; document
total = subtotal - trade discount + freight + miscellaneous + tax. With "Calculate Unit Price"
on for the caller's role, GP prices each line from its price list and recomputes the totals,
silently ignoring the caller's figures (the connector must notice on read-back); with it off,
the caller's figures must agree with GP's arithmetic or the document is refused (gp.md §21:
errors 722, 67, 235).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.gp import batches, currency, sop_amounts, sop_lines, sop_ship_to, sop_tax
from sandbox.gp.faults import econnect
from sandbox.gp.references import References
from sandbox.gp.rules import Call, Errors, amount, cents, key_id

KINDS = {"invoice": ("Invoice", "SalesInvoice", "STDINV", "taSopHdrIvcInsert"),
         "return": ("Return", "SalesReturn", "RTN", "taSopHdrIvcInsert")}


def merge_update(old_source: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """GP's update semantics: elements sent replace, nil/absent ones keep; lines merge by key."""
    # The caller's earlier totals were claims about the old content: GP recomputes them unless
    # the update states them again.
    merged = {k: v for k, v in old_source.items() if k not in ("TotalAmount", "LineTotalAmount")}
    for name, value in update.items():
        if name == "Lines" or value is None:
            continue
        merged[name] = value
    old_lines = list(((old_source.get("Lines") or {}).get("_lines")) or [])
    for line in ((update.get("Lines") or {}).get("_lines")) or []:
        seq = ((line or {}).get("Key") or {}).get("LineSequenceNumber")
        match = next((i for i, o in enumerate(old_lines)
                      if ((o.get("Key") or {}).get("LineSequenceNumber")) == seq), None)
        if seq is not None and match is not None:
            if line.get("DeleteOnUpdate"):
                old_lines.pop(match)
            else:
                changed = {k: v for k, v in line.items() if v is not None}
                kept = {k: v for k, v in old_lines[match].items()
                        if not (k == "TotalAmount" and {"Quantity", "UnitPrice"} & set(changed))}
                old_lines[match] = {**kept, **changed}
        elif line is not None and not line.get("DeleteOnUpdate"):
            old_lines.append(line)
    merged["Lines"] = {"_lines": old_lines}
    return merged


def lines_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    lines = doc.get("Lines") or {}
    if "_lines" in lines:
        return [x for x in lines["_lines"] if x is not None]
    return [x for x in next(iter(lines.values()), []) or [] if x is not None]


def normalise(doc: dict[str, Any]) -> dict[str, Any]:
    """Keep lines under one name whatever the document type, for merging and rebuilding."""
    return {**doc, "Lines": {"_lines": lines_of(doc)}}


def build(call: Call, kind: str, src: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Validate a SalesInvoice/SalesReturn (decoded) and turn it into the stand-in's record."""
    doc_type, object_type, default_doc_id, proc = KINDS[kind]
    errors = Errors(object_type)
    refs = References(call.store, errors)
    store = call.store
    number = (key_id(src.get("Key")) or "").rstrip(" ")  # a char key: trailing spaces vanish
    if not number:
        number = f"{default_doc_id}{store.next_number('sop-' + kind, 2001):06d}"
    errors.length(number, "sop_number", "Key.Id")
    type_key = src.get("DocumentTypeKey") or {}
    doc_id = key_id(type_key) or default_doc_id
    errors.length(doc_id, "doc_type_id", "DocumentTypeKey.Id")
    if type_key.get("Type") not in (None, doc_type):
        errors.add_item(econnect(67, proc, "Subtotal does not match the line item totals",
                                 ["DocumentTypeKey.Type"]))
    found_doc_id = store.find_reference("sop_doc_type", doc_id)
    if found_doc_id is None or found_doc_id[1].get("type") != doc_type:
        errors.add(f"The {doc_type.lower()} Document ID (DOCID) '{doc_id}' does not exist in "
                   "the Sales Document Setup - SOP40200", "DocumentTypeKey.Id")
    else:
        doc_id = found_doc_id[0]
    customer_id = key_id(src.get("CustomerKey"))
    customer = store.get("customers", customer_id) if customer_id else None
    errors.length(customer_id, "customer", "CustomerKey.Id")
    if not customer_id:
        errors.add("The customer number (CUSTNMBR) is empty.", "CustomerKey.Id")
    elif customer is None:
        # Stand-in wording after GP's RM message 221 (SOP's own text is unpublished, gp.md §21).
        errors.add(f"The Customer Number (CUSTNMBR) '{customer_id}' does not exist in the "
                   "Customer Master Table - RM00101", "CustomerKey.Id")
    elif not customer.get("active", True):
        errors.add(f"The customer '{customer_id}' is inactive.", "CustomerKey.Id")
    if customer is not None:
        customer_id = customer["id"]
    batch_key = src.get("BatchKey") or {}
    batch = key_id(batch_key)
    errors.length(batch, "batch", "BatchKey.Id")
    if not batch:
        errors.add("The batch number (BACHNUMB) is empty.", "BatchKey.Id")
    po = src.get("CustomerPONumber") or ""
    errors.length(po, "po", "CustomerPONumber")
    addresses = {}
    for prop in ("BillToAddressKey", "ShipToAddressKey"):
        aid = key_id(src.get(prop))
        errors.length(aid, "address_id", f"{prop}.Id")
        found_address = store.address(customer_id, aid) if aid and customer_id else None
        if aid and customer_id and found_address is None:
            errors.add(f"The address ID '{aid}' does not exist for customer '{customer_id}'.",
                       f"{prop}.Id")
        addresses[prop] = found_address["id"] if found_address else (aid or "")
    ship_to_id = addresses["ShipToAddressKey"] or (customer or {}).get("ship_to") or ""
    ship_to = sop_ship_to.ship_to(src, errors, customer, store.address(customer_id, ship_to_id)
                                  if customer_id and ship_to_id else None)
    doc_currency = currency.resolve(store, src, errors, proc, call.now)
    currency.check_decimals(src, doc_currency, errors)
    level = (key_id(src.get("PriceLevelKey")) or (customer or {}).get("price_level")
             or "RETAIL")
    level = refs.find("price_level", level, "PriceLevelKey.Id") or level
    header_site = key_id(src.get("WarehouseKey"))
    if header_site:
        header_site = refs.find("site", header_site, "WarehouseKey.Id") or header_site

    lines = [sop_lines.line(call, kind, ln, i, errors, refs, level, header_site, customer,
                            currency=doc_currency.iso)
             for i, ln in enumerate(lines_of(src))]
    subtotal = sum((ln["extended"] for ln in lines), Decimal(0))
    # Under "Calculate Total Amount" GP computes the totals itself and any sent figure is
    # replaced; under "Do Not Calculate" the sent figures must agree with GP's arithmetic.
    calc = call.calculates_total
    given_subtotal = amount(src.get("LineTotalAmount"))
    if not calc and given_subtotal is not None and cents(given_subtotal) != subtotal:
        errors.add_item(econnect(67, proc, "Subtotal does not match the line item totals",
                                 ["LineTotalAmount"]))
    trade = src.get("TradeDiscount") or {}
    trade_amount = amount(trade.get("Amount"))
    if trade_amount is None and amount(trade.get("Percent")) is not None:
        trade_amount = subtotal * amount(trade.get("Percent")) / 100  # type: ignore[operator]
    trade_amount = cents(trade_amount or Decimal(0))
    freight = cents(amount(src.get("FreightAmount")) or Decimal(0))
    misc = cents(amount(src.get("MiscellaneousAmount")) or Decimal(0))
    schedules = sop_tax.document_schedules(
        call, src, refs, proc, sop_amounts.schedule_for(call, customer_id or "",
                                                        addresses["ShipToAddressKey"],
                                                        customer or {}))
    taxed = (sop_tax.calculated(call, schedules, lines, trade_amount, freight, misc)
             if call.calculates_taxes
             else sop_tax.provided(call, src, lines_of(src), lines, errors, refs))
    taxes, tax = taxed["taxes"], taxed["tax"]
    total = subtotal - trade_amount + freight + misc + tax
    given_total = amount(src.get("TotalAmount"))
    if not calc and given_total is not None and cents(given_total) != total:
        errors.add_item(econnect(235, proc, "Document amount does not equal(Subtotal+Freight + "
                                 "Misc + TaxAmt + FreightTax + MiscTax - TradeDisc).",
                                 ["TotalAmount"]))
    payments = _payments(src, errors, refs)
    paid = cents(sum((p["amount"] or Decimal(0) for p in payments), Decimal(0)))
    if paid > total:
        errors.add(f"The payments ({paid}) exceed the document total ({total}).", "Payments")
    distributions = ([] if call.creates_distributions else
                     sop_amounts.provided_distributions(src, errors, refs, "taSopDistribution"))
    holds = [refs.find("process_hold", key_id((h.get("Key") or {}).get("SalesProcessHoldSetupKey"))
                       or "", f"ProcessHolds[{j}].Key.SalesProcessHoldSetupKey.Id")
             for j, h in enumerate(next(iter((src.get("ProcessHolds") or {}).values()), []) or [])
             if h and not h.get("DeleteOnUpdate")]
    if creating and store.document(kind, number) is not None:
        # 2221 is GP's number for it; the description is the stand-in's (gp.md §21).
        errors.add_item(econnect(2221, proc, "Duplicate document number: this SOP number "
                                 "(SOPNUMBE) already exists in SOP10100 or SOP30200",
                                 ["Key.Id"]))
    errors.raise_if_any()
    assert customer is not None and customer_id is not None and batch is not None
    source = normalise(src)
    # Remember GP's line numbers in the source so a later update can address each line.
    source["Lines"] = {"_lines": [{**ln, "Key": {**(ln.get("Key") or {}),
                                                 "LineSequenceNumber": built["seq"]}}
                                  for ln, built in zip(lines_of(source), lines, strict=True)]}
    record = {
        "kind": kind, "number": number, "doc_type_id": doc_id, "customer": customer_id,
        "customer_name": src.get("CustomerName") or customer.get("name", ""), "po": po,
        "batch": batch, "batch_source": batches.SOP_SOURCE,
        "date": src.get("Date") or call.now, "price_level": level,
        "site": header_site or "", "bill_to": addresses["BillToAddressKey"],
        "ship_to": addresses["ShipToAddressKey"], "ship_to_address": ship_to,
        "note": src.get("Note") or "",
        "comment": src.get("Comment") or "", "reference": src.get("Reference") or "",
        "lines": lines, "subtotal": subtotal, "trade_discount": trade_amount, "freight": freight,
        "misc": misc, "tax": tax, "total": total, "payment": paid, "payments": payments,
        "distributions": distributions, "taxes": taxes, **schedules,
        "freight_taxes": taxed["freight_taxes"], "misc_taxes": taxed["misc_taxes"],
        "freight_tax": taxed["freight_tax"], "misc_tax": taxed["misc_tax"],
        "holds": [h for h in holds if h], "state": "work", "voided": False,
        "created_by": call.user.principal, "source": source,
    }
    if call.creates_distributions:
        record["distributions"] = sop_amounts.automatic_distributions(call, record, customer)
    record.update(currency.record_fields(doc_currency, record))
    return record


def _payments(src: dict[str, Any], errors: Errors, refs: References) -> list[dict[str, Any]]:
    out = []
    for j, p in enumerate(next(iter((src.get("Payments") or {}).values()), []) or []):
        if not p:
            continue
        where = f"Payments[{j}]."
        card = key_id(p.get("PaymentCardTypeKey"))
        checkbook = key_id(p.get("BankAccountKey"))
        if str(p.get("Type") or "").startswith("Payment Card") and not card:
            errors.add("A payment card payment needs a Payment Card Type (CARDNAME).",
                       where + "PaymentCardTypeKey.Id")
        out.append({"type": p.get("Type"), "amount": amount(p.get("PaymentAmount")),
                    "card_type": refs.find("payment_card_type", card,
                                           where + "PaymentCardTypeKey.Id") or card or "",
                    "checkbook": refs.find("checkbook", checkbook, where + "BankAccountKey.Id")
                    or checkbook or "", "number": p.get("Number") or ""})
    return out
