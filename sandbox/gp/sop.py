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

from sandbox.gp.faults import econnect
from sandbox.gp.rules import Call, Errors, amount, cents, key_id

KINDS = {"invoice": ("Invoice", "SalesInvoice", "STDINV", "taSopHdrIvcInsert"),
         "return": ("Return", "SalesReturn", "RTN", "taSopHdrIvcInsert")}
LINE_SEQ_STEP = 16384  # GP numbers SOP lines 16384, 32768, ...


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
    store = call.store
    number = key_id(src.get("Key"))
    if not number:
        number = f"{default_doc_id}{store.next_number('sop-' + kind, 2001):06d}"
    errors.length(number, "sop_number", "Key.Id")
    type_key = src.get("DocumentTypeKey") or {}
    doc_id = key_id(type_key) or default_doc_id
    errors.length(doc_id, "doc_type_id", "DocumentTypeKey.Id")
    if type_key.get("Type") not in (None, doc_type):
        errors.add_item(econnect(67, proc, "Subtotal does not match the line item totals",
                                 ["DocumentTypeKey.Type"]))
    doc_types = store.reference("sop_doc_type")
    if doc_types.get(doc_id, {}).get("type") != doc_type:
        errors.add(f"The {doc_type.lower()} document ID '{doc_id}' does not exist.",
                   "DocumentTypeKey.Id")
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
    batch_key = src.get("BatchKey") or {}
    batch = key_id(batch_key)
    errors.length(batch, "batch", "BatchKey.Id")
    if not batch:
        errors.add("The batch number (BACHNUMB) is empty.", "BatchKey.Id")
    po = src.get("CustomerPONumber") or ""
    errors.length(po, "po", "CustomerPONumber")
    for prop in ("BillToAddressKey", "ShipToAddressKey"):
        aid = key_id(src.get(prop))
        errors.length(aid, "address_id", f"{prop}.Id")
        if aid and customer_id and store.address(customer_id, aid) is None:
            errors.add(f"The address ID '{aid}' does not exist for customer '{customer_id}'.",
                       f"{prop}.Id")
    currency = key_id(src.get("CurrencyKey"), "ISOCode") or "USD"
    if currency != "USD":
        errors.add(f"The currency '{currency}' is not set up in this company.", "CurrencyKey")
    level = (key_id(src.get("PriceLevelKey")) or (customer or {}).get("price_level")
             or "RETAIL")
    if level not in store.reference("price_level"):
        errors.add(f"The price level '{level}' does not exist.", "PriceLevelKey.Id")
    header_site = key_id(src.get("WarehouseKey"))

    lines = []
    for i, line in enumerate(lines_of(src)):
        lines.append(_line(call, kind, line, i, errors, level, header_site))
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
    taxes = [t for t in next(iter((src.get("Taxes") or {}).values()), []) or [] if t]
    tax = amount(src.get("TaxAmount"))
    if tax is None and taxes:
        tax = sum((amount(t.get("TaxAmount")) or Decimal(0) for t in taxes), Decimal(0))
    if tax is None:
        tax = sum((ln["tax"] for ln in lines), Decimal(0))
    tax = cents(tax)
    total = subtotal - trade_amount + freight + misc + tax
    given_total = amount(src.get("TotalAmount"))
    if not calc and given_total is not None and cents(given_total) != total:
        errors.add_item(econnect(235, proc, "Document amount does not equal(Subtotal+Freight + "
                                 "Misc + TaxAmt + FreightTax + MiscTax - TradeDisc).",
                                 ["TotalAmount"]))
    payments = [p for p in next(iter((src.get("Payments") or {}).values()), []) or [] if p]
    paid = cents(sum((amount(p.get("PaymentAmount")) or Decimal(0) for p in payments), Decimal(0)))
    if paid > total:
        errors.add(f"The payments ({paid}) exceed the document total ({total}).", "Payments")
    distributions = [d for d in next(iter((src.get("Distributions") or {}).values()), []) or []
                     if d]
    accounts = store.reference("gl_account")
    for j, d in enumerate(distributions):
        account = key_id(d.get("GLAccountKey"))
        if account not in accounts:
            errors.add_item(econnect(716, "taSopDistribution", "Account does not exist for "
                                     "Account Number String (ACTNUMST) passed",
                                     [f"Distributions[{j}].GLAccountKey.Id"]))
    if creating and store.document(kind, number) is not None:
        # 2221 is GP's number for it; the description is the stand-in's (gp.md §21).
        errors.add_item(econnect(2221, proc, "Duplicate document number: this SOP number "
                                 "(SOPNUMBE) already exists in SOP10100 or SOP30200",
                                 ["Key.Id"]))
    errors.raise_if_any()
    holds = [key_id((h.get("Key") or {}).get("SalesProcessHoldSetupKey"))
             for h in next(iter((src.get("ProcessHolds") or {}).values()), []) or []
             if h and not h.get("DeleteOnUpdate")]
    assert customer is not None and customer_id is not None
    source = normalise(src)
    # Remember GP's line numbers in the source so a later update can address each line.
    source["Lines"] = {"_lines": [{**ln, "Key": {**(ln.get("Key") or {}),
                                                 "LineSequenceNumber": built["seq"]}}
                                  for ln, built in zip(lines_of(source), lines, strict=True)]}
    return {
        "kind": kind, "number": number, "doc_type_id": doc_id, "customer": customer_id,
        "customer_name": src.get("CustomerName") or customer.get("name", ""), "po": po,
        "batch": batch, "batch_source": batch_key.get("Source") or "Sales Entry",
        "date": src.get("Date") or call.now, "currency": currency, "price_level": level,
        "site": header_site or "", "bill_to": key_id(src.get("BillToAddressKey")) or "",
        "ship_to": key_id(src.get("ShipToAddressKey")) or "", "note": src.get("Note") or "",
        "comment": src.get("Comment") or "", "reference": src.get("Reference") or "",
        "lines": lines, "subtotal": subtotal, "trade_discount": trade_amount, "freight": freight,
        "misc": misc, "tax": tax, "total": total, "payment": paid,
        "payments": [{"type": p.get("Type"), "amount": amount(p.get("PaymentAmount")),
                      "checkbook": key_id(p.get("BankAccountKey")) or "",
                      "card_type": key_id(p.get("PaymentCardTypeKey")) or "",
                      "number": p.get("Number") or ""} for p in payments],
        "distributions": [{"type": (d.get("DistributionTypeKey") or {}).get("Id"),
                           "account": key_id(d.get("GLAccountKey")),
                           "debit": amount(d.get("DebitAmount")) or Decimal(0),
                           "credit": amount(d.get("CreditAmount")) or Decimal(0)}
                          for d in distributions],
        "taxes": [{"detail": key_id((t.get("Key") or {}).get("TaxDetailKey")) or "",
                   "amount": amount(t.get("TaxAmount")) or Decimal(0)} for t in taxes],
        "holds": [h for h in holds if h], "state": "work", "voided": False,
        "created_by": call.user.principal, "source": source,
    }


