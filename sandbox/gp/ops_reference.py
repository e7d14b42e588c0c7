"""Setup lists over Web Services: payment card types, GL accounts, tax details and schedules,
process holds, sites, U of M schedules (gp.md §22 "Setup rows must exist").

A connector chooses GP's own ids from these lists; the documents it sends are checked against
the same rows (sandbox/gp/references.py). Rows are dated like the seed (they predate the run).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.gp import batches
from sandbox.gp.faults import SystemFault
from sandbox.gp.rules import Call, key_id, matches, money
from sandbox.gp.seed import SEEDED_AT
from sandbox.gp.soap import operation

_AT = SEEDED_AT.isoformat()


def _rows(call: Call, kind: str, restriction: dict[str, Any] | None) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in call.store.reference(kind).items() if matches(restriction, k)]


def _by_key(call: Call, kind: str, key: dict[str, Any] | None, what: str) -> tuple[str, Any]:
    found = call.store.find_reference(kind, key_id(key))
    if found is None:
        # Get…ByKey on a missing key: GP's answer is unconfirmed (gp.md §20.1); a system
        # fault is the stand-in's choice, so a client must use the lists for existence.
        raise SystemFault(f"The {what} '{key_id(key)}' was not found.")
    return found


def _wrap(name: str, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    return {name: rows[:1000]} if rows else None


def card_type_to_gp(key: str, row: dict[str, Any]) -> dict[str, Any]:
    return {"Key": {"Id": key}, "ReceivableCardType": row.get("type", "Bank Card"),
            "UsedByCompany": False, "AcceptedFromCustomers": True,
            "CustomerCardBankAccountKey": ({"Id": row["checkbook"]} if row.get("checkbook")
                                           else None),
            "GLAccountKey": ({"Id": row["account"], "IsEncrypted": False}
                             if row.get("account") else None),
            "PayableCardType": "Credit Card", "CreatedDate": _AT, "ModifiedDate": _AT}


def tax_detail_to_gp(key: str, row: dict[str, Any]) -> dict[str, Any]:
    return {"TaxDetailKey": {"Id": key}, "TaxDetailType": "Sales",
            "TaxDetailDescription": row.get("description"),
            "Account": {"Id": row["account"], "IsEncrypted": False},
            "TaxDetailBase": "Percent of Sales/Purchase",
            "TaxDetailPercent": Decimal(row["percent"]),
            "TaxDetailAmount": money(Decimal(0)), "TaxDetailRounding": row["rounding"],
            "TaxDetailRangeType": "Full Amount", "TaxDetailBaseQualifiers": "Not Applicable",
            "IsTaxDetailTaxable": False, "IsTaxDetailPrintOnDocuments": True,
            "TaxDetailTaxablePercent": Decimal(100)}


def tax_schedule_to_gp(key: str, row: dict[str, Any]) -> dict[str, Any]:
    # GP's TaxSchedule object carries no details over Web Services; the notes say which.
    return {"TaxScheduleKey": {"Id": key}, "TaxScheduleDescription": row.get("description"),
            "Notes": ", ".join(row.get("details", []))}


def hold_to_gp(key: str, row: dict[str, Any]) -> dict[str, Any]:
    return {"Key": {"Id": key}, "Description": row.get("description"),
            "IsTransferHold": bool(row.get("transfer")), "IsPostHold": bool(row.get("post")),
            "IsFulfillHold": bool(row.get("fulfill")), "IsPrintHold": bool(row.get("print")),
            "CreatedDate": _AT, "ModifiedDate": _AT, "CreatedBy": "sa"}


@operation("GetPaymentCardTypeList")
def get_payment_card_type_list(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    return _wrap("PaymentCardType", [card_type_to_gp(k, v) for k, v in
                                     _rows(call, "payment_card_type", crit.get("Id"))])


@operation("GetPaymentCardTypeByKey")
def get_payment_card_type_by_key(call: Call, p: dict[str, Any]) -> Any:
    return card_type_to_gp(*_by_key(call, "payment_card_type", p.get("key"), "payment card type"))


@operation("GetGLAccountList")
def get_gl_account_list(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    out = [{"Key": {"Id": k, "IsEncrypted": False}, "IsActive": bool(v.get("active", True)),
            "Description": v.get("description"), "CreatedDate": _AT, "ModifiedDate": _AT,
            "AccountType": "Posting"}
           for k, v in _rows(call, "gl_account", crit.get("GLAccountId"))
           if matches(crit.get("IsActive"), bool(v.get("active", True)))
           and matches(crit.get("Description"), v.get("description", ""))]
    return _wrap("GLAccountSummary", out)


@operation("GetTaxDetailList")
def get_tax_detail_list(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    return _wrap("TaxDetail", [tax_detail_to_gp(k, v) for k, v in
                               _rows(call, "tax_detail", crit.get("TaxDetailKeyId"))])


@operation("GetTaxDetailByKey")
def get_tax_detail_by_key(call: Call, p: dict[str, Any]) -> Any:
    return tax_detail_to_gp(*_by_key(call, "tax_detail", p.get("key"), "tax detail"))


@operation("GetTaxScheduleList")
def get_tax_schedule_list(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    return _wrap("TaxSchedule", [tax_schedule_to_gp(k, v) for k, v in
                                 _rows(call, "tax_schedule", crit.get("TaxScheduleKeyId"))])


@operation("GetTaxScheduleByKey")
def get_tax_schedule_by_key(call: Call, p: dict[str, Any]) -> Any:
    return tax_schedule_to_gp(*_by_key(call, "tax_schedule", p.get("key"), "tax schedule"))


@operation("GetSalesProcessHoldSetupList")
def get_sales_process_hold_setup_list(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    return _wrap("SalesProcessHoldSetup", [hold_to_gp(k, v) for k, v in
                                           _rows(call, "process_hold", crit.get("Id"))])


@operation("GetSalesProcessHoldSetupByKey")
def get_sales_process_hold_setup_by_key(call: Call, p: dict[str, Any]) -> Any:
    return hold_to_gp(*_by_key(call, "process_hold", p.get("key"), "process hold"))


@operation("GetWarehouseList")
def get_warehouse_list(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    return _wrap("WarehouseSummary", [{"Key": {"Id": k}, "Description": v.get("description")}
                                      for k, v in _rows(call, "site", crit.get("WarehouseId"))])


@operation("GetUofMScheduleList")
def get_uofm_schedule_list(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    out = [{"Key": {"Id": k}, "Description": v.get("description"), "BaseUofM": v.get("base"),
            "UofMDecimalPlacesQuantities": "Zero", "LastModifiedDate": _AT}
           for k, v in _rows(call, "uofm_schedule", crit.get("UnitofMeasureScheduleId"))]
    return _wrap("UofMScheduleSummary", out)


def batch_to_gp(call: Call, source: str, key: str, row: dict[str, Any]) -> dict[str, Any]:
    docs = [d for d in call.store.documents() if d["state"] == "work"
            and call.store.same_key(d.get("batch"), key)
            and _source_of(d["kind"]) == source]
    total = sum((Decimal(str(d["total"])) for d in docs), Decimal(0))
    return {"Key": {"Source": source, "Id": key, "CreatedDateTime": row.get("created")},
            "NumberOfTransactions": len(docs), "Frequency": "Single Use",
            "NumberOfPostings": 0, "Comment": row.get("comment") or None, "Total": money(total),
            "ControlNumberOfTransactions": 0, "WorkflowPriority": "Normal"}


def _source_of(kind: str) -> str:
    return {"credit_memo": batches.RM_SOURCE, "adjustment": batches.IV_SOURCE}.get(
        kind, batches.SOP_SOURCE)


@operation("GetBatchList")
def get_batch_list(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    out = [batch_to_gp(call, b["source"], b["id"], b) for b in batches.all_batches(call.store)
           if matches(crit.get("Id"), b["id"]) and matches(crit.get("Source"), b["source"])]
    return _wrap("Batch", out)


@operation("GetBatchByKey")
def get_batch_by_key(call: Call, p: dict[str, Any]) -> Any:
    key = p.get("key") or {}
    source = key.get("Source") or batches.SOP_SOURCE
    found = batches.get(call.store, source, key_id(key) or "")
    if found is None:
        raise SystemFault(f"The batch '{key_id(key)}' ({source}) was not found.")
    return batch_to_gp(call, source, found[0], found[1])
