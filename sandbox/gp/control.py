"""The control plane under /_sandbox/ (no auth, loopback only): state, posting, edits in GP, faults.

    GET    /_sandbox/state              customers, items (quantities per site), invoices, returns,
                                        credit_memos, adjustments; documents carry number, customer,
                                        po, total, state (work/history/void; credit memos: open),
                                        batch, lines, currency, exchange_rate, exchange_date,
                                        functional (the amounts in the functional currency)
    POST   /_sandbox/post-batch         {"batch": "WEB20240101"}: the accountant posts a batch
    POST   /_sandbox/items/{item}       {"description", "price", "price_level", "quantity_on_hand",
                                        "site"}: a change made in GP (changed-key lists see it)
    GET/POST/DELETE /_sandbox/faults    see faultplan.FaultPlan; unknown keys answer 400
    GET    /_sandbox/policy             default policies and role instances, by behaviour name
    POST   /_sandbox/policy             {"behavior": "Calculate Unit Price", "option": 1,
                                        "operation"?, "role"?} (or {"calculate_unit_price": true})
    GET    /_sandbox/logs/{id}          a logged validation or system exception
    GET    /_sandbox/help               what the stand-in models, which facts are inferred, and
                                        what is unknown (never invented)
    batches, locks, setup               see control_gp.py
    GET/POST /_sandbox/currencies       Multicurrency set-up (see ops_currency.py)
"""
from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.gp import batches, control_gp, currency, help_text, ops_currency
from sandbox.gp import policy as policies
from sandbox.gp.faultplan import FaultConfigError, FaultPlan
from sandbox.gp.posting import post_batch
from sandbox.gp.state import GPState

Response = tuple[int, dict[str, Any]]


def _doc(doc: dict[str, Any]) -> dict[str, Any]:
    out = {"number": doc["number"], "customer": doc["customer"], "po": doc.get("po", ""),
           "total": str(doc["total"]), "state": doc["state"], "batch": doc.get("batch", ""),
           "date": str(doc.get("date", "")), "created": doc.get("created"),
           "posted": doc["state"] not in ("work", "void"), "voided": bool(doc.get("voided"))}
    for name in ("doc_type_id", "subtotal", "trade_discount", "freight", "misc", "tax",
                 "payment", "sales", "description", "holds", "ship_to_address"):
        if name in doc:
            out[name] = doc[name] if isinstance(doc[name], (list, dict)) else str(doc[name])
    out.update(currency.snapshot_fields(doc))
    out["lines"] = [{k: (str(v) if isinstance(v, (Decimal, float, int)) and k != "seq" else v)
                     for k, v in ln.items() if k in ("seq", "item", "description", "quantity",
                                                     "uofm", "unit_price", "markdown", "extended",
                                                     "tax", "site")}
                    for ln in doc.get("lines", [])]
    return out


def snapshot(state: GPState) -> dict[str, Any]:
    store = state.store
    customers = []
    for c in store.all("customers"):
        customers.append({"id": c["id"], "name": c.get("name", ""),
                          "class_id": c.get("class_id", ""),
                          "active": c.get("active", True), "on_hold": c.get("on_hold", False),
                          "price_level": c.get("price_level", ""),
                          "addresses": store.addresses(c["id"])})
    items = []
    for item in store.all("items"):
        sites = store.sites_of(item["id"])
        items.append({"item_number": item["id"], "description": item.get("description", ""),
                      "class_id": item.get("class_id", ""),
                      "price": str(store.price(item["id"], "RETAIL", "USD", "Each") or ""),
                      "quantities": {s: {"on_hand": str(q["on_hand"]),
                                         "allocated": str(q["allocated"]),
                                         "available": str(q["on_hand"] - q["allocated"])}
                                     for s, q in sites.items()}})
    docs = {kind: [_doc(d) for d in store.documents(kind)]
            for kind in ("invoice", "return", "credit_memo", "adjustment")}
    return {"company": {"id": state.company_id, "name": state.company_name},
            "customers": customers, "items": items, "invoices": docs["invoice"],
            "returns": docs["return"], "credit_memos": docs["credit_memo"],
            "adjustments": docs["adjustment"]}


def _change_item(state: GPState, item_id: str, body: dict[str, Any]) -> Response:
    allowed = {"description", "price", "price_level", "quantity_on_hand", "site", "uofm"}
    unknown = set(body) - allowed
    if unknown:
        return 400, {"error": f"unknown field(s): {', '.join(sorted(unknown))}"}
    store, now = state.store, state.now()
    with store.transaction():
        item = store.get("items", item_id)
        if item is None:
            return 404, {"error": f"no item {item_id}"}
        if "description" in body:
            item["description"] = str(body["description"])
            item["modified"] = now.isoformat()
            store.put("items", item_id, item, now)
            store.record_change("item", {"Id": item_id, "ItemType": "Sales Item"}, "Updated",
                                now, "sa")
        if "price" in body:
            try:
                price = Decimal(str(body["price"]))
            except InvalidOperation:
                return 400, {"error": "price must be a decimal string"}
            level, uofm = body.get("price_level", "RETAIL"), body.get("uofm", "Each")
            store.set_price(item_id, level, "USD", uofm, price, now)
            store.record_change("pricing", {"item": item_id, "currency": "USD", "level": level,
                                            "uofm": uofm}, "Updated", now, "sa")
        if "quantity_on_hand" in body:
            site = body.get("site", item.get("default_site", "MAIN"))
            current = store.sites_of(item_id).get(site, {}).get("on_hand", Decimal(0))
            store.move_stock(item_id, site,
                             on_hand=Decimal(str(body["quantity_on_hand"])) - current)
            item["modified"] = now.isoformat()
            store.put("items", item_id, item, now)
            store.record_change("item", {"Id": item_id, "ItemType": "Sales Item"}, "Updated",
                                now, "sa")
    return 200, {"item": item_id}


