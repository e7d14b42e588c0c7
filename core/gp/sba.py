"""GP's Service Based Architecture (REST/JSON) route, for what GP exposes there.

SBA's route names and JSON shapes are not published (gp.md §16, §20.2): the server's
`Tenants(<tenant>)/help` lists them. The connector reads that list once and offers a capability
only when every route it needs is listed, so an SBA without item routes simply is not used.
Routes are relative to `[gp] sba_url` (`…/GPService/Tenants(DefaultTenant)/Companies(<name>)`);
composite keys are `(<part1>;<part2>)` with each part percent-encoded.

What it is used for: reading items/prices/stock in one JSON call per item, and the updates Web
Services cannot do at all (item description, price list price).
"""
from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from core.clock import Clock, SystemClock
from core.errors import GPError, GPRefused, gp_unanswered
from core.gp.gateway import GPItemInfo, GPUnsupported
from core.gp.http import GPHttp, TransportFailure, failure_to_error, status_error
from core.gp.soap_read import utc

# capability -> the (method, route pattern) pairs it needs; "(n)" = a key of n parts.
NEEDS: dict[str, tuple[tuple[str, str], ...]] = {
    "items": (("GET", "Inventory/Items"), ("GET", "Inventory/Items(1)"),
              ("GET", "Inventory/ItemPriceLists(4)")),
    "item_update": (("PATCH", "Inventory/Items(1)"), ("PATCH", "Inventory/ItemPriceLists(4)")),
}


def _pattern(route: str) -> str:
    """'…/Companies(<company name>)/Inventory/Items(<item>)' -> 'Inventory/Items(1)'."""
    i = route.find("Companies(")
    j = route.find(")/", i) if i >= 0 else -1
    tail = route[j + 2:] if j >= 0 else route
    return re.sub(r"\(([^)]*)\)", lambda m: f"({len(m.group(1).split(';'))})", tail.strip("/"))


def key(*parts: str) -> str:
    return "(" + ";".join(quote(p, safe="") for p in parts) + ")"


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


