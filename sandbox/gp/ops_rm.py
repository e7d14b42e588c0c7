"""Receivables credit memos (money only) and inventory adjustments (stock moves on posting)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.gp import batches, currency
from sandbox.gp.faults import SystemFault, ValidationFault, ValidationItem, econnect
from sandbox.gp.operations import Operations
from sandbox.gp.references import References
from sandbox.gp.rules import Call, Errors, amount, cents, key_id, matches, money
from sandbox.gp.sop_amounts import posting_account, provided_distributions

OPERATIONS = Operations()  # merged by sandbox.gp.soap

_RM_STATE = {"work": "Work", "open": "Open", "history": "History", "void": "History"}


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


@OPERATIONS.handler("CreateReceivablesCreditMemo")
def create_credit_memo(call: Call, p: dict[str, Any]) -> None:
    src = p.get("receivablesCreditMemo") or {}
    errors = Errors("ReceivablesCreditMemo")
    store = call.store
    number = ((key_id(src.get("Key")) or "").rstrip(" ")  # a char key: trailing spaces vanish
              or f"CM{store.next_number('rm-credit-memo', 1001):08d}")
    errors.length(number, "rm_number", "Key.Id")
    customer_id = key_id(src.get("CustomerKey"))
    customer = store.get("customers", customer_id) if customer_id else None
    errors.length(customer_id, "customer", "CustomerKey.Id")
    if customer is None:
        errors.add_item(econnect(221, "taRMTransaction", "The Customer Number (CUSTNMBR) does "
                                 "not exist in the Customer Master Table - RM00101",
                                 ["CustomerKey.Id"]))
    batch = key_id(src.get("BatchKey"))
    errors.length(batch, "batch", "BatchKey.Id")
    if not batch:
        errors.add("The batch number (BACHNUMB) is empty.", "BatchKey.Id")
    errors.length(src.get("Description"), "rm_description", "Description")
    errors.length(src.get("CustomerPONumber"), "po", "CustomerPONumber")
    doc_currency = currency.resolve(store, src, errors, "taRMTransaction", call.now)
    currency.check_decimals(src, doc_currency, errors)
    sales = cents(amount(src.get("SalesAmount")) or Decimal(0))
    trade = cents(amount(src.get("TradeDiscountAmount")) or Decimal(0))
    freight = cents(amount(src.get("FreightAmount")) or Decimal(0))
    misc = cents(amount(src.get("MiscellaneousAmount")) or Decimal(0))
    tax = cents(amount(src.get("TaxAmount")) or Decimal(0))
    document = sales - trade + freight + misc + tax
    given = amount(src.get("DocumentAmount"))
    if given is not None and cents(given) != document:
        errors.add_item(econnect(621, "taRMTransaction", "Document Amount is incorrect - (DOCAMNT "
                                 "<> SLSAMNT - TRDISAMT + FRTAMNT + MISCAMNT + TAXAMNT)",
                                 ["DocumentAmount"]))
    if document <= 0:
        errors.add("The document amount must be greater than zero.", "SalesAmount")
    refs = References(store, errors)
    # "Create GL Account Distributions": GP's own from the posting accounts (default), or the
    # ones sent, which must exist and balance (sop_amounts).
    distributions = ([] if call.creates_distributions else
                     provided_distributions(src, errors, refs, "taRMDistribution"))
    if store.rm_key(number) is not None:
        errors.add_item(econnect(190, "taRMTransaction", "Document number (DOCNUMBR) already "
                                 "exists in either RM00401, RM10301, RM20101 or RM30101",
                                 ["Key.Id"]))
    errors.raise_if_any()
    assert customer is not None and customer_id is not None and batch is not None
    batch = batches.admit(store, call.state.locks, batches.RM_SOURCE, batch, call.now,
                          "ReceivablesCreditMemo")
    if call.creates_distributions:
        distributions = _memo_distributions(call, customer, sales, trade, freight, misc, tax)
    doc = {"kind": "credit_memo", "number": number, "customer": customer["id"],
           "customer_name": src.get("CustomerName") or customer.get("name", ""),
           "po": src.get("CustomerPONumber") or "", "batch": batch,
           "description": src.get("Description") or "", "date": src.get("Date") or call.now,
           "sales": sales, "trade_discount": trade, "freight": freight, "misc": misc, "tax": tax,
           "total": document, "state": "work", "voided": False,
           "address": key_id(src.get("AddressKey")) or "",
           "distributions": distributions,
           "created": call.now.isoformat(), "modified": call.now.isoformat()}
    doc.update(currency.record_fields(doc_currency, doc))
    store.put_document(doc, call.now)
    store.add_rm_key(number, "Credit Memo")


def _memo_distributions(call: Call, customer: dict[str, Any], sales: Decimal, trade: Decimal,
                        freight: Decimal, misc: Decimal, tax: Decimal) -> list[dict[str, Any]]:
    """GP's own RM distributions for a credit memo (RM types, gp.md §10.3: 3 receivables,
    9 sales, 10 trade, 11 freight, 12 misc, 13 taxes)."""
    def acct(name: str) -> str:
        return str(customer.get(f"{name}_account") or posting_account(call, name))
    rows = [(9, acct("sales"), sales, Decimal(0)), (10, acct("trade"), Decimal(0), trade),
            (11, acct("freight"), freight, Decimal(0)), (12, acct("misc"), misc, Decimal(0)),
            (13, posting_account(call, "tax") or "000-2300-00", tax, Decimal(0)),
            (3, acct("receivables"), Decimal(0), sales - trade + freight + misc + tax)]
    return [{"type": t, "account": a, "debit": d, "credit": c} for t, a, d, c in rows if d or c]


def _memo_to_gp(doc: dict[str, Any]) -> dict[str, Any]:
    return {"Key": {"Id": doc["number"]}, "Type": "Credit Memo", "Date": doc["date"],
            "DocumentAmount": money(_d(doc["total"])), "SalesAmount": money(_d(doc["sales"])),
            "Description": doc["description"] or None, "CustomerPONumber": doc["po"] or None,
            "TradeDiscountAmount": money(_d(doc["trade_discount"])),
            "FreightAmount": money(_d(doc["freight"])),
            "MiscellaneousAmount": money(_d(doc["misc"])), "TaxAmount": money(_d(doc["tax"])),
            "CustomerName": doc["customer_name"] or None,
            "TransactionState": _RM_STATE[doc["state"]], "PostedDate": doc.get("posted_date"),
            "IsDeleted": False, "IsVoided": bool(doc.get("voided")),
            "VoidDate": doc.get("void_date"), "ModifiedDate": doc["modified"],
            "BatchKey": {"Source": batches.RM_SOURCE, "Id": doc["batch"],
                         "CreatedDateTime": doc["created"]},
            "CustomerKey": {"Id": doc["customer"]},
            "AddressKey": ({"CustomerKey": {"Id": doc["customer"]}, "Id": doc["address"]}
                           if doc.get("address") else None),
            "CurrencyKey": {"ISOCode": doc.get("currency") or "USD"},
            "Distributions": ({"ReceivablesDistribution": [
                {"DistributionTypeKey": {"Id": d["type"] or 0},
                 "GLAccountKey": {"Id": d["account"], "IsEncrypted": False},
                 "DebitAmount": {"_type": "gp:MoneyAmount", **money(_d(d["debit"]))},
                 "CreditAmount": {"_type": "gp:MoneyAmount", **money(_d(d["credit"]))},
                 "Key": {"ReceivablesDocumentKey": {"Id": doc["number"]}, "SequenceNumber": i + 1}}
                for i, d in enumerate(doc["distributions"])]}
                if doc.get("distributions") else None)}


@OPERATIONS.handler("GetReceivablesCreditMemoByKey")
def get_credit_memo_by_key(call: Call, p: dict[str, Any]) -> Any:
    number = key_id(p.get("key")) or ""
    doc = call.store.document("credit_memo", number)
    if doc is None:
        raise SystemFault(f"The credit memo '{number}' was not found.")
    return currency.restate(_memo_to_gp(doc), doc, local=currency.wants_local(p),
                            functional=currency.functional_of(call.store))


@OPERATIONS.handler("GetReceivablesCreditMemoList")
def get_credit_memo_list(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    out = []
    for doc in call.store.documents("credit_memo"):
        date = datetime.fromisoformat(str(doc["date"]))
        if not (matches(crit.get("TransactionState"), _RM_STATE[doc["state"]])
                and matches(crit.get("DocumentId"), doc["number"])
                and matches(crit.get("Date"), date)
                and matches(crit.get("CustomerId"), doc["customer"])
                and matches(crit.get("BatchId"), doc["batch"])
                and matches(crit.get("ModifiedDate"), datetime.fromisoformat(doc["modified"]))):
            continue
        gp = currency.restate(_memo_to_gp(doc), doc, rate=False, local=currency.wants_local(p),
                              functional=currency.functional_of(call.store))
        out.append({k: gp[k] for k in ("Key", "CustomerKey", "CustomerPONumber", "CustomerName",
                                       "Date", "CurrencyKey", "BatchKey", "TradeDiscountAmount",
                                       "FreightAmount", "MiscellaneousAmount", "TaxAmount",
                                       "DocumentAmount", "ModifiedDate", "TransactionState")})
    return {"ReceivablesCreditMemoSummary": out[:1000]} if out else None


@OPERATIONS.handler("VoidReceivablesCreditMemo")
def void_credit_memo(call: Call, p: dict[str, Any]) -> None:
    number = key_id(p.get("key")) or ""
    doc = call.store.document("credit_memo", number)
    if doc is None or doc["state"] in ("history", "void"):
        why = "does not exist" if doc is None else "cannot be voided in its current state"
        raise ValidationFault([ValidationItem(f"The credit memo '{number}' {why}.", ["Key.Id"],
                                              "ReceivablesCreditMemo")])
    batches.document_in_use(call.state.locks, "credit_memo", doc["number"],
                            "ReceivablesCreditMemo", "taRMTransaction")
    doc.update(state="void", voided=True, void_date=call.now.isoformat(),
               modified=call.now.isoformat())
    call.store.put_document(doc, call.now)


@OPERATIONS.handler("CreateInventoryAdjustment")
def create_inventory_adjustment(call: Call, p: dict[str, Any]) -> None:
    src = p.get("inventoryAdjustment") or {}
    errors = Errors("InventoryAdjustment")
    store = call.store
    number = key_id(src.get("Key")) or f"IVADJ{store.next_number('iv-adjustment', 1):08d}"
    errors.length(number, "iv_number", "Key.Id")
    batch = key_id(src.get("BatchKey")) or ""
    errors.length(batch, "batch", "BatchKey.Id")
    if not batch:
        # eConnect's BACHNUMB is required for inventory transactions (gp.md §22 "Batches").
        errors.add("The batch number (BACHNUMB) is empty: inventory adjustments need a batch.",
                   "BatchKey.Id")
    refs = References(store, errors)
    lines = []
    for i, line in enumerate(next(iter((src.get("Lines") or {}).values()), []) or []):
        if line is None:
            continue
        where = f"Lines[{i}]."
        item = key_id(line.get("ItemKey")) or ""
        site = key_id(line.get("WarehouseKey")) or "MAIN"
        quantity = amount(line.get("Quantity"))
        errors.length(item, "item", where + "ItemKey.Id")
        site = refs.find("site", site, where + "WarehouseKey.Id") or site
        found = store.get("items", item)
        if found is not None:
            item = found["id"]
            if line.get("UofM"):
                refs.uofm(found, str(line["UofM"]), where + "UofM")
        if found is None:
            errors.add(f"The Item Number (ITEMNMBR) '{item}' does not exist in the Item Master "
                       "Table - IV00101", where + "ItemKey.Id")
        elif site not in store.sites_of(item):
            errors.add(f"The item '{item}' is not assigned to site '{site}'.",
                       where + "WarehouseKey.Id")
        if not quantity:
            errors.add("The adjustment quantity must not be zero.", where + "Quantity")
        lines.append({"item": item, "site": site, "quantity": quantity or Decimal(0),
                      "uofm": line.get("UofM") or "Each"})
    if not lines:
        errors.add("An inventory adjustment needs at least one line.", "Lines")
    if store.document("adjustment", number) is not None:
        errors.add(f"The document number '{number}' already exists.", "Key.Id")
    errors.raise_if_any()
    batch = batches.admit(store, call.state.locks, batches.IV_SOURCE, batch, call.now,
                          "InventoryAdjustment")
    store.put_document({"kind": "adjustment", "number": number, "customer": "", "po": "",
                        "batch": batch, "state": "work", "total": "0", "lines": lines,
                        "date": src.get("Date") or call.now, "created": call.now.isoformat(),
                        "modified": call.now.isoformat()}, call.now)
