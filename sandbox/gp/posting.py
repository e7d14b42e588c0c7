"""What happens in GP outside Web Services: allocation of stock, and the accountant posting a batch.

Web Services has no posting operation (gp.md §15); the control plane calls post_batch() to play
the accountant. Posting moves SOP documents and IV adjustments from work to history and RM credit
memos from work to open, changes on-hand quantities, and leaves an RM invoice under each posted
SOP invoice's number (gp.md §11), which later credit memos cannot reuse.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.gp import batches
from sandbox.gp.store import Store


def allocate(store: Store, doc: dict[str, Any], sign: int) -> None:
    """Allocate (sign=1) or release (sign=-1) an unposted invoice's inventory lines."""
    if doc["kind"] != "invoice":
        return
    for line in doc["lines"]:
        if not line.get("non_inventory"):
            store.move_stock(line["item"], line["site"],
                             allocated=_allocated(line) * sign)


def _allocated(line: dict[str, Any]) -> Decimal:
    """What the line holds of the site's stock: its quantity less a back-ordered or cancelled
    balance (sop_lines: quantity shortage)."""
    return Decimal(str(line.get("allocated", line["quantity"])))


def _post_document(store: Store, doc: dict[str, Any], at: datetime, by: str) -> None:
    kind = doc["kind"]
    if kind == "invoice":
        for line in doc["lines"]:
            if not line.get("non_inventory"):
                q = _allocated(line)
                store.move_stock(line["item"], line["site"], on_hand=-q, allocated=-q)
        store.add_rm_key(doc["number"], "Invoice")
        doc["state"] = "history"
    elif kind == "return":
        for line in doc["lines"]:
            if line.get("non_inventory"):
                continue
            buckets = line.get("return_buckets") or {}
            store.move_stock(line["item"], line["site"],
                             on_hand=Decimal(str(buckets.get("OnHandQuantity", 0))),
                             returned=sum((Decimal(str(v)) for k, v in buckets.items()
                                           if k != "OnHandQuantity"), Decimal(0)))
        doc["state"] = "history"
    elif kind == "adjustment":
        for line in doc["lines"]:
            store.move_stock(line["item"], line["site"], on_hand=Decimal(str(line["quantity"])))
        doc["state"] = "history"
    elif kind == "credit_memo":
        doc["state"] = "open"
    doc["posted_date"] = at.isoformat()
    doc["posted_by"] = by
    store.put_document(doc, at)


def post_batch(store: Store, batch: str, at: datetime, by: str = "sa") -> list[dict[str, str]]:
    """Post every unposted, unvoided document of `batch` (all kinds). Returns what was posted.
    The batch then no longer exists (gp.md §22 "Batches")."""
    posted = []
    with store.transaction():
        for doc in store.documents():
            if store.same_key(doc.get("batch"), batch) and doc["state"] == "work":
                _post_document(store, doc, at, by)
                posted.append({"kind": doc["kind"], "number": doc["number"]})
                if doc["kind"] == "invoice":
                    store.record_change("sales_invoice", {"number": doc["number"],
                                                          "doc_type_id": doc["doc_type_id"]},
                                        "Updated", at, by)
        for source in (batches.SOP_SOURCE, batches.RM_SOURCE, batches.IV_SOURCE):
            batches.remove(store, source, batch)
    return posted