class SbaGateway:
    """The SBA half of the gateway; capabilities come from the server's /help."""

    def __init__(self, http: GPHttp, sba_url: str, *, clock: Clock | None = None,
                 currency: str = "USD") -> None:
        self.http = http
        self.base = sba_url.rstrip("/")
        self.clock = clock or SystemClock()
        self.currency = currency
        self.routes: set[tuple[str, str]] = set()
        self.problem = ""
        self._discover()

    @property
    def help_url(self) -> str:
        i = self.base.find("/Companies(")
        return (self.base[:i] if i >= 0 else self.base) + "/help"

    def _discover(self) -> None:
        try:
            sent = self.http.send("GET", self.help_url, headers={"Accept": "application/json"})
        except TransportFailure as exc:
            self.problem = f"unreachable ({exc})"
            return
        except GPError as exc:
            self.problem = str(exc)
            return
        if sent.response.status_code != 200:
            self.problem = f"{self.help_url} answered HTTP {sent.response.status_code}"
            return
        try:
            data = sent.response.json()
            listed = data.get("Routes", []) if isinstance(data, dict) else data
            self.routes = {(str(r["Method"]).upper(), _pattern(str(r["Route"])))
                           for r in listed}
        except (ValueError, KeyError, TypeError, AttributeError):
            self.problem = f"{self.help_url} does not list routes the connector can read"

    def status(self) -> str:
        if self.problem:
            return self.problem
        offered = [c for c, v in self.capabilities().items() if v == "sba"]
        return (f"serves {len(self.routes)} route(s); used for: "
                f"{', '.join(offered) or 'nothing the connector needs'}")

    def capabilities(self) -> dict[str, str]:
        return {cap: ("sba" if all(n in self.routes for n in needs) else "none")
                for cap, needs in NEEDS.items()}

    def close(self) -> None:
        """The HTTP client belongs to the gateway that opened it (factory)."""

    # --- HTTP ----------------------------------------------------------------------------
    def _call(self, method: str, path: str, *, what: str, body: Any = None,
              missing_ok: bool = False) -> Any:
        write = method != "GET"
        headers = {"Accept": "application/json"}
        content = None
        if body is not None:
            content = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            sent = self.http.send(method, f"{self.base}/{path}", content=content,
                                  headers=headers)
        except TransportFailure as exc:
            raise failure_to_error(exc, write=write, what=what) from None
        r = sent.response
        if r.status_code == 404 and missing_ok:
            return None
        if r.status_code >= 500 or r.status_code in (408, 429):
            raise status_error(r, write=write, what=what)
        if r.status_code >= 400:
            message = _error_message(r.text) or f"HTTP {r.status_code}"
            raise GPRefused(f"GP rejected {what}: {message}", messages=[message])
        try:
            data = r.json()
        except ValueError:
            raise gp_unanswered(f"GP's SBA answer to {what} is not JSON", write=write) from None
        return data.get("Payload", data) if isinstance(data, dict) else data

    # --- items ---------------------------------------------------------------------------
    def _info(self, item: dict[str, Any], price: Decimal | None, site: str | None
              ) -> GPItemInfo:
        qty: Decimal | None = None
        if site is not None:
            qty = Decimal("0")
            for s in item.get("Sites") or []:
                if site.lower() == "all" or str(s.get("SiteId", "")).upper() == site.upper():
                    avail = _decimal(s.get("QuantityAvailable"))
                    if avail is None:
                        avail = (_decimal(s.get("QuantityOnHand")) or Decimal(0)) - (
                            _decimal(s.get("QuantityAllocated")) or Decimal(0))
                    qty += avail
        modified = None
        if item.get("ModifiedDate"):
            from datetime import datetime

            try:
                modified = utc(datetime.fromisoformat(str(item["ModifiedDate"])))
            except ValueError:
                modified = None
        return GPItemInfo(item_number=str(item.get("ItemNumber", "")),
                          description=str(item.get("Description", "")), price=price,
                          quantity_available=qty, modified_at=modified)

    def _price(self, item_number: str, price_level: str, uofm: str) -> Decimal | None:
        got = self._call("GET", "Inventory/ItemPriceLists" + key(
            item_number, self.currency, price_level, uofm), what=f"price of {item_number}",
            missing_ok=True)
        return _decimal(got.get("Price")) if isinstance(got, dict) else None

    def get_item(self, item_number: str) -> GPItemInfo | None:
        got = self._call("GET", "Inventory/Items" + key(item_number),
                         what=f"item {item_number}", missing_ok=True)
        return self._info(got, None, None) if isinstance(got, dict) else None

    def item_snapshot(self, item_number: str, *, price_level: str, uofm: str,
                      site: str) -> GPItemInfo | None:
        got = self._call("GET", "Inventory/Items" + key(item_number),
                         what=f"item {item_number}", missing_ok=True)
        if not isinstance(got, dict):
            return None
        return self._info(got, self._price(item_number, price_level, uofm), site)

    def list_items(self, *, price_level: str, uofm: str, site: str) -> list[GPItemInfo]:
        items = self._call("GET", "Inventory/Items", what="the item list") or []
        return [self._info(i, self._price(str(i.get("ItemNumber", "")), price_level, uofm),
                           site) for i in items]

    def update_item(self, item_number: str, *, description: str | None = None,
                    price: Decimal | None = None, price_level: str = "",
                    uofm: str = "") -> None:
        if description is not None:
            self._call("PATCH", "Inventory/Items" + key(item_number),
                       what=f"item {item_number}", body={"Description": description})
        if price is not None:
            if not price_level or not uofm:
                raise GPUnsupported("a price update needs the price level and unit of measure")
            self._call("PATCH", "Inventory/ItemPriceLists" + key(
                item_number, self.currency, price_level, uofm),
                what=f"price of {item_number}", body={"Price": str(price)})


def _error_message(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:300]
    err = data.get("Error", data) if isinstance(data, dict) else {}
    return str(err.get("Message", "")) if isinstance(err, dict) else ""
