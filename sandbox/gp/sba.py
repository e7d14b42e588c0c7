"""The SBA flavour: REST under /GPService/Tenants(DefaultTenant)/Companies(<name>)/...

GP documents the objects SBA exposes and the verbs (GET, POST, PATCH, DELETE), not the route
names. What public evidence shows (gp.md §20.2, §22) the stand-in does as shown: bodies wrapped
as {"Payload": {...}} (refused with 400 without it), XML answers unless the URL ends in `.json`,
the item fields ItemNumber/ItemDescription/ItemShortName/UOfMSchedule, and batch posting at
PostingServices/System/Batches(<source>;<number>) with the GP-Custom-Action header. Everything
else is INFERRED and marked so, route by route, in GET .../Tenants(DefaultTenant)/help
(sandbox/gp/sba_routes.py); codec in sandbox/gp/sba_codec.py. Like the real thing it requires
HTTPS unless the stand-in was started with sba_allow_http (sandbox/gp/app.py).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote

from sandbox.gp import batches, sba_codec, sba_routes
from sandbox.gp.ntlm import User
from sandbox.gp.posting import post_batch
from sandbox.gp.rules import LIMITS
from sandbox.gp.sba_codec import BodyRefused
from sandbox.gp.state import GPState

TENANT = sba_routes.TENANT
Response = tuple[int, Any]
ITEM_PATCH = {"ItemDescription": "description", "ItemShortName": "short_description"}


def _err(status: int, code: str, message: str) -> Response:
    return status, {"Error": {"Code": code, "Message": message}}


def _keys(segment: str) -> tuple[str, list[str]]:
    m = re.fullmatch(r"([A-Za-z]+)(?:\((.*)\))?", segment)
    if not m:
        return segment, []
    return m.group(1), [unquote(k) for k in m.group(2).split(";")] if m.group(2) else []


def _item_json(state: GPState, item: dict[str, Any]) -> dict[str, Any]:
    sites = state.store.sites_of(item["id"])
    return {"ItemNumber": item["id"], "ItemDescription": item.get("description", ""),
            "ItemShortName": item.get("short_description", ""),
            "UOfMSchedule": item.get("uofm_schedule", ""),
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


def respond(state: GPState, user: User, method: str, path: str, body: bytes,
            headers: dict[str, str] | None = None, missing: Iterable[str] = ()
            ) -> tuple[int, bytes, str]:
    """(status, body, content type): XML unless the path ends in .json (gp.md §22)."""
    as_json = sba_codec.wants_json(path)
    path = sba_codec.strip_suffix(path)
    status, doc = handle(state, user, method, path, body, headers or {}, list(missing))
    resource = _keys(path.rsplit("/", 1)[-1])[0]
    data, content_type = sba_codec.encode(doc, as_json,
                                          payload_entry=sba_codec.entry_name(resource))
    return status, data, content_type


def handle(state: GPState, user: User, method: str, path: str, body: bytes,
           headers: dict[str, str], missing: list[str]) -> Response:
    routes = sba_routes.available(missing)
    if path.rstrip("/") == TENANT + "/help":
        if method != "GET":
            return _err(405, "MethodNotAllowed", "The help page is read with GET.")
        return 200, sba_routes.help_doc(state.company_name, routes)
    prefix = f"{TENANT}/Companies("
    if not path.startswith(prefix) or ")/" not in path:
        return _err(404, "NotFound", f"No resource at {path}.")
    company, _, rest = path[len(prefix):].partition(")/")
    if unquote(company) != state.company_name:
        return _err(404, "CompanyNotFound", f"The company '{unquote(company)}' does not exist.")
    route, exists = sba_routes.find(method, rest, routes)
    if route is None:
        return (_err(405, "MethodNotAllowed", f"{method} is not available on {rest}.") if exists
                else _err(404, "NotFound", f"No resource at {rest}."))
    if method != "GET" and not state.allowed_any(user.roles, "Update"):
        return _err(403, "Forbidden", f"{user.principal} may not change data in this company.")
    area, _, resource = rest.partition("/")
    name, keys = _keys(resource.rsplit("/", 1)[-1])
    if route.route.startswith("PostingServices/"):
        return _post_batch(state, headers, keys)
    try:
        data = sba_codec.read_payload(body)
    except BodyRefused as exc:
        return _err(400, "BadRequest", str(exc))
    if method in ("POST", "PATCH") and data is None:
        return _err(400, "BadRequest", 'A POST or PATCH needs a body {"Payload": {...}}.')
    return _serve(state, user, (method, area, name), keys, data or {})


def _post_batch(state: GPState, headers: dict[str, str], keys: list[str]) -> Response:
    """The one built-in action seen in public code (gp.md §20.2): POST with the header
    GP-Custom-Action: POST posts the batch. Refusal status and success body are INFERRED."""
    if headers.get("gp-custom-action", "").upper() != "POST":
        return _err(405, "MethodNotAllowed", "Post a batch with POST and the header "
                    "GP-Custom-Action: POST.")
    source, number = keys
    found = batches.get(state.store, source, number)
    if found is None:
        return _err(404, "NotFound", f"The batch '{number}' ({source}) does not exist.")
    if found[1].get("state") in ("posting", "interrupted"):
        return _err(409, "Conflict", f"The batch '{found[0]}' ({source}) is "
                    f"{found[1]['state']}.")
    post_batch(state.store, found[0], state.now())
    return 200, {}


def _serve(state: GPState, user: User, route: tuple[str, str, str], keys: list[str],
           data: dict[str, Any]) -> Response:
    store = state.store
    method = route[0]
    if route == ("GET", "Sales", "Customers") and not keys:
        return 200, {"Payload": [_customer_json(state, c) for c in store.all("customers")]}
    if route[1:] == ("Sales", "Customers") and keys:
        c = store.get("customers", keys[0])
        if c is None:
            return _err(404, "NotFound", f"The customer '{keys[0]}' does not exist.")
        if method == "PATCH":
            return _patch_customer(state, c, data)
        return 200, {"Payload": _customer_json(state, c)}
    if route == ("POST", "Sales", "Customers"):
        return _create_customer(state, data)
    if route[2] == "CustomerAddresses":
        a = store.address(keys[0], keys[1])
        return (200, {"Payload": a}) if a else _err(404, "NotFound", "No such address.")
    if route[2] == "Receivables":
        docs = [{"DocumentNumber": d["number"], "DocumentType": "Credit Memo",
                 "CustomerId": d["customer"], "Amount": str(d["total"]), "State": d["state"]}
                for d in store.documents("credit_memo")]
        docs += [{"DocumentNumber": n["number"], "DocumentType": "Invoice", "State": "open"}
                 for n in store.query("SELECT number FROM rm_keys WHERE rm_type = 'Invoice'")]
        return 200, {"Payload": docs}
    if route[2] == "Items" and not keys:
        return 200, {"Payload": [_item_json(state, i) for i in store.all("items")]}
    if route[2] == "Items":
        item = store.get("items", keys[0])
        if item is None:
            return _err(404, "NotFound", f"The item '{keys[0]}' does not exist.")
        if method == "PATCH":
            return _patch_item(state, user, item, data)
        return 200, {"Payload": _item_json(state, item)}
    if route[2] == "ItemPriceLists":
        return _price(state, user, method, keys, data)
    if route[2] == "ItemSites":
        q = store.sites_of(keys[0]).get(keys[1])
        if q is None:
            return _err(404, "NotFound", "The item is not assigned to that site.")
        return 200, {"Payload": {"ItemNumber": keys[0], "SiteId": keys[1],
                                 "QuantityOnHand": str(q["on_hand"]),
                                 "QuantityAllocated": str(q["allocated"])}}
    return 200, {"Payload": [{"PriceLevel": k, "Description": v.get("description", "")}
                             for k, v in store.reference("price_level").items()]}


def _patch_item(state: GPState, user: User, item: dict[str, Any], data: dict[str, Any]
                ) -> Response:
    unknown = set(data) - set(ITEM_PATCH)
    if unknown or not data:
        return _err(400, "BadRequest", f"Cannot update {sorted(unknown) or 'nothing'}.")
    desc = str(data.get("ItemDescription", item.get("description", "")))
    if len(desc) > LIMITS["item_description"]:
        return _err(400, "Validation", "ItemDescription is longer than 100 characters.")
    store, now = state.store, state.now()
    with store.transaction():
        for name, field in ITEM_PATCH.items():
            if name in data:
                item[field] = str(data[name])
        item["modified"] = now.isoformat()
        store.put("items", item["id"], item, now)
        store.record_change("item", {"Id": item["id"], "ItemType": "Sales Item"},
                            "Updated", now, user.principal)
    return 200, {"Payload": _item_json(state, item)}


def _price(state: GPState, user: User, method: str, keys: list[str], data: dict[str, Any]
           ) -> Response:
    store, now = state.store, state.now()
    item_no, currency, level, uofm = keys
    price = store.price(item_no, level, currency, uofm)
    if price is None:
        return _err(404, "NotFound", "No such item price list entry.")
    if method == "PATCH":
        if set(data) != {"Price"}:
            return _err(400, "BadRequest", "Only {\"Price\": \"<decimal>\"} can be changed.")
        try:
            new_price = Decimal(str(data["Price"]))
        except InvalidOperation:
            return _err(400, "Validation", "Price must be a decimal string.")
        if new_price < 0:
            return _err(400, "Validation", "Price must not be negative.")
        with store.transaction():
            store.set_price(item_no, level, currency, uofm, new_price, now)
            store.record_change("pricing", {"item": item_no, "currency": currency,
                                            "level": level, "uofm": uofm}, "Updated", now,
                                user.principal)
        price = new_price
    return 200, {"Payload": {"ItemNumber": item_no, "Currency": currency, "PriceLevel": level,
                             "UofM": uofm, "Price": str(price)}}


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
