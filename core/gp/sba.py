"""GP's Service Based Architecture (REST) route, for what GP exposes there.

SBA's route names are not published: the server's `Tenants(<tenant>)/help` lists them. The
connector reads that list once and offers a capability only when every route it needs is listed,
so an SBA without item routes simply is not used for items (Web Services serves what it can), and
`check` says which route was missing. Routes are relative to `[gp] sba_url`
(`…/GPService/Tenants(DefaultTenant)/Companies(<name>)`); composite keys are
`(<part1>;<part2>)` with each part percent-encoded.

Shapes as the public example shows them (gp.md §22, core/gp/sba_codec.py): bodies wrapped as
`{"Payload": {...}}`, `.json` on the URL for a JSON answer, items as ItemNumber,
ItemDescription, ItemShortName, UOfMSchedule. The other fields read here (prices, quantities per
site, ModifiedDate) are not published: a missing one reads as unknown, never as zero.

What it is used for: reading items/prices/stock in one call per item, and the updates Web
Services cannot do at all (item description, price list price).
"""
from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from core.clock import Clock, SystemClock
from core.errors import GPError, GPRefused, gp_unanswered
from core.gp import sba_codec
from core.gp.gateway import GPItemInfo, GPUnsupported
from core.gp.http import GPHttp, TransportFailure, failure_to_error, status_error
from core.gp.soap_read import utc

PRICE_LIST = "Inventory/ItemPriceLists(<item>;<currency>;<price level>;<uofm>)"
# capability -> the (method, route) pairs it needs, as /help names them.
NEEDS: dict[str, tuple[tuple[str, str], ...]] = {
    "items": (("GET", "Inventory/Items"), ("GET", "Inventory/Items(<item>)"),
              ("GET", PRICE_LIST)),
    "item_update": (("PATCH", "Inventory/Items(<item>)"), ("PATCH", PRICE_LIST)),
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
            sent = self.http.send("GET", self.help_url,
                                  headers={"Accept": "application/xml, application/json"})
        except TransportFailure as exc:
            self.problem = f"unreachable ({exc})"
            return
        except GPError as exc:
            self.problem = str(exc)
            return
        r = sent.response
        if r.status_code != 200:
            self.problem = f"{self.help_url} answered HTTP {r.status_code}"
            return
        try:
            data = sba_codec.parse(r.content, r.headers.get("content-type", ""))
            listed = sba_codec.entries(data.get("Routes") if isinstance(data, dict) else data)
            self.routes = {(str(x["Method"]).upper(), _pattern(str(x["Route"])))
                           for x in listed}
        except (ValueError, KeyError, TypeError, AttributeError):
            self.problem = f"{self.help_url} does not list routes the connector can read"

    def status(self) -> str:
        if self.problem:
            return self.problem
        offered = [c for c, v in self.capabilities().items() if v == "sba"]
        return (f"serves {len(self.routes)} route(s); used for: "
                f"{', '.join(offered) or 'nothing the connector needs'}")

    def unlisted(self, capability: str) -> list[str]:
        """The routes `capability` needs that /help does not list ("PATCH Inventory/…")."""
        return [f"{m} {r}" for m, r in NEEDS.get(capability, ())
                if (m, _pattern(r)) not in self.routes]

    def capabilities(self) -> dict[str, str]:
        return {cap: ("sba" if not self.problem and not self.unlisted(cap) else "none")
                for cap in NEEDS}

    def explain(self, capability: str) -> str:
        """Why SBA does or does not serve `capability`, in the words `check` prints."""
        if capability not in NEEDS:
            return "the connector uses no SBA route for this"
        if self.problem:
            return f"SBA is not usable: {self.problem}"
        missing = self.unlisted(capability)
        if missing:
            return f"SBA /help does not list {', '.join(missing)}"
        return "SBA /help lists " + ", ".join(f"{m} {r}" for m, r in NEEDS[capability])

    def close(self) -> None:
        """The HTTP client belongs to the gateway that opened it (factory)."""

    # --- HTTP ----------------------------------------------------------------------------
    def _call(self, method: str, path: str, *, what: str, body: dict[str, Any] | None = None,
              missing_ok: bool = False) -> Any:
        """`path` + `.json` (a JSON answer); a body goes wrapped as {"Payload": body}."""
        write = method != "GET"
        headers = {"Accept": "application/json"}
        content = None
        if body is not None:
            content = sba_codec.wrap(body)
            headers["Content-Type"] = "application/json"
        try:
            sent = self.http.send(method, f"{self.base}/{path}{sba_codec.JSON_SUFFIX}",
                                  content=content, headers=headers)
        except TransportFailure as exc:
            raise failure_to_error(exc, write=write, what=what) from None
        r = sent.response
        if r.status_code == 404 and missing_ok:
            return None
        if r.status_code >= 500 or r.status_code in (408, 429):
            raise status_error(r, write=write, what=what)
        content_type = r.headers.get("content-type", "")
        if r.status_code >= 400:
            message = (sba_codec.error_message(r.content, content_type)
                       or f"HTTP {r.status_code}")
            raise GPRefused(f"GP rejected {what}: {message}", messages=[message])
        try:
            data = sba_codec.parse(r.content, content_type)
        except ValueError:
            raise gp_unanswered(f"GP's SBA answer to {what} is neither JSON nor XML",
                                write=write) from None
        return sba_codec.payload(data)

    # --- items ---------------------------------------------------------------------------
    def _info(self, item: dict[str, Any], price: Decimal | None, site: str | None
              ) -> GPItemInfo:
        qty: Decimal | None = None  # unknown unless the answer lists quantities per site
        if site is not None and item.get("Sites") is not None:
            qty = Decimal("0")
            for s in sba_codec.entries(item.get("Sites")):
                if site.lower() == "all" or str(s.get("SiteId", "")).upper() == site.upper():
                    avail = _decimal(s.get("QuantityAvailable"))
                    if avail is None:
                        avail = (_decimal(s.get("QuantityOnHand")) or Decimal(0)) - (
                            _decimal(s.get("QuantityAllocated")) or Decimal(0))
                    qty += avail
        modified = None
        if item.get("ModifiedDate"):
            try:
                modified = utc(datetime.fromisoformat(str(item["ModifiedDate"])))
            except ValueError:
                modified = None
        return GPItemInfo(item_number=str(item.get("ItemNumber", "")),
                          description=str(item.get("ItemDescription", "")), price=price,
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
        items = sba_codec.entries(self._call("GET", "Inventory/Items", what="the item list"))
        return [self._info(i, self._price(str(i.get("ItemNumber", "")), price_level, uofm),
                           site) for i in items]

    def update_item(self, item_number: str, *, description: str | None = None,
                    price: Decimal | None = None, price_level: str = "",
                    uofm: str = "") -> None:
        if description is not None:
            self._call("PATCH", "Inventory/Items" + key(item_number),
                       what=f"item {item_number}", body={"ItemDescription": description})
        if price is not None:
            if not price_level or not uofm:
                raise GPUnsupported("a price update needs the price level and unit of measure")
            self._call("PATCH", "Inventory/ItemPriceLists" + key(
                item_number, self.currency, price_level, uofm),
                what=f"price of {item_number}", body={"Price": str(price)})

