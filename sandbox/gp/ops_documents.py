"""SOP invoices and returns over Web Services: create, read, list, update, void, delete."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.gp import batches, currency, sop, sop_ship_to
from sandbox.gp.faults import SystemFault, ValidationFault, ValidationItem
from sandbox.gp.operations import Operations
from sandbox.gp.posting import allocate
from sandbox.gp.rules import Call, key_id, matches, money, qty

OPERATIONS = Operations()  # merged by sandbox.gp.soap

_GP_STATE = {"work": "Work", "history": "History", "void": "History"}


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _tax_row(t: dict[str, Any], key: dict[str, Any]) -> dict[str, Any]:
    return {"TaxAmount": money(_d(t["amount"])),
            "TaxableAmount": (money(_d(t["taxable"])) if t.get("taxable") is not None else None),
            "GLAccountKey": ({"Id": t["account"], "IsEncrypted": False} if t.get("account")
                             else None),
            "IsBackoutTax": False, "IsTaxableTax": False, "Key": key}


def _document_taxes(doc: dict[str, Any], name: str) -> dict[str, Any] | None:
    rows = doc.get(name) or []
    return {"SalesDocumentTax": [
        _tax_row(t, {"SalesDocumentKey": {"Id": doc["number"]}, "SequenceNumber": i + 1,
                     "TaxDetailKey": {"Id": t["detail"]}})
        for i, t in enumerate(rows)]} if rows else None


def _schedule(doc: dict[str, Any], name: str) -> dict[str, Any] | None:
    return {"Id": doc[name]} if doc.get(name) else None


def _line_to_gp(kind: str, doc: dict[str, Any], ln: dict[str, Any]) -> dict[str, Any]:
    line_key = {"SalesDocumentKey": {"Id": doc["number"]}, "LineSequenceNumber": ln["seq"]}
    out = {"Key": {"SalesDocumentKey": {"Id": doc["number"]}, "LineSequenceNumber": ln["seq"]},
           "UnitPrice": money(_d(ln["unit_price"])), "TotalAmount": money(_d(ln["extended"])),
           "Quantity": qty(_d(ln["quantity"])),
           "Discount": {"Amount": money(_d(ln["markdown"]))} if _d(ln["markdown"]) else None,
           "ItemDescription": ln["description"] or None,
           "IsNonInventory": bool(ln.get("non_inventory")), "UofM": ln["uofm"],
           "DeleteOnUpdate": False, "TaxAmount": money(_d(ln["tax"])),
           "TaxBasis": "Taxable" if ln.get("taxable", True) else "Nontaxable",
           "ItemTaxScheduleKey": ({"Id": ln["item_tax_schedule"]}
                                  if ln.get("item_tax_schedule") else None),
           "TaxScheduleKey": _schedule(doc, "tax_schedule"),
           "Taxes": ({"SalesLineTax": [
               _tax_row(t, {"SalesLineKey": line_key, "TaxDetailKey": {"Id": t["detail"]}})
               for t in ln["taxes"]]} if ln.get("taxes") else None),
           "SalesGLAccountKey": ({"Id": ln["sales_account"], "IsEncrypted": False}
                                 if ln.get("sales_account") else None),
           "WarehouseKey": {"Id": ln["site"]}, "ItemKey": {"Id": ln["item"]},
           "PriceLevelKey": {"Id": ln["price_level"]}}
    if kind == "invoice":
        held = ln.get("allocated", ln["quantity"])
        out["QuantityAllocated"] = qty(_d(held) if doc["state"] == "work"
                                       and not ln.get("non_inventory") else Decimal(0))
    else:
        buckets = ln.get("return_buckets") or {}
        out["ReturnQuantity"] = {k: qty(_d(v)) for k, v in buckets.items()} or None
    return out


def document_to_gp(doc: dict[str, Any]) -> dict[str, Any]:
    kind = doc["kind"]
    doc_type = sop.KINDS[kind][0]
    modified = doc.get("modified") or doc["created"]
    posted = doc.get("posted_date")
    out: dict[str, Any] = {
        "Key": {"Id": doc["number"]}, "Type": doc_type, "Date": doc["date"],
        "FreightAmount": money(_d(doc["freight"])), "MiscellaneousAmount": money(_d(doc["misc"])),
        "TaxAmount": money(_d(doc["tax"])),
        "TradeDiscount": {"Amount": money(_d(doc["trade_discount"]))},
        "DiscountAmount": money(_d(doc["trade_discount"])),
        "CustomerName": doc["customer_name"] or None, "CustomerPONumber": doc["po"] or None,
        "Reference": doc["reference"] or None, "Comment": doc["comment"] or None,
        "Note": doc["note"] or None, "TransactionState": _GP_STATE[doc["state"]],
        "LineTotalAmount": money(_d(doc["subtotal"])), "TotalAmount": money(_d(doc["total"])),
        "CreatedBy": doc.get("created_by"), "CreatedDate": doc["created"],
        "ModifiedDate": modified, "LastModifiedDate": modified,
        "IsVoided": bool(doc.get("voided")),
        "InvoiceDate": doc["date"] if kind == "invoice" else None,
        "ReturnDate": doc["date"] if kind == "return" else None,
        "DocumentTypeKey": {"Type": doc_type, "Id": doc["doc_type_id"]},
        "WarehouseKey": {"Id": doc["site"]} if doc.get("site") else None,
        "CustomerKey": {"Id": doc["customer"]},
        "BatchKey": {"Source": doc.get("batch_source") or "Sales Entry", "Id": doc["batch"],
                     "CreatedDateTime": doc["created"]},
        "BillToAddressKey": ({"CustomerKey": {"Id": doc["customer"]}, "Id": doc["bill_to"]}
                             if doc.get("bill_to") else None),
        "ShipToAddressKey": ({"CustomerKey": {"Id": doc["customer"]}, "Id": doc["ship_to"]}
                             if doc.get("ship_to") else None),
        "CurrencyKey": {"ISOCode": doc["currency"]},
        "PriceLevelKey": {"Id": doc["price_level"]},
        "ShipToAddress": sop_ship_to.to_gp(doc.get("ship_to_address")),
        "ProcessHolds": ({"SalesProcessHold": [
            {"Key": {"SalesDocumentKey": {"Id": doc["number"]},
                     "SalesProcessHoldSetupKey": {"Id": h}}, "DeleteOnUpdate": False}
            for h in doc["holds"]]} if doc.get("holds") else None),
        "Taxes": _document_taxes(doc, "taxes"),
        "FreightTaxes": _document_taxes(doc, "freight_taxes"),
        "MiscellaneousTaxes": _document_taxes(doc, "misc_taxes"),
        "FreightTaxAmount": money(_d(doc.get("freight_tax", 0))),
        "MiscellaneousTaxAmount": money(_d(doc.get("misc_tax", 0))),
        "FreightTaxBasis": doc.get("freight_tax_basis") or "Nontaxable",
        "MiscellaneousTaxBasis": doc.get("misc_tax_basis") or "Nontaxable",
        "TaxScheduleKey": _schedule(doc, "tax_schedule"),
        "FreightTaxScheduleKey": _schedule(doc, "freight_tax_schedule"),
        "MiscellaneousTaxScheduleKey": _schedule(doc, "misc_tax_schedule"),
        "PaymentAmount": money(_d(doc["payment"])),
        "Payments": ({"SalesPayment": [
            {"Key": {"SalesDocumentKey": {"Id": doc["number"]}, "SequenceNumber": i + 1},
             "Date": doc["date"], "PaymentAmount": money(_d(p["amount"] or 0)),
             "BankAccountKey": {"Id": p["checkbook"]} if p.get("checkbook") else None,
             "PaymentCardTypeKey": ({"Id": p["card_type"]} if p.get("card_type") else None),
             "Type": p.get("type"), "Number": p.get("number") or None}
            for i, p in enumerate(doc.get("payments") or [])]} if doc.get("payments") else None),
        "GeneralLedgerPostingDate": doc["date"], "PostedDate": posted,
        "PostedBy": doc.get("posted_by"),
        "Distributions": ({"SalesDistribution": [
            {"DistributionTypeKey": {"Id": d["type"] or 0},
             "GLAccountKey": {"Id": d["account"], "IsEncrypted": False},
             "DebitAmount": {"_type": "gp:MoneyAmount", **money(_d(d["debit"]))},
             "CreditAmount": {"_type": "gp:MoneyAmount", **money(_d(d["credit"]))},
             "Key": {"SalesDocumentKey": {"Id": doc["number"]}, "SequenceNumber": i + 1}}
            for i, d in enumerate(doc["distributions"])]} if doc.get("distributions") else None),
    }
    lines = [_line_to_gp(kind, doc, ln) for ln in doc["lines"]]
    if kind == "invoice":
        out["DepositAmount"] = money(Decimal(0))
        out["Lines"] = {"SalesInvoiceLine": lines} if lines else None
    else:
        out.pop("Distributions")
        out.pop("Payments")
        out["Lines"] = {"SalesReturnLine": lines} if lines else None
        out["Distributions"] = None
    return out


def summary_to_gp(doc: dict[str, Any]) -> dict[str, Any]:
    modified = doc.get("modified") or doc["created"]
    return {"DocumentTypeKey": {"Type": sop.KINDS[doc["kind"]][0], "Id": doc["doc_type_id"]},
            "Key": {"Id": doc["number"]}, "CustomerKey": {"Id": doc["customer"]},
            "CustomerPONumber": doc["po"] or None, "CustomerName": doc["customer_name"] or None,
            "Date": doc["date"], "CurrencyKey": {"ISOCode": doc["currency"]},
            "LineTotalAmount": money(_d(doc["subtotal"])),
            "TradeDiscountAmount": money(_d(doc["trade_discount"])),
            "FreightAmount": money(_d(doc["freight"])),
            "MiscellaneousAmount": money(_d(doc["misc"])),
            "TaxAmount": money(_d(doc["tax"])), "TotalAmount": money(_d(doc["total"])),
            "CreatedDate": doc["created"], "ModifiedDate": modified, "LastModifiedDate": modified,
            "TransactionState": _GP_STATE[doc["state"]],
            "BatchKey": {"Source": doc.get("batch_source") or "Sales Entry", "Id": doc["batch"],
                         "CreatedDateTime": doc["created"]}}


def _save(call: Call, record: dict[str, Any], created: str | None) -> None:
    record["created"] = created or call.now.isoformat()
    record["modified"] = call.now.isoformat()
    call.store.put_document(record, call.now)


def _change(call: Call, doc: dict[str, Any], action: str) -> None:
    if doc["kind"] == "invoice":
        call.store.record_change("sales_invoice", {"number": doc["number"],
                                                   "doc_type_id": doc["doc_type_id"]},
                                 action, call.now, call.user.principal)


def _admit(call: Call, record: dict[str, Any], old: dict[str, Any] | None = None) -> None:
    """Into its batch (created when new; refused while in use, posting or in recovery)."""
    if old is not None and call.store.same_key(old["batch"], record["batch"]):
        record["batch"] = old["batch"]
    record["batch"] = batches.admit(call.store, call.state.locks, batches.SOP_SOURCE,
                                    record["batch"], call.now, sop.KINDS[record["kind"]][1])


def _create(call: Call, kind: str, src: dict[str, Any] | None) -> None:
    record = sop.build(call, kind, src or {}, creating=True)
    _admit(call, record)
    _save(call, record, None)
    allocate(call.store, record, +1)
    _change(call, record, "Created")


def _existing(call: Call, kind: str, key: dict[str, Any] | None, verb: str) -> dict[str, Any]:
    number = key_id(key) or ""
    doc = call.store.document(kind, number)
    object_type = sop.KINDS[kind][1]
    if doc is None:
        raise ValidationFault([ValidationItem(f"The document '{number}' does not exist.",
                                              ["Key.Id"], object_type)])
    batches.document_in_use(call.state.locks, kind, doc["number"], object_type,
                            sop.KINDS[kind][3])
    user = batches.in_use(call.state.locks, "batch", batches.SOP_SOURCE, doc.get("batch", ""))
    if user and doc["state"] == "work":
        raise ValidationFault([ValidationItem(
            f"The batch '{doc['batch']}' is in use by {user}; try again when it is released.",
            ["BatchKey.Id"], object_type)])
    batch = batches.get(call.store, batches.SOP_SOURCE, doc.get("batch", ""))
    if doc["state"] == "work" and batch and batch[1].get("state") in ("posting", "interrupted"):
        raise ValidationFault([ValidationItem(
            f"The batch '{batch[0]}' is {batch[1]['state']}: its documents cannot be {verb}.",
            ["BatchKey.Id"], object_type)])
    if doc["state"] != "work":
        # Void/delete/update apply to unposted documents only; stand-in wording.
        what = "voided" if doc["state"] == "void" else "posted"
        raise ValidationFault([ValidationItem(
            f"The document '{number}' has been {what} and cannot be {verb}.", ["Key.Id"],
            object_type)])
    return doc


def _get(call: Call, kind: str, p: dict[str, Any]) -> Any:
    number = key_id(p.get("key")) or ""
    doc = call.store.document(kind, number)
    if doc is None:
        raise SystemFault(f"The {kind} '{number}' was not found.")
    return currency.restate(document_to_gp(doc), doc, local=currency.wants_local(p),
                            functional=currency.functional_of(call.store))


def _list(call: Call, kind: str, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    out = []
    for doc in call.store.documents(kind):
        modified = datetime.fromisoformat(doc.get("modified") or doc["created"])
        date = datetime.fromisoformat(str(doc["date"]))
        if (matches(crit.get("TransactionState"), _GP_STATE[doc["state"]])
                and matches(crit.get("DocumentId"), doc["number"])
                and matches(crit.get("Date"), date)
                and matches(crit.get("CustomerId"), doc["customer"])
                and matches(crit.get("CustomerPONumber"), doc["po"])
                and matches(crit.get("BatchId"), doc["batch"])
                and matches(crit.get("ModifiedDate"), modified)
                and matches(crit.get("LastModifiedDate"), modified)):
            out.append(currency.restate(summary_to_gp(doc), doc, rate=False,
                                        local=currency.wants_local(p),
                                        functional=currency.functional_of(call.store)))
    name = "SalesInvoiceSummary" if kind == "invoice" else "SalesReturnSummary"
    return {name: out[:1000]} if out else None


@OPERATIONS.handler("CreateSalesInvoice")
def create_sales_invoice(call: Call, p: dict[str, Any]) -> None:
    _create(call, "invoice", p.get("salesInvoice"))


@OPERATIONS.handler("CreateSalesReturn")
def create_sales_return(call: Call, p: dict[str, Any]) -> None:
    _create(call, "return", p.get("salesReturn"))


@OPERATIONS.handler("GetSalesInvoiceByKey")
def get_sales_invoice_by_key(call: Call, p: dict[str, Any]) -> Any:
    return _get(call, "invoice", p)


@OPERATIONS.handler("GetSalesReturnByKey")
def get_sales_return_by_key(call: Call, p: dict[str, Any]) -> Any:
    return _get(call, "return", p)


@OPERATIONS.handler("GetSalesInvoiceList")
def get_sales_invoice_list(call: Call, p: dict[str, Any]) -> Any:
    return _list(call, "invoice", p)


@OPERATIONS.handler("GetSalesReturnList")
def get_sales_return_list(call: Call, p: dict[str, Any]) -> Any:
    return _list(call, "return", p)


@OPERATIONS.handler("UpdateSalesInvoice")
def update_sales_invoice(call: Call, p: dict[str, Any]) -> None:
    src = p.get("salesInvoice") or {}
    old = _existing(call, "invoice", src.get("Key"), "updated")
    merged = sop.merge_update(old["source"], sop.normalise(src))
    record = sop.build(call, "invoice", merged, creating=False)
    record["number"] = old["number"]  # the key as GP stored it, however the caller spelled it
    _admit(call, record, old)
    allocate(call.store, old, -1)
    _save(call, record, old["created"])
    allocate(call.store, record, +1)
    _change(call, record, "Updated")


@OPERATIONS.handler("VoidSalesInvoice")
def void_sales_invoice(call: Call, p: dict[str, Any]) -> None:
    doc = _existing(call, "invoice", p.get("key"), "voided")
    allocate(call.store, doc, -1)
    doc.update(state="void", voided=True)
    _save(call, doc, doc["created"])
    _change(call, doc, "Updated")


@OPERATIONS.handler("DeleteSalesInvoice")
def delete_sales_invoice(call: Call, p: dict[str, Any]) -> None:
    doc = _existing(call, "invoice", p.get("key"), "deleted")
    allocate(call.store, doc, -1)
    call.store.delete_document("invoice", doc["number"])
    _change(call, doc, "Deleted")


@OPERATIONS.handler("GetChangedSalesInvoiceKeyList")
def get_changed_sales_invoice_keys(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    # GP's ChangedSalesInvoiceKey carries only the document type key, no number.
    out = [{"LastModifiedDate": ch["at"], "LastModifiedBy": ch["by"], "Action": ch["action"],
            "SalesDocumentTypeKey": {"Type": "Invoice", "Id": ch["key"]["doc_type_id"]}}
           for ch in call.store.changes("sales_invoice")
           if matches(crit.get("LastModifiedDate"), ch["at"])
           and matches(crit.get("Action"), ch["action"])
           and matches(crit.get("SalesDocumentKeyId"), ch["key"]["number"])]
    return {"ChangedSalesInvoiceKey": out} if out else None
