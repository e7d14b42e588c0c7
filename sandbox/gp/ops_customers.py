"""Customers and their addresses (GP's RM00101 / RM00102), plus the changed-customer key list."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.gp.faults import SystemFault
from sandbox.gp.rules import Call, Errors, key_id, matches
from sandbox.gp.soap import operation

_ADDRESS_TEXT = [("Name", "name", "customer_name"), ("ContactPerson", "contact", "contact"),
                 ("Line1", "line1", "address_line"), ("Line2", "line2", "address_line"),
                 ("Line3", "line3", "address_line"), ("City", "city", "city"),
                 ("State", "state", "state"), ("PostalCode", "postal", "postal"),
                 ("CountryRegion", "country", "country")]
_PHONES = [("Phone1", "phone1"), ("Phone2", "phone2"), ("Phone3", "phone3"), ("Fax", "fax")]


def check_address(errors: Errors, a: dict[str, Any], prefix: str) -> None:
    errors.length(key_id(a.get("Key")), "address_id", f"{prefix}Key.Id")
    if not key_id(a.get("Key")):
        errors.add("The address ID (ADRSCODE) is empty.", f"{prefix}Key.Id")
    for gp_name, _, limit in _ADDRESS_TEXT:
        errors.length(a.get(gp_name), limit, prefix + gp_name)
    for gp_name, _ in _PHONES:
        errors.length((a.get(gp_name) or {}).get("Value"), "phone", f"{prefix}{gp_name}.Value")


def address_from_gp(customer: str, a: dict[str, Any], old: dict[str, Any] | None,
                    now: datetime) -> dict[str, Any]:
    out = dict(old or {"customer": customer, "id": key_id(a.get("Key")), "created": now})
    for gp_name, ours, _ in _ADDRESS_TEXT:
        if gp_name in a:
            out[ours] = a[gp_name] or ""
    for gp_name, ours in _PHONES:
        if gp_name in a:
            out[ours] = (a[gp_name] or {}).get("Value") or ""
    if "InternetAddresses" in a:
        out["email"] = (a["InternetAddresses"] or {}).get("EmailToAddress") or ""
    if "WarehouseKey" in a:
        out["site"] = key_id(a["WarehouseKey"]) or ""
    out["modified"] = now
    return out


def address_to_gp(a: dict[str, Any], summary: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {gp: a.get(ours) or None for gp, ours, _ in _ADDRESS_TEXT}
    out.update({gp: {"Value": a[ours]} if a.get(ours) else None for gp, ours in _PHONES})
    out["Key"] = {"CustomerKey": {"Id": a["customer"]}, "Id": a["id"]}
    out["WarehouseKey"] = {"Id": a["site"]} if a.get("site") else None
    if not summary:
        out.update({"CreatedDate": a["created"], "ModifiedDate": a["modified"],
                    "LastModifiedDate": a["modified"], "DeleteOnUpdate": False,
                    "InternetAddresses": ({"EmailToAddress": a["email"]} if a.get("email")
                                          else None)})
    return out


def _check_customer(call: Call, c: dict[str, Any], errors: Errors, creating: bool) -> None:
    cid = key_id(c.get("Key"))
    errors.length(cid, "customer", "Key.Id")
    errors.length(c.get("Name"), "customer_name", "Name")
    errors.length(c.get("Shortname"), "shortname", "Shortname")
    errors.length(c.get("StatementName"), "customer_name", "StatementName")
    if creating and not (c.get("Name") or "").strip():
        errors.add("The customer name (CUSTNAME) is empty.", "Name")
    class_id = key_id(c.get("ClassKey"))
    if class_id and class_id not in call.store.reference("customer_class"):
        errors.add(f"The customer class '{class_id}' does not exist.", "ClassKey.Id")
    level = key_id(c.get("PriceLevelKey"))
    if level and level not in call.store.reference("price_level"):
        errors.add(f"The price level '{level}' does not exist.", "PriceLevelKey.Id")
    for i, a in enumerate((c.get("Addresses") or {}).get("CustomerAddress") or []):
        if a is not None:
            check_address(errors, a, f"Addresses[{i}].")


def _apply_customer(call: Call, c: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    now = call.now
    cid = key_id(c.get("Key")) or ""
    out = dict(old or {"id": cid, "created": now, "active": True, "on_hold": False,
                       "balance_type": "Open Item", "currency": "USD"})
    simple = {"Name": "name", "Shortname": "shortname", "StatementName": "statement_name",
              "Comment1": "comment1", "Comment2": "comment2", "Notes": "notes",
              "UserDefined1": "user_defined1", "UserDefined2": "user_defined2"}
    for gp_name, ours in simple.items():
        if gp_name in c:
            out[ours] = c[gp_name] or ""
    for gp_name, ours in (("IsActive", "active"), ("IsOnHold", "on_hold"),
                          ("BalanceType", "balance_type")):
        if c.get(gp_name) is not None:
            out[ours] = c[gp_name]
    keys = {"ClassKey": "class_id", "PriceLevelKey": "price_level",
            "DefaultAddressKey": "default_address", "BillToAddressKey": "bill_to",
            "ShipToAddressKey": "ship_to", "StatementToAddressKey": "statement_to"}
    for gp_name, ours in keys.items():
        if gp_name in c:
            out[ours] = key_id(c[gp_name]) or ""
    if "CurrencyKey" in c:
        out["currency"] = key_id(c["CurrencyKey"], "ISOCode") or "USD"
    out["modified"] = now
    return out


def customer_to_gp(c: dict[str, Any], addresses: list[dict[str, Any]]) -> dict[str, Any]:
    def key(name: str) -> dict[str, Any] | None:
        v = c.get(name)
        return {"CustomerKey": {"Id": c["id"]}, "Id": v} if v else None
    return {"Key": {"Id": c["id"]}, "IsOnHold": c.get("on_hold", False),
            "IsActive": c.get("active", True), "Name": c.get("name") or None,
            "Shortname": c.get("shortname") or None,
            "StatementName": c.get("statement_name") or None,
            "ClassKey": {"Id": c["class_id"]} if c.get("class_id") else None,
            "DefaultAddressKey": key("default_address"), "ShipToAddressKey": key("ship_to"),
            "BillToAddressKey": key("bill_to"), "StatementToAddressKey": key("statement_to"),
            "Comment1": c.get("comment1") or None, "Comment2": c.get("comment2") or None,
            "PriceLevelKey": {"Id": c["price_level"]} if c.get("price_level") else None,
            "Notes": c.get("notes") or None, "BalanceType": c.get("balance_type", "Open Item"),
            "PostResultsTo": "Receivables/Discount Account",
            "CurrencyKey": {"ISOCode": c.get("currency", "USD")},
            "CreatedDate": c["created"], "ModifiedDate": c["modified"],
            "LastModifiedDate": c["modified"], "UserDefined1": c.get("user_defined1") or None,
            "UserDefined2": c.get("user_defined2") or None,
            "Addresses": {"CustomerAddress": [address_to_gp(a) for a in addresses]}
            if addresses else None}


def _save_addresses(call: Call, cid: str, c: dict[str, Any]) -> None:
    for a in (c.get("Addresses") or {}).get("CustomerAddress") or []:
        if a is None:
            continue
        aid = key_id(a.get("Key")) or ""
        if a.get("DeleteOnUpdate"):
            call.store.query("DELETE FROM addresses WHERE customer = ? AND id = ?", (cid, aid))
            continue
        old = call.store.address(cid, aid)
        call.store.put_address(cid, aid, address_from_gp(cid, a, old, call.now), call.now)


def _check_address_refs(call: Call, cid: str, record: dict[str, Any], errors: Errors) -> None:
    for ours, prop in (("default_address", "DefaultAddressKey"), ("bill_to", "BillToAddressKey"),
                       ("ship_to", "ShipToAddressKey"), ("statement_to", "StatementToAddressKey")):
        aid = record.get(ours)
        if aid and call.store.address(cid, aid) is None:
            errors.add(f"The address ID '{aid}' does not exist for customer '{cid}'.",
                       f"{prop}.Id")


def _write_customer(call: Call, p: dict[str, Any], creating: bool) -> None:
    c = p.get("customer") or {}
    cid = (key_id(c.get("Key")) or "").rstrip(" ") or None  # a char key: trailing spaces vanish
    errors = Errors("Customer")
    if not cid:
        errors.add("The customer ID (CUSTNMBR) is empty.", "Key.Id")
    _check_customer(call, c, errors, creating)
    old = call.store.get("customers", cid) if cid else None
    if cid and creating and old is not None:
        errors.add(f"The customer '{cid}' already exists.", "Key.Id")
    if cid and not creating and old is None:
        errors.add(f"The customer '{cid}' does not exist.", "Key.Id")
    errors.raise_if_any()
    assert cid is not None
    if old is not None:
        cid = old["id"]  # the key as GP stored it, however the caller spelled it
    record = _apply_customer(call, c, old)
    _save_addresses(call, cid, c)
    _check_address_refs(call, cid, record, errors)
    errors.raise_if_any()  # rolls the whole transaction back, addresses included
    call.store.put("customers", cid, record, call.now)
    call.store.record_change("customer", {"Id": cid}, "Created" if creating else "Updated",
                             call.now, call.user.principal)


@operation("CreateCustomer")
def create_customer(call: Call, p: dict[str, Any]) -> None:
    _write_customer(call, p, creating=True)


@operation("UpdateCustomer")
def update_customer(call: Call, p: dict[str, Any]) -> None:
    _write_customer(call, p, creating=False)


@operation("GetCustomerByKey")
def get_customer_by_key(call: Call, p: dict[str, Any]) -> Any:
    cid = key_id(p.get("key")) or ""
    c = call.store.get("customers", cid)
    if c is None:
        # A missing key faults (gp.md §20.1 keeps this unconfirmed; existence goes through lists).
        raise SystemFault(f"The customer '{cid}' was not found.")
    return customer_to_gp(c, call.store.addresses(cid))


@operation("GetCustomerList")
def get_customer_list(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    out = []
    for c in call.store.all("customers"):
        modified = datetime.fromisoformat(c["modified"])
        if not (matches(crit.get("Id"), c["id"]) and matches(crit.get("Name"), c.get("name", ""))
                and matches(crit.get("IsActive"), c.get("active", True))
                and matches(crit.get("IsOnHold"), c.get("on_hold", False))
                and matches(crit.get("ClassId"), c.get("class_id", ""))
                and matches(crit.get("ModifiedDate"), modified)
                and matches(crit.get("LastModifiedDate"), modified)):
            continue
        primary = call.store.address(c["id"], c.get("default_address") or "") or {}
        created = datetime.fromisoformat(c["created"])
        out.append({"Key": {"Id": c["id"]}, "Name": c.get("name") or None,
                    "IsActive": c.get("active", True), "IsOnHold": c.get("on_hold", False),
                    "CustomerClassKey": {"Id": c["class_id"]} if c.get("class_id") else None,
                    "State": primary.get("state") or None, "CreatedDate": created,
                    "ModifiedDate": modified, "LastModifiedDate": modified})
    return {"CustomerSummary": out[:1000]} if out else None  # GP caps lists at 1000


def _write_address(call: Call, p: dict[str, Any], creating: bool) -> None:
    a = p.get("address") or {}
    cid = key_id((a.get("Key") or {}).get("CustomerKey")) or ""
    aid = key_id(a.get("Key")) or ""
    errors = Errors("CustomerAddress")
    check_address(errors, a, "")
    if call.store.get("customers", cid) is None:
        errors.add(f"The customer '{cid}' does not exist.", "Key.CustomerKey.Id")
    old = call.store.address(cid, aid)
    if creating and old is not None:
        errors.add(f"The address '{aid}' already exists for customer '{cid}'.", "Key.Id")
    if not creating and old is None:
        errors.add(f"The address '{aid}' does not exist for customer '{cid}'.", "Key.Id")
    errors.raise_if_any()
    call.store.put_address(cid, aid, address_from_gp(cid, a, old, call.now), call.now)
    call.store.record_change("customer_address", {"CustomerId": cid, "Id": aid},
                             "Created" if creating else "Updated", call.now, call.user.principal)


@operation("CreateCustomerAddress")
def create_customer_address(call: Call, p: dict[str, Any]) -> None:
    _write_address(call, p, creating=True)


@operation("UpdateCustomerAddress")
def update_customer_address(call: Call, p: dict[str, Any]) -> None:
    _write_address(call, p, creating=False)


@operation("GetCustomerAddressByKey")
def get_customer_address_by_key(call: Call, p: dict[str, Any]) -> Any:
    key = p.get("key") or {}
    cid, aid = key_id(key.get("CustomerKey")) or "", key_id(key) or ""
    a = call.store.address(cid, aid)
    if a is None:
        raise SystemFault(f"The address '{aid}' of customer '{cid}' was not found.")
    return address_to_gp(a)


@operation("GetCustomerAddressList")
def get_customer_address_list(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    out = [address_to_gp(a, summary=True) for a in call.store.addresses()
           if matches(crit.get("CustomerKeyId"), a["customer"])
           and matches(crit.get("CustomerAddressKeyId"), a["id"])]
    return {"CustomerAddressSummary": out[:1000]} if out else None


@operation("GetChangedCustomerKeyList")
def get_changed_customer_keys(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    out = [{"LastModifiedDate": ch["at"], "LastModifiedBy": ch["by"], "Action": ch["action"],
            "Id": ch["key"]["Id"]}
           for ch in call.store.changes("customer")
           if matches(crit.get("LastModifiedDate"), ch["at"])
           and matches(crit.get("Action"), ch["action"])
           and matches(crit.get("Id"), ch["key"]["Id"])]
    return {"ChangedCustomerKey": out} if out else None
