"""The SBA routes the stand-in serves, where each comes from, and the /help that lists them.

Every route is listed by GET .../Tenants(DefaultTenant)/help (documented, gp.md §16) with two
sources: where its name comes from and where its fields come from. "public example" = the one
public worked example (gp.md §22: Payload-wrapped bodies, XML unless `.json`, the item fields
ItemNumber, ItemDescription, ItemShortName, UOfMSchedule); "public ISV code" = the batch posting
action (gp.md §20.2); "INFERRED" = the stand-in's own guess: a real server may differ, and the
connector reads /help instead of assuming it. A stand-in started with `sba_missing` neither lists
nor serves those routes: the server of a GP version or set-up that lacks them.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sandbox.gp import help_text

TENANT = "/GPService/Tenants(DefaultTenant)"
COMPANY = TENANT + "/Companies(<company name>)/"
PUBLIC, ISV, INFERRED, DOCUMENTED = ("public example", "public ISV code", "INFERRED",
                                     "documented")
ITEM_FIELDS = ("ItemNumber, ItemDescription, ItemShortName, UOfMSchedule (public example); "
               "ClassId, SellingUofM, ModifiedDate, Sites[SiteId, QuantityOnHand, "
               "QuantityAllocated, QuantityAvailable] (INFERRED)")
CUSTOMER_FIELDS = ("CustomerId, Name, ClassId, PriceLevel, IsActive, IsOnHold, ModifiedDate, "
                   "Addresses[AddressId, Name, Line1, City, State, PostalCode] (INFERRED)")


@dataclass(frozen=True)
class SbaRoute:
    method: str
    route: str  # below Companies(<company name>)/
    does: str
    fields: str
    route_source: str
    shape_source: str

    @property
    def signature(self) -> tuple[str, str]:
        return self.method, signature(self.route)


ROUTES: tuple[SbaRoute, ...] = (
    SbaRoute("GET", "Sales/Customers", "list customers", CUSTOMER_FIELDS, INFERRED, INFERRED),
    SbaRoute("GET", "Sales/Customers(<id>)", "one customer with its addresses", CUSTOMER_FIELDS,
             INFERRED, INFERRED),
    SbaRoute("POST", "Sales/Customers", "create a customer",
             "Payload {CustomerId, Name, ClassId?, PriceLevel?}", INFERRED, INFERRED),
    SbaRoute("PATCH", "Sales/Customers(<id>)", "update a customer",
             "Payload {Name?, ClassId?, PriceLevel?, IsActive?, IsOnHold?}", INFERRED, INFERRED),
    SbaRoute("GET", "Sales/CustomerAddresses(<customer>;<address>)", "one address",
             "AddressId, Name, Line1, City, State, PostalCode", INFERRED, INFERRED),
    SbaRoute("GET", "Sales/Receivables", "receivables transactions (credit memos, invoices)",
             "DocumentNumber, DocumentType, CustomerId, Amount, State", INFERRED, INFERRED),
    SbaRoute("GET", "Inventory/Items", "list items", ITEM_FIELDS, INFERRED, PUBLIC),
    SbaRoute("GET", "Inventory/Items(<item>)", "one item with quantities per site", ITEM_FIELDS,
             INFERRED, PUBLIC),
    SbaRoute("PATCH", "Inventory/Items(<item>)", "change an item's description or short name",
             "Payload {ItemDescription?, ItemShortName?} (public example field names)",
             INFERRED, PUBLIC),
    SbaRoute("GET", "Inventory/ItemPriceLists(<item>;<currency>;<price level>;<uofm>)",
             "one price", "ItemNumber, Currency, PriceLevel, UofM, Price", INFERRED, INFERRED),
    SbaRoute("PATCH", "Inventory/ItemPriceLists(<item>;<currency>;<price level>;<uofm>)",
             "change a price", "Payload {Price: \"<decimal>\"}", INFERRED, INFERRED),
    SbaRoute("GET", "Inventory/ItemSites(<item>;<site>)", "quantities of an item at a site",
             "ItemNumber, SiteId, QuantityOnHand, QuantityAllocated", INFERRED, INFERRED),
    SbaRoute("GET", "Inventory/PriceLevels", "list price levels", "PriceLevel, Description",
             INFERRED, INFERRED),
    SbaRoute("POST", "PostingServices/System/Batches(<batch source>;<batch number>)",
             "post a batch: header GP-Custom-Action: POST, no body; refused without the header",
             "no body; success = HTTP 2xx (the success body is unknown: empty here)", ISV, ISV),
)
CONVENTIONS = [
    "Request bodies are wrapped as {\"Payload\": {...}}; a body without it is refused with "
    "HTTP 400 (public example; the refusal's status and text are INFERRED).",
    "Answers are XML unless the URL ends in .json, then JSON (public example); the XML element "
    "names (root Root, list entries named after their list) are INFERRED.",
    "The company segment is the percent-encoded company name (public ISV code).",
    "Composite keys are (<part1>;<part2>) without quotes (public ISV code).",
    "Errors answer {\"Error\": {\"Code\", \"Message\"}} (INFERRED: GP's error body is unknown).",
]


def signature(route: str) -> str:
    """'Inventory/Items(<item>)' or 'Inventory/Items(APRON-DENIM)' -> 'Inventory/Items(1)'."""
    return re.sub(r"\(([^()]*)\)", lambda m: f"({len(m.group(1).split(';'))})", route)


def route_key(route: str) -> tuple[str, str]:
    """'METHOD Area/Resource(<key>)' as the stand-in's `sba_missing` names a route."""
    method, _, path = route.strip().partition(" ")
    return method.upper(), signature(path.strip().strip("/"))


def available(missing: Iterable[str] = ()) -> list[SbaRoute]:
    gone = {route_key(m) for m in missing}
    return [r for r in ROUTES if r.signature not in gone]


def check_missing(missing: Iterable[str]) -> None:
    known = {r.signature for r in ROUTES}
    unknown = [m for m in missing if route_key(m) not in known]
    if unknown:
        raise ValueError(f"sba_missing names routes the stand-in does not have: {unknown}")


def find(method: str, rest: str, routes: list[SbaRoute]) -> tuple[SbaRoute | None, bool]:
    """(the route serving METHOD rest, whether the path exists under another method)."""
    sig = signature(rest)
    other = False
    for r in routes:
        if signature(r.route) == sig:
            if r.method == method:
                return r, True
            other = True
    return None, other


def help_doc(company: str, routes: list[SbaRoute]) -> dict[str, Any]:
    return {"Company": company,
            "Routes": [{"Method": r.method, "Route": COMPANY + r.route, "Does": r.does,
                        "Fields": r.fields, "RouteSource": r.route_source,
                        "ShapeSource": r.shape_source} for r in routes],
            "Conventions": CONVENTIONS,
            "Evidence": ["POST PostingServices/System/Batches(<source>;<number>) with header "
                         "GP-Custom-Action: POST posts a batch (public ISV code)",
                         "Payload-wrapped bodies, XML unless .json, the item fields "
                         "ItemNumber, ItemDescription, ItemShortName, UOfMSchedule (the public "
                         "example, gp.md §22)"],
            "Inferred": ["Every route or shape whose RouteSource or ShapeSource says INFERRED "
                         "is the stand-in's own guess: a real server may differ."],
            "Unknown": help_text.UNKNOWN[:1]}
