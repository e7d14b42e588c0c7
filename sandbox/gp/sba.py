"""The SBA flavour: REST/JSON under /GPService/Tenants(DefaultTenant)/Companies(<name>)/...

GP documents the objects SBA exposes (customers, customer addresses, items, item price lists,
item sites, price levels, receivables transactions) and the verbs (GET, POST, PATCH, DELETE), but
not the route names, JSON shapes or error bodies (gp.md §16, §20.2). The names and shapes here
are ours, listed by GET .../Tenants(DefaultTenant)/help; composite keys use GP's observed
`(<part1>;<part2>)` form and the company segment is the percent-encoded company name.
Like the real thing it requires HTTPS unless the stand-in was started with sba_allow_http.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote

from sandbox.gp import batches, help_text
from sandbox.gp.ntlm import User
from sandbox.gp.posting import post_batch
from sandbox.gp.rules import LIMITS
from sandbox.gp.state import GPState

TENANT = "/GPService/Tenants(DefaultTenant)"
ROUTES = [
    ("GET", "Sales/Customers", "list customers"),
    ("GET", "Sales/Customers(<id>)", "one customer with its addresses"),
    ("POST", "Sales/Customers", "create a customer {CustomerId, Name, ClassId?, PriceLevel?}"),
    ("PATCH", "Sales/Customers(<id>)",
     "update {Name?, ClassId?, PriceLevel?, IsActive?, IsOnHold?}"),
    ("GET", "Sales/CustomerAddresses(<customer>;<address>)", "one address"),
    ("GET", "Sales/Receivables", "receivables transactions (credit memos, posted invoices)"),
    ("GET", "Inventory/Items", "list items"),
    ("GET", "Inventory/Items(<item>)", "one item with quantities per site"),
    ("PATCH", "Inventory/Items(<item>)", "update {Description?, ShortDescription?}"),
    ("GET", "Inventory/ItemPriceLists(<item>;<currency>;<price level>;<uofm>)", "one price"),
    ("PATCH", "Inventory/ItemPriceLists(<item>;<currency>;<price level>;<uofm>)",
     "update {Price}"),
    ("GET", "Inventory/ItemSites(<item>;<site>)", "quantities of an item at a site"),
    ("GET", "Inventory/PriceLevels", "list price levels"),
]
Response = tuple[int, Any]


def _err(status: int, code: str, message: str) -> Response:
    return status, {"Error": {"Code": code, "Message": message}}


def _keys(segment: str) -> tuple[str, list[str]]:
    m = re.fullmatch(r"([A-Za-z]+)(?:\((.*)\))?", segment)
    if not m:
        return segment, []
    return m.group(1), [unquote(k) for k in m.group(2).split(";")] if m.group(2) else []


def _item_json(state: GPState, item: dict[str, Any]) -> dict[str, Any]:
    sites = state.store.sites_of(item["id"])
    return {"ItemNumber": item["id"], "Description": item.get("description", ""),
            "ShortDescription": item.get("short_description", ""),
            "ClassId": item.get("class_id", ""), "SellingUofM": item.get("selling_uofm", "Each"),
            "ModifiedDate": item["modified"],
            "Sites": [{"SiteId": s, "QuantityOnHand": str(q["on_hand"]),
                       "QuantityAllocated": str(q["allocated"]),
                       "QuantityAvailable": str(q["on_hand"] - q["allocated"])}
                      for s, q in sites.items()]}


def _customer_json(state: GPState, c: dict[str, Any]) -> dict[str, Any]:
    return {"CustomerId": c["id"], "Name": c.get("name", ""), "ClassId": c.get("class_id", ""),
            "PriceLevel": c.get("price_level", ""), "IsActive": c.get("active", True),
            "IsOnHold": c.get("on_hold", False), "ModifiedDate": c["modified"],
            "Addresses": [{"AddressId": a["id"], "Name": a.get("name", ""),
                           "Line1": a.get("line1", ""), "City": a.get("city", ""),
                           "State": a.get("state", ""), "PostalCode": a.get("postal", "")}
                          for a in state.store.addresses(c["id"])]}


def _post_batch(state: GPState, method: str, headers: dict[str, str], source: str,
                number: str) -> Response:
    """The one built-in action seen in public code (gp.md §20.2): POST with the header
    GP-Custom-Action: POST posts the batch. The success body is unknown: an empty object here."""
    if method != "POST" or headers.get("gp-custom-action", "").upper() != "POST":
        return _err(405, "MethodNotAllowed", "Post a batch with POST and GP-Custom-Action: POST.")
    found = batches.get(state.store, source, number)
    if found is None:
        return _err(404, "NotFound", f"The batch '{number}' ({source}) does not exist.")
    if found[1].get("state") in ("posting", "interrupted"):
        return _err(409, "Conflict", f"The batch '{found[0]}' ({source}) is "
                    f"{found[1]['state']}.")
    post_batch(state.store, found[0], state.now())
    return 200, {}


def handle(state: GPState, user: User, method: str, path: str, body: bytes,
           headers: dict[str, str] | None = None) -> Response:
    if path.rstrip("/") == TENANT + "/help" and method == "GET":
        return 200, {"Company": state.company_name,
                     "Routes": [{"Method": m, "Route": f"{TENANT}/Companies(<company name>)/{r}",
                                 "Description": d} for m, r, d in ROUTES],
                     # gp.md §22 "SBA in practice": what public evidence shows, and the rest
                     # listed as unknown rather than invented.
                     "Evidence": ["POST PostingServices/System/Batches(<source>;<number>) with "
                                  "header GP-Custom-Action: POST posts a batch",
                                  "the company segment is the percent-encoded company name",
                                  "composite keys are (<part1>;<part2>) without quotes"],
                     "Unknown": help_text.UNKNOWN[:1]}
    prefix = f"{TENANT}/Companies("
    if not path.startswith(prefix) or ")/" not in path:
        return _err(404, "NotFound", f"No resource at {path}.")
    company, _, rest = path[len(prefix):].partition(")/")
    if unquote(company) != state.company_name:
        return _err(404, "CompanyNotFound", f"The company '{unquote(company)}' does not exist.")
    if method != "GET" and not state.allowed_any(user.roles, "Update"):
        return _err(403, "Forbidden", f"{user.principal} may not change data in this company.")
    posting = re.fullmatch(r"PostingServices/System/Batches\(([^;]*);([^)]*)\)", unquote(rest))
    if posting:
        return _post_batch(state, method, headers or {}, posting.group(1), posting.group(2))
    try:
        data = json.loads(body) if body.strip() else {}
    except json.JSONDecodeError:
        return _err(400, "BadRequest", "The request body is not valid JSON.")
    area, _, resource = rest.partition("/")
    name, keys = _keys(resource)
    route = (method, area, name, len(keys))
    store, now = state.store, state.now()
    if route == ("GET", "Sales", "Customers", 0):
        return 200, {"Payload": [_customer_json(state, c) for c in store.all("customers")]}
    if route[1:3] == ("Sales", "Customers") and len(keys) == 1:
        c = store.get("customers", keys[0])
        if c is None:
            return _err(404, "NotFound", f"The customer '{keys[0]}' does not exist.")
        if method == "GET":
            return 200, {"Payload": _customer_json(state, c)}
        if method == "PATCH":
            return _patch_customer(state, c, data)
    if route == ("POST", "Sales", "Customers", 0):
        return _create_customer(state, data)
    if route == ("GET", "Sales", "CustomerAddresses", 2):
        a = store.address(keys[0], keys[1])
        return (200, {"Payload": a}) if a else _err(404, "NotFound", "No such address.")
    if route == ("GET", "Sales", "Receivables", 0):
        docs = [{"DocumentNumber": d["number"], "DocumentType": "Credit Memo",
                 "CustomerId": d["customer"], "Amount": str(d["total"]), "State": d["state"]}
                for d in store.documents("credit_memo")]
        docs += [{"DocumentNumber": n["number"], "DocumentType": "Invoice", "State": "open"}
                 for n in store.query("SELECT number FROM rm_keys WHERE rm_type = 'Invoice'")]
        return 200, {"Payload": docs}
    if route == ("GET", "Inventory", "Items", 0):
        return 200, {"Payload": [_item_json(state, i) for i in store.all("items")]}
    if route[1:] == ("Inventory", "Items", 1):
        item = store.get("items", keys[0])
        if item is None:
            return _err(404, "NotFound", f"The item '{keys[0]}' does not exist.")
        if method == "GET":
            return 200, {"Payload": _item_json(state, item)}
        if method == "PATCH":
            unknown = set(data) - {"Description", "ShortDescription"}
            if unknown or not data:
                return _err(400, "BadRequest", f"Cannot update {sorted(unknown) or 'nothing'}.")
            desc = data.get("Description", item.get("description", ""))
            if len(desc) > LIMITS["item_description"]:
                return _err(400, "Validation", "Description is longer than 100 characters.")
            with store.transaction():
                item["description"] = desc
                item["short_description"] = data.get("ShortDescription",
                                                     item.get("short_description", ""))
                item["modified"] = now.isoformat()
                store.put("items", item["id"], item, now)
                store.record_change("item", {"Id": item["id"], "ItemType": "Sales Item"},
                                    "Updated", now, user.principal)
            return 200, {"Payload": _item_json(state, item)}
    if route[1:] == ("Inventory", "ItemPriceLists", 4):
        item, currency, level, uofm = keys
        price = store.price(item, level, currency, uofm)
        if price is None:
            return _err(404, "NotFound", "No such item price list entry.")
        if method == "PATCH":
            if set(data) != {"Price"}:
                return _err(400, "BadRequest", "Only {\"Price\": \"<decimal>\"} can be changed.")
            try:
                price = Decimal(str(data["Price"]))
            except InvalidOperation:
                return _err(400, "Validation", "Price must be a decimal string.")
            if price < 0:
                return _err(400, "Validation", "Price must not be negative.")
            with store.transaction():
                store.set_price(item, level, currency, uofm, price, now)
                store.record_change("pricing", {"item": item, "currency": currency,
                                                "level": level, "uofm": uofm}, "Updated", now,
                                    user.principal)
        if method in ("GET", "PATCH"):
            return 200, {"Payload": {"ItemNumber": item, "Currency": currency,
                                     "PriceLevel": level, "UofM": uofm, "Price": str(price)}}
    if route == ("GET", "Inventory", "ItemSites", 2):
        q = store.sites_of(keys[0]).get(keys[1])
        if q is None:
            return _err(404, "NotFound", "The item is not assigned to that site.")
        return 200, {"Payload": {"ItemNumber": keys[0], "SiteId": keys[1],
                                 "QuantityOnHand": str(q["on_hand"]),
                                 "QuantityAllocated": str(q["allocated"])}}
    if route == ("GET", "Inventory", "PriceLevels", 0):
        return 200, {"Payload": [{"PriceLevel": k, "Description": v.get("description", "")}
                                 for k, v in store.reference("price_level").items()]}
    return _err(405 if method != "GET" else 404, "NotFound",
                f"{method} is not available on {rest}.")


def _create_customer(state: GPState, data: dict[str, Any]) -> Response:
    cid, name = str(data.get("CustomerId", "")), str(data.get("Name", ""))
    if not cid or len(cid) > LIMITS["customer"] or not name or len(name) > LIMITS["customer_name"]:
        return _err(400, "Validation", "CustomerId (1-15 characters) and Name (1-64) are required.")
    store, now = state.store, state.now()
    with store.transaction():
        if store.get("customers", cid) is not None:
            return _err(409, "Conflict", f"The customer '{cid}' already exists.")
        record = {"id": cid, "name": name, "class_id": data.get("ClassId", ""),
                  "price_level": data.get("PriceLevel", ""), "active": True, "on_hold": False,
                  "balance_type": "Open Item", "currency": "USD", "created": now.isoformat(),
                  "modified": now.isoformat()}
        store.put("customers", cid, record, now)
        store.record_change("customer", {"Id": cid}, "Created", now, "sba")
    return 201, {"Payload": _customer_json(state, record)}


def _patch_customer(state: GPState, c: dict[str, Any], data: dict[str, Any]) -> Response:
    fields = {"Name": "name", "ClassId": "class_id", "PriceLevel": "price_level",
              "IsActive": "active", "IsOnHold": "on_hold"}
    unknown = set(data) - set(fields)
    if unknown or not data:
        return _err(400, "BadRequest", f"Cannot update {sorted(unknown) or 'nothing'}.")
    if len(str(data.get("Name", ""))) > LIMITS["customer_name"]:
        return _err(400, "Validation", "Name is longer than 64 characters.")
    store, now = state.store, state.now()
    with store.transaction():
        for k, v in data.items():
            c[fields[k]] = v
        c["modified"] = now.isoformat()
        store.put("customers", c["id"], c, now)
        store.record_change("customer", {"Id": c["id"]}, "Updated", now, "sba")
    return 200, {"Payload": _customer_json(state, c)}
