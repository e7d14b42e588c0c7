"""Control-plane routes that play a GP user or administrator: batches, things held "in use",
SOP setup and key collation (sandbox/gp/control.py dispatches here).

    GET    /_sandbox/batches                 every batch with its state
    POST   /_sandbox/batches/<action>        {"batch", "source"?: "Sales Entry"}; action is
                                             mark | unmark | begin-posting | post | interrupt |
                                             recover (post: documents to history, batch gone)
    POST   /_sandbox/locks                   {"document", "kind"?: "invoice"} or {"batch",
                                             "source"?}, "user"?: an accountant with it open
    DELETE /_sandbox/locks                   the same body: released
    POST   /_sandbox/setup                   {"quantity_shortage"?: "None" | "Override Shortage" |
                                             "Back Order Balance" | "Cancel Balance",
                                             "customer_shortage"?: {customer: "None" |
                                             "Backorder Remaining" | "Cancel Remaining"},
                                             "key_collation"?: "case_insensitive" | "binary"}
"""
from __future__ import annotations

from typing import Any

from sandbox.gp import batches
from sandbox.gp.posting import post_batch
from sandbox.gp.sop_lines import SHORTAGE_OPTIONS
from sandbox.gp.state import GPState

Response = tuple[int, dict[str, Any]]
_STATE_OF = {"mark": "marked", "unmark": "available", "begin-posting": "posting",
             "interrupt": "interrupted", "recover": "available"}
_CUSTOMER_SHORTAGE = ("None", "Backorder Remaining", "Cancel Remaining")


def batch_action(state: GPState, action: str, data: dict[str, Any]) -> Response:
    batch = str(data.get("batch") or "")
    source = str(data.get("source") or batches.SOP_SOURCE)
    if not batch:
        return 400, {"error": "batch is required"}
    if action == "post":
        found = batches.get(state.store, source, batch)
        if found is None:
            return 404, {"error": f"no batch {batch} in {source}"}
        return 200, {"posted": post_batch(state.store, found[0], state.now())}
    if action not in _STATE_OF:
        return 404, {"error": f"no batch action {action}"}
    try:
        return 200, batches.set_state(state.store, source, batch, _STATE_OF[action])
    except KeyError as exc:
        return 404, {"error": str(exc)}


def lock(state: GPState, method: str, data: dict[str, Any]) -> Response:
    if data.get("document"):
        key = batches.lock_key("document", str(data.get("kind") or "invoice"),
                               str(data["document"]))
    elif data.get("batch"):
        key = batches.lock_key("batch", str(data.get("source") or batches.SOP_SOURCE),
                               str(data["batch"]))
    else:
        return 400, {"error": "expected {document, kind?} or {batch, source?}"}
    if method == "DELETE":
        state.locks.pop(key, None)
    else:
        state.locks[key] = str(data.get("user") or "FABRIKAM\\accountant")
    return 200, {"locks": dict(state.locks)}


def setup(state: GPState, data: dict[str, Any]) -> Response:
    store = state.store
    unknown = set(data) - {"quantity_shortage", "customer_shortage", "key_collation"}
    if unknown:
        return 400, {"error": f"unknown field(s): {', '.join(sorted(unknown))}"}
    with store.transaction():
        if "quantity_shortage" in data:
            if data["quantity_shortage"] not in SHORTAGE_OPTIONS:
                return 400, {"error": f"quantity_shortage must be one of {SHORTAGE_OPTIONS}"}
            current = store.find_reference("setup", "sop")
            store.put_reference("setup", "sop", {**(current[1] if current else {}),
                                                 "quantity_shortage": data["quantity_shortage"]})
        for customer_id, option in (data.get("customer_shortage") or {}).items():
            customer = store.get("customers", customer_id)
            if customer is None or option not in _CUSTOMER_SHORTAGE:
                return 400, {"error": f"customer {customer_id} / option {option} not known"}
            store.put("customers", customer["id"], {**customer, "shortage": option}, state.now())
    if "key_collation" in data:
        if data["key_collation"] not in ("case_insensitive", "binary"):
            return 400, {"error": "key_collation must be case_insensitive or binary"}
        store.binary_keys = data["key_collation"] == "binary"
    return 200, {"ok": True}
