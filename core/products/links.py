"""Links: a WooCommerce product or variation (by SKU) <-> a GP item, with the synced base.

Variations are links of their own (their SKU, their item); a variable parent is never an item.
The GP item is the SKU map's override when there is one, else the exact SKU (GP shows item
numbers in upper case, so an upper-case match counts as exact). Every change to a link or its
base is written with its audit event in the same transaction (entity "product", id = SKU).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from core.clock import Clock
from core.products.fields import FIELDS, Value, WooEntry, to_text
from core.store import audit
from core.store.db import database
from core.store.models import ProductLink, SkuMap

ACTOR = "worker:products"
_BASE_COLUMN = {"name": "base_name", "price": "base_price", "quantity": "base_quantity"}


def resolve_item(sku: str, gp_numbers: set[str], overrides: dict[str, str]) -> str | None:
    """The GP item for a WooCommerce SKU, or None when GP has no such item."""
    if sku in overrides:
        return overrides[sku]
    if sku in gp_numbers:
        return sku
    upper = sku.upper()
    return upper if upper in gp_numbers else None


def sku_overrides() -> dict[str, str]:
    """SKU mappings the accountant chose to sync as well as post with (SkuMap.sync)."""
    return {row.woo_sku: row.gp_item for row in SkuMap.select(SkuMap.woo_sku, SkuMap.gp_item)
            .where(SkuMap.sync == True)}  # noqa: E712 (peewee builds SQL from ==)


def posting_only_skus() -> set[str]:
    """SKUs mapped to a GP item for posting only: never a product-sync link (DESIGN §4)."""
    return {row.woo_sku for row in SkuMap.select(SkuMap.woo_sku).where(
        SkuMap.sync == False)}  # noqa: E712


def linked_items(*, ignoring: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
    """GP item -> the one WooCommerce SKU synced with it (links of `ignoring` SKUs left out:
    a database from before posting-only mappings may hold a second link to be removed)."""
    return {row.gp_item: row.sku for row in ProductLink.select(ProductLink.gp_item,
                                                                ProductLink.sku)
            if row.sku not in ignoring}


def base_of(link: ProductLink) -> dict[str, Value | None]:
    return {f: getattr(link, _BASE_COLUMN[f]) for f in FIELDS}


def links_by_sku(skus: Iterable[str] | None = None) -> dict[str, ProductLink]:
    query = ProductLink.select()
    if skus is not None:
        wanted = list(set(skus))
        out: dict[str, ProductLink] = {}
        for i in range(0, len(wanted), 500):  # SQLite's variable limit
            for link in query.where(ProductLink.sku.in_(wanted[i:i + 500])):
                out[link.sku] = link
        return out
    return {link.sku: link for link in query}


def ensure_links(entries: Iterable[WooEntry], gp_numbers: set[str], *, clock: Clock,
                 dry_run: bool = False) -> tuple[dict[str, ProductLink], list[str]]:
    """Links for every entry whose SKU is a GP item, created or re-pointed as needed.

    Returns (sku -> link, SKUs GP does not know). A new link has no base yet: its first pass
    follows the field owners (compare.py).
    """
    entries = list(entries)
    existing = links_by_sku(e.sku for e in entries)
    overrides = sku_overrides()
    posting_only = posting_only_skus()
    taken = linked_items(ignoring=posting_only)  # one GP item is synced with at most one product
    links: dict[str, ProductLink] = {}
    unknown: list[str] = []
    unlinked: list[ProductLink] = []
    now = clock.now()
    changed: list[tuple[ProductLink, str, dict[str, Any]]] = []
    for e in entries:
        # A posting-only mapping is not in `overrides`: only an exact SKU match links it.
        item = resolve_item(e.sku, gp_numbers, overrides)
        link = existing.get(e.sku)
        if item is not None and taken.get(item, e.sku) != e.sku:
            item = None  # another product is synced with this item: a second link would fight
        if item is None:
            unknown.append(e.sku)
            if link is not None and (e.sku in posting_only or taken.get(link.gp_item) != e.sku
                                     or link.gp_item in gp_numbers):
                unlinked.append(link)  # mapped for posting only, or the item is another's
            elif link is not None:
                links[e.sku] = link  # keep it: GP may be briefly unreadable for this item
            continue
        taken[item] = e.sku
        if link is None:
            link = ProductLink(sku=e.sku, woo_product_id=e.product_id,
                               woo_variation_id=e.variation_id, gp_item=item, updated_at=now)
            changed.append((link, "linked", {"gp_item": item, "woo_product_id": e.product_id,
                                             "woo_variation_id": e.variation_id}))
        elif (link.gp_item, link.woo_product_id, link.woo_variation_id) != (
                item, e.product_id, e.variation_id):
            before = {"gp_item": link.gp_item, "woo_product_id": link.woo_product_id,
                      "woo_variation_id": link.woo_variation_id}
            link.gp_item, link.woo_product_id, link.woo_variation_id = (
                item, e.product_id, e.variation_id)
            link.updated_at = now
            if before["gp_item"] != item:  # another item: its values are not our base
                link.base_name = link.base_price = link.base_quantity = None
            changed.append((link, "relinked", {"before": before, "gp_item": item}))
        links[e.sku] = link
    if unlinked and not dry_run:
        _unlink(unlinked, clock=clock)
    if changed and not dry_run:
        with database.atomic():
            for link, kind, data in changed:
                link.save()
                verb = "linked to" if kind == "linked" else "now linked to"
                audit.record("product", link.sku, kind,
                             f"WooCommerce SKU {link.sku} {verb} GP item {link.gp_item}",
                             actor=ACTOR, data=data, clock=clock)
    return links, unknown


def _unlink(links: list[ProductLink], *, clock: Clock) -> None:
    """Stop syncing these products (their tasks go with them), each change audited."""
    with database.atomic():
        for link in links:
            ProductLink.delete().where(ProductLink.id == link.id).execute()
            audit.record("product", link.sku, "unlinked",
                         f"WooCommerce SKU {link.sku} no longer synced with GP item "
                         f"{link.gp_item}: its SKU mapping is for posting only, or another "
                         "product is synced with that item", actor=ACTOR, clock=clock,
                         data={"gp_item": link.gp_item})


def save_base(link: ProductLink, values: Mapping[str, Value | None], *, kind: str, message: str,
              clock: Clock, data: dict[str, Any] | None = None,
              woo_modified: datetime | None = None, gp_modified: datetime | None = None,
              actor: str = ACTOR) -> None:
    """Set the base of some fields and audit it. Call inside the caller's transaction."""
    now = clock.now()
    update: dict[Any, Any] = {ProductLink.last_synced_at: now, ProductLink.updated_at: now}
    for f, v in values.items():
        update[getattr(ProductLink, _BASE_COLUMN[f])] = None if v is None else (
            str(v) if f == "name" else v)
        setattr(link, _BASE_COLUMN[f], v)
    if woo_modified is not None:
        update[ProductLink.woo_modified_gmt] = woo_modified
        link.woo_modified_gmt = woo_modified
    if gp_modified is not None:
        update[ProductLink.gp_modified_at] = gp_modified
        link.gp_modified_at = gp_modified
    ProductLink.update(update).where(ProductLink.id == link.id).execute()
    payload = {"base": {f: to_text(f, v) for f, v in values.items()}}
    if data:
        payload.update(data)
    audit.record("product", link.sku, kind, message, actor=actor, data=payload, clock=clock)
