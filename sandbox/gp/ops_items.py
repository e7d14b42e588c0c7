"""Items, per-site quantities, prices and price levels; changed item and pricing keys.

Quantities live only on SalesItem.Quantities: GetItemByKey answers an inventory item
as a SalesItem (xsi:type), and ItemWarehouse carries no quantities, as in GP's schema.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.gp.faults import SystemFault
from sandbox.gp.operations import Operations
from sandbox.gp.rules import Call, key_id, matches, money, qty

OPERATIONS = Operations()  # merged by sandbox.gp.soap


def item_to_gp(item: dict[str, Any], sites: dict[str, dict[str, Decimal]]) -> dict[str, Any]:
    quantities = [{"Key": {"ItemKey": {"Id": item["id"]}, "WarehouseKey": {"Id": site}},
                   "ReturnedQuantity": qty(q["returned"]), "OnHandQuantity": qty(q["on_hand"]),
                   "AllocatedQuantity": qty(q["allocated"]), "OnOrderQuantity": qty(Decimal(0)),
                   "BackOrderedQuantity": qty(Decimal(0))} for site, q in sites.items()]
    return {"_type": "gp:SalesItem", "Key": {"Id": item["id"]},
            "Description": item.get("description") or None,
            "ShortDescription": item.get("short_description") or None,
            "GenericDescription": item.get("generic_description") or None,
            "ClassKey": {"Id": item["class_id"]} if item.get("class_id") else None,
            "Type": item.get("type", "Sales Item"), "SalesTaxBasis": "Taxable",
            "UofMScheduleKey": {"Id": item.get("uofm_schedule", "EACH")},
            "StandardCost": money(Decimal(item.get("standard_cost", "0"))),
            "CurrentCost": money(Decimal(item.get("current_cost", "0"))),
            "AllowBackOrder": item.get("allow_backorder", True),
            "DefaultWarehouseKey": {"Id": item.get("default_site", "MAIN")},
            "PriceMethod": "Currency Amount", "ModifiedDate": item["modified"],
            "LastModifiedDate": item["modified"], "CreatedDate": item["created"],
            "IsDiscontinued": item.get("discontinued", False),
            "DefaultPriceLevelKey": {"Id": item.get("default_price_level", "RETAIL")},
            "DefaultSellingUofM": item.get("selling_uofm", "Each"),
            "Quantities": {"SalesItemWarehouse": quantities} if quantities else None}


def _item_or_fault(call: Call, key: dict[str, Any] | None) -> dict[str, Any]:
    item_id = key_id(key) or ""
    item = call.store.get("items", item_id)
    if item is None:
        raise SystemFault(f"The item '{item_id}' was not found.")
    return item


@OPERATIONS.handler("GetItemByKey")
def get_item_by_key(call: Call, p: dict[str, Any]) -> Any:
    item = _item_or_fault(call, p.get("key"))
    return item_to_gp(item, call.store.sites_of(item["id"]))


@OPERATIONS.handler("GetInventoriedItemByKey")
def get_inventoried_item_by_key(call: Call, p: dict[str, Any]) -> Any:
    return get_item_by_key(call, p)


@OPERATIONS.handler("GetItemList")
def get_item_list(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    out = []
    for item in call.store.all("items"):
        modified = datetime.fromisoformat(item["modified"])
        if not (matches(crit.get("ItemId"), item["id"])
                and matches(crit.get("Description"), item.get("description", ""))
                and matches(crit.get("ItemClassId"), item.get("class_id", ""))
                and matches(crit.get("ModifiedDate"), modified)
                and matches(crit.get("LastModifiedDate"), modified)
                and matches(crit.get("IsDiscontinued"), item.get("discontinued", False))):
            continue
        out.append({"Key": {"Id": item["id"]}, "Description": item.get("description") or None,
                    "ShortDescription": item.get("short_description") or None,
                    "GenericDescription": item.get("generic_description") or None,
                    "ClassKey": {"Id": item["class_id"]} if item.get("class_id") else None,
                    "CreatedDate": item["created"], "ModifiedDate": item["modified"],
                    "LastModifiedDate": item["modified"], "Type": item.get("type", "Sales Item"),
                    "IsDiscontinued": item.get("discontinued", False)})
    return {"ItemSummary": out[:1000]} if out else None


@OPERATIONS.handler("GetItemWarehouseByKey")
def get_item_warehouse_by_key(call: Call, p: dict[str, Any]) -> Any:
    key = p.get("key") or {}
    item = _item_or_fault(call, key.get("ItemKey"))
    site = key_id(key.get("WarehouseKey")) or ""
    if site not in call.store.sites_of(item["id"]):
        raise SystemFault(f"The item '{item['id']}' is not assigned to site '{site}'.")
    return {"Key": {"ItemKey": {"Id": item["id"]}, "WarehouseKey": {"Id": site}}, "Bin": None}


@OPERATIONS.handler("GetItemWarehouseList")
def get_item_warehouse_list(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    out = [{"Key": {"ItemKey": {"Id": r["item"]}, "WarehouseKey": {"Id": r["site"]}}}
           for r in call.store.query("SELECT item, site FROM item_sites ORDER BY item, site")
           if matches(crit.get("ItemId"), r["item"])
           and matches(crit.get("WarehouseId"), r["site"])]
    return {"ItemWarehouseSummary": out[:1000]} if out else None


def _pricing_key(r: Any) -> dict[str, Any]:
    return {"ItemKey": {"Id": r["item"]}, "CurrencyKey": {"ISOCode": r["currency"]},
            "PriceLevelKey": {"Id": r["level"]}, "UofM": r["uofm"]}


@OPERATIONS.handler("GetPricingByKey")
def get_pricing_by_key(call: Call, p: dict[str, Any]) -> Any:
    key = p.get("key") or {}
    item = key_id(key.get("ItemKey")) or ""
    level = key_id(key.get("PriceLevelKey")) or ""
    currency = key_id(key.get("CurrencyKey"), "ISOCode") or "USD"
    uofm = key.get("UofM") or "Each"
    rows = [r for r in call.store.prices() if (r["item"], r["level"], r["currency"]) ==
            (item, level, currency) and r["uofm"].upper() == uofm.upper()]
    if not rows:
        raise SystemFault(f"No price exists for item '{item}', price level '{level}', "
                          f"currency '{currency}', U of M '{uofm}'.")
    r = rows[0]
    detail = {"Key": {"PricingKey": _pricing_key(r), "ToQuantity": qty(Decimal("999999999999"))},
              "UofMPrice": {"Amount": money(Decimal(r["amount"]), r["currency"])},
              "LastModifiedDate": r["modified"]}
    return {"Key": _pricing_key(r),
            "UofMSalesOption": "Unit Of Measure Must Be Sold In Whole Quantities",
            "Details": {"PricingDetail": [detail]}, "LastModifiedDate": r["modified"],
            "LastModifiedBy": "sa"}


@OPERATIONS.handler("GetPricingList")
def get_pricing_list(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    out = [{"Key": _pricing_key(r), "LastModifiedDate": r["modified"], "LastModifiedBy": "sa"}
           for r in call.store.prices()
           if matches(crit.get("ItemId"), r["item"])
           and matches(crit.get("CurrencyISOCode"), r["currency"])
           and matches(crit.get("PriceLevelId"), r["level"])
           and matches(crit.get("UofM"), r["uofm"])
           and matches(crit.get("LastModifiedDate"), datetime.fromisoformat(r["modified"]))]
    return {"PricingSummary": out[:1000]} if out else None


def _price_level(level_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"Key": {"Id": level_id}, "Description": data.get("description") or None,
            "CreatedDate": data["created"], "ModifiedDate": data["created"],
            "LastModifiedDate": data["created"], "LastModifiedBy": "sa"}


@OPERATIONS.handler("GetPriceLevelByKey")
def get_price_level_by_key(call: Call, p: dict[str, Any]) -> Any:
    level = key_id(p.get("key")) or ""
    data = call.store.reference("price_level").get(level)
    if data is None:
        raise SystemFault(f"The price level '{level}' was not found.")
    return _price_level(level, data)


@OPERATIONS.handler("GetPriceLevelList")
def get_price_level_list(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    out = [_price_level(k, v) for k, v in call.store.reference("price_level").items()
           if matches(crit.get("PriceLevelKeyId"), k)]
    return {"PriceLevel": out} if out else None


@OPERATIONS.handler("GetChangedItemKeyList")
def get_changed_item_keys(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    out = [{"LastModifiedDate": ch["at"], "LastModifiedBy": ch["by"], "Action": ch["action"],
            "Id": ch["key"]["Id"], "ItemType": ch["key"].get("ItemType", "Sales Item")}
           for ch in call.store.changes("item")
           if matches(crit.get("LastModifiedDate"), ch["at"])
           and matches(crit.get("Action"), ch["action"])
           and matches(crit.get("ItemKeyId"), ch["key"]["Id"])
           and matches(crit.get("ItemType"), ch["key"].get("ItemType", "Sales Item"))]
    return {"ChangedItemKey": out} if out else None


@OPERATIONS.handler("GetChangedPricingKeyList")
def get_changed_pricing_keys(call: Call, p: dict[str, Any]) -> Any:
    crit = p.get("criteria") or {}
    out = []
    for ch in call.store.changes("pricing"):
        k = ch["key"]
        if not (matches(crit.get("LastModifiedDate"), ch["at"])
                and matches(crit.get("Action"), ch["action"])
                and matches(crit.get("ItemKeyId"), k["item"])
                and matches(crit.get("CurrencyKeyId"), k["currency"])
                and matches(crit.get("PriceLevelKeyId"), k["level"])
                and matches(crit.get("UofMKeyId"), k["uofm"])):
            continue
        out.append({"LastModifiedDate": ch["at"], "LastModifiedBy": ch["by"],
                    "Action": ch["action"], **_pricing_key(k)})
    return {"ChangedPricingKey": out} if out else None