def _set_policy(state: GPState, data: dict[str, Any]) -> Response:
    """The Web Services administrator changes a policy (Dynamics Security Console).

    {"calculate_unit_price": bool}: GP's pricing defaults on or off everywhere (Calculate Unit
    Price and Calculate Total Amount together, Policies.set_pricing). {"behavior": name or GUID,
    "option": id, "operation"?, "role"?}: one behaviour; without "operation", in every
    operation that has it; without "role", in the default policy and every role's instance.
    """
    company = state.company_id
    if set(data) == {"calculate_unit_price"}:
        state.policies.set_pricing(company, bool(data["calculate_unit_price"]))
        return 200, _policies(state)
    if set(data) - {"behavior", "option", "operation", "role"} or "behavior" not in data:
        return 400, {"error": "expected {behavior, option, operation?, role?}"}
    try:
        b = policies.behaviour(str(data["behavior"]))
        option = int(data["option"])
        operations = ([str(data["operation"])] if data.get("operation") else
                      [op for op, bs in policies.OPERATIONS.items() if b in bs])
        for operation in operations:
            if b not in policies.OPERATIONS.get(operation, ()):
                return 400, {"error": f"{operation} has no behaviour {b.name}"}
        role = data.get("role")
        for operation in operations:
            roles = ([str(role)] if role is not None else
                     [None, *(r for (c, r, op) in state.policies.instances
                              if c == company and op == operation)])
            for r in roles:
                state.policies.set(company, operation, r, b.guid, option)
    except (KeyError, ValueError, TypeError) as exc:
        return 400, {"error": str(exc)}
    return 200, _policies(state)


def _policies(state: GPState) -> dict[str, Any]:
    def named(sel: dict[str, int]) -> dict[str, str]:
        return {policies.ALL[g].name: policies.ALL[g].option_name(o) for g, o in sel.items()}
    return {"defaults": {op: named(state.policies.selections(state.company_id, op, None))
                         for op in policies.OPERATIONS},
            "instances": [{"role": role, "operation": op, "options": named(sel)}
                          for (c, role, op), sel in state.policies.instances.items()
                          if c == state.company_id]}


def handle(state: GPState, faults: FaultPlan, method: str, path: str, body: bytes) -> Response:
    try:
        data = json.loads(body) if body.strip() else {}
    except json.JSONDecodeError:
        return 400, {"error": "body is not JSON"}
    if not isinstance(data, dict):
        return 400, {"error": "body must be a JSON object"}
    if path == "/_sandbox/state" and method == "GET":
        return 200, snapshot(state)
    if path == "/_sandbox/post-batch" and method == "POST":
        if not data.get("batch"):
            return 400, {"error": "batch is required"}
        return 200, {"posted": post_batch(state.store, str(data["batch"]), state.now())}
    if path.startswith("/_sandbox/items/") and method == "POST":
        return _change_item(state, path[len("/_sandbox/items/"):], data)
    if path == "/_sandbox/faults":
        if method == "GET":
            return 200, faults.as_dict()
        if method == "DELETE":
            faults.reset()
            return 200, faults.as_dict()
        if method == "POST":
            try:
                faults.configure(data)
            except (FaultConfigError, TypeError, ValueError) as exc:
                return 400, {"error": str(exc)}
            return 200, faults.as_dict()
    if path == "/_sandbox/policy" and method == "POST":
        return _set_policy(state, data)
    if path == "/_sandbox/policy" and method == "GET":
        return 200, _policies(state)
    if path == "/_sandbox/batches" and method == "GET":
        return 200, {"batches": batches.all_batches(state.store)}
    if path.startswith("/_sandbox/batches/") and method == "POST":
        return control_gp.batch_action(state, path[len("/_sandbox/batches/"):], data)
    if path == "/_sandbox/locks" and method in ("POST", "DELETE"):
        return control_gp.lock(state, method, data)
    if path == "/_sandbox/setup" and method == "POST":
        return control_gp.setup(state, data)
    if path == "/_sandbox/currencies" and method in ("GET", "POST"):
        return ops_currency.control(state.store, method, data)
    if path == "/_sandbox/help" and method == "GET":
        return 200, help_text.facts()
    if path.startswith("/_sandbox/logs/") and method == "GET":
        entry = state.store.logged(path[len("/_sandbox/logs/"):])
        return (200, entry) if entry else (404, {"error": "no such log id"})
    return 404, {"error": f"no route {method} {path}"}
