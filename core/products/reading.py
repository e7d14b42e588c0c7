"""Reading both sides: WooCommerce products and variations, GP items, prices and stock.

Full scan: every WooCommerce product page (100 a page, only the fields we compare) and the
variations of each variable product; GP's whole item list at the configured price level, unit
and site in one gateway call. Incremental: WooCommerce products modified since the cursor (less
an overlap), GP's changed-key list since its cursor, plus the SKUs a webhook hinted at; the other
side of each touched link is then read by SKU (one call per 50 SKUs) or by item.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from core.gp.gateway import GPGateway, GPItemInfo
from core.products.fields import WooEntry, entry_from_woo

WOO_FIELDS = ("id,sku,name,type,parent_id,regular_price,manage_stock,stock_quantity,"
              "date_modified_gmt,attributes,variations")
SKUS_PER_CALL = 50  # keeps the query string short; WooCommerce matches a comma list exactly


class WooProducts(Protocol):
    """What product sync needs from core.woo.client.WooClient."""

    def list_products(self, page: int = 1, per_page: int = 100, *,
                      sku: str | list[str] | None = None, modified_after: datetime | None = None,
                      fields: str | list[str] | None = None, **extra: Any) -> Any: ...
    def list_variations(self, product_id: int, *, per_page: int = 100) -> list[dict[str, Any]]: ...
    def batch_products(self, *, update: list[dict[str, Any]] | None = None,
                       create: list[dict[str, Any]] | None = None) -> dict[str, Any]: ...
    def batch_variations(self, product_id: int, *, update: list[dict[str, Any]] | None = None
                         ) -> dict[str, Any]: ...


def _pages(woo: WooProducts, **params: Any) -> Iterable[dict[str, Any]]:
    page = 1
    while True:
        result = woo.list_products(page, 100, fields=WOO_FIELDS, **params)
        yield from result.items
        if not result.has_next or not result.items:
            return
        page += 1


def _entries(woo: WooProducts, products: Iterable[dict[str, Any]]) -> dict[str, WooEntry]:
    out: dict[str, WooEntry] = {}
    for p in products:
        if p.get("type") == "variable":
            for v in woo.list_variations(int(p["id"])):
                e = entry_from_woo(v, parent=p)
                if e is not None:
                    out[e.sku] = e
            continue
        e = entry_from_woo(p)
        if e is not None:
            out[e.sku] = e
    return out


def read_woo_all(woo: WooProducts) -> dict[str, WooEntry]:
    """SKU -> entry for every simple product and variation in the store."""
    return _entries(woo, _pages(woo))


def read_woo_modified(woo: WooProducts, since: datetime) -> dict[str, WooEntry]:
    return _entries(woo, _pages(woo, modified_after=since))


def read_woo_skus(woo: WooProducts, skus: Iterable[str]) -> dict[str, WooEntry]:
    """Entries for these SKUs; `?sku=` also returns variations (full title, parent_id)."""
    wanted = sorted(set(skus))
    out: dict[str, WooEntry] = {}
    for i in range(0, len(wanted), SKUS_PER_CALL):
        for p in _pages(woo, sku=",".join(wanted[i:i + SKUS_PER_CALL])):
            e = entry_from_woo(p)
            if e is not None and e.sku in wanted:
                out[e.sku] = e
    return out


def read_gp_all(gateway: GPGateway, *, price_level: str, uofm: str,
                site: str) -> dict[str, GPItemInfo]:
    return {i.item_number: i for i in gateway.list_items(price_level=price_level, uofm=uofm,
                                                         site=site)}


def read_gp_items(gateway: GPGateway, items: Iterable[str], *, price_level: str, uofm: str,
                  site: str) -> dict[str, GPItemInfo]:
    out: dict[str, GPItemInfo] = {}
    for number in sorted(set(items)):
        info = gateway.item_snapshot(number, price_level=price_level, uofm=uofm, site=site)
        if info is not None:
            out[info.item_number] = info
    return out