def _line(call: Call, kind: str, line: dict[str, Any], i: int, errors: Errors, level: str,
          header_site: str | None) -> dict[str, Any]:
    store = call.store
    where = f"Lines[{i}]."
    item_id = key_id(line.get("ItemKey")) or ""
    errors.length(item_id, "item", where + "ItemKey.Id")
    non_inventory = bool(line.get("IsNonInventory"))
    item = store.get("items", item_id) if item_id else None
    if not item_id:
        errors.add("The item number (ITEMNMBR) is empty.", where + "ItemKey.Id")
    elif item is None and not non_inventory:
        # Stand-in wording: taSopLineIvcInsert's text for a missing item is unpublished (§21).
        errors.add(f"The Item Number (ITEMNMBR) '{item_id}' does not exist in the Item Master "
                   "Table - IV00101", where + "ItemKey.Id")
    quantity = amount(line.get("Quantity"))
    if quantity is None or quantity <= 0:
        errors.add("The quantity must be greater than zero.", where + "Quantity")
        quantity = Decimal(0)
    uofm = line.get("UofM") or (item or {}).get("selling_uofm", "Each")
    errors.length(uofm, "uofm", where + "UofM")
    if item is not None and uofm.upper() != item.get("selling_uofm", "Each").upper():
        errors.add(f"The U of M '{uofm}' is not in the U of M schedule of item '{item_id}'.",
                   where + "UofM")
    site = key_id(line.get("WarehouseKey")) or header_site or (item or {}).get("default_site",
                                                                              "MAIN")
    errors.length(site, "site", where + "WarehouseKey.Id")
    if item is not None and site not in store.sites_of(item_id):
        errors.add(f"The item '{item_id}' is not assigned to site '{site}'.",
                   where + "WarehouseKey.Id")
    line_level = key_id(line.get("PriceLevelKey")) or level
    list_price = store.price(item_id, line_level, "USD", uofm) if item is not None else None
    given_price = amount(line.get("UnitPrice"))
    if call.calculates_unit_price or given_price is None:
        if list_price is None and item is not None:
            errors.add(f"No price is set up for item '{item_id}' in price level '{line_level}'.",
                       where + "UnitPrice")
        unit_price = list_price if list_price is not None else (given_price or Decimal(0))
    else:
        unit_price = given_price
    discount = line.get("Discount") or {}
    markdown = amount(discount.get("Amount"))
    if markdown is None and amount(discount.get("Percent")) is not None:
        markdown = unit_price * amount(discount.get("Percent")) / 100  # type: ignore[operator]
    markdown = markdown or Decimal(0)
    extended = cents(quantity * (unit_price - markdown))
    given_extended = amount(line.get("TotalAmount"))
    if (not call.calculates_unit_price and given_extended is not None
            and cents(given_extended) != extended):
        errors.add_item(econnect(722, "taSopLineIvcInsert",
                                 "Unit Price calculation does not match out to Extended price.",
                                 [where + "TotalAmount"]))
    returned = line.get("ReturnQuantity") or {}
    buckets = {name: amount(returned.get(name)) for name in
               ("OnHandQuantity", "ReturnedQuantity", "InUseQuantity", "InServiceQuantity",
                "DamagedQuantity") if amount(returned.get(name))}
    if kind == "return" and not buckets:
        buckets = {"OnHandQuantity": quantity}
    description = line.get("ItemDescription") or (item or {}).get("description", "")
    errors.length(description, "item_description", where + "ItemDescription")
    return {"seq": ((line.get("Key") or {}).get("LineSequenceNumber")
                    or LINE_SEQ_STEP * (i + 1)),
            "item": item_id, "description": description, "quantity": quantity, "uofm": uofm,
            "unit_price": unit_price, "markdown": markdown, "extended": extended,
            "tax": cents(amount(line.get("TaxAmount")) or Decimal(0)), "site": site,
            "non_inventory": non_inventory or item is None, "price_level": line_level,
            "sales_account": key_id(line.get("SalesGLAccountKey")) or "",
            "return_buckets": buckets}
