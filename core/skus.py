"""Flagged SKUs: WooCommerce SKUs GP does not know, and the fix that replays their orders."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from peewee import fn

from core.clock import SYSTEM_CLOCK, Clock
from core.replay import replay_orders
from core.store import audit
from core.store.db import database, tuples
from core.store.models import FlaggedSku, GpItem, Order, OrderSku, ProductLink, SkuMap
from core.store.states import DocState

NO_SKU_PREFIX = "(no sku) product "


def no_sku_key(product_id: int | None) -> str:
    """A line without a SKU is flagged under its product, so it can be mapped too."""
    return f"{NO_SKU_PREFIX}{product_id or 0}"


def gp_item_for(sku: str) -> str | None:
    """The GP item for a WooCommerce SKU: an explicit map first, else None (exact match is the
    caller's job, since it needs GP's item list)."""
    row = SkuMap.get_or_none(SkuMap.woo_sku == sku)
    return row.gp_item if row else None


def flag_sku(sku: str, *, product_name: str | None, woo_product_id: int | None,
             clock: Clock = SYSTEM_CLOCK) -> FlaggedSku:
    """Record an unknown SKU (call inside the transaction that holds the order)."""
    now = clock.now()
    flagged = FlaggedSku.get_or_none(FlaggedSku.sku == sku)
    if flagged is None:
        flagged = FlaggedSku.create(sku=sku, product_name=product_name,
                                    woo_product_id=woo_product_id, first_seen_at=now)
        audit.record("sku", sku, "flagged", f"SKU {sku or '(none)'} is not a GP item: orders "
                     "using it are held until it is mapped", actor="worker", clock=clock,
                     data={"product": product_name})
    elif flagged.resolved_at is not None:
        FlaggedSku.update(resolved_at=None, resolved_by=None, gp_item=None).where(
            FlaggedSku.id == flagged.id).execute()
    if product_name and flagged.product_name != product_name:  # e.g. now with its variation
        FlaggedSku.update(product_name=product_name).where(FlaggedSku.id == flagged.id).execute()
    return flagged


@dataclass(frozen=True)
class FlaggedRow:
    sku: str
    product_name: str | None
    waiting_orders: int
    suggestion: str | None  # an exact (case-insensitive) GP item match, if one exists
    product_id: int | None = None  # WooCommerce's product (or variation) id


def open_flags() -> list[FlaggedRow]:
    """Unresolved flagged SKUs with how many held orders wait on each."""
    waiting = (OrderSku.select(OrderSku.sku, fn.COUNT(OrderSku.order).alias("n"))
               .join(Order).where((Order.state == DocState.HELD) & (Order.hold_reason == "sku"))
               .group_by(OrderSku.sku))
    counts = {sku: n for sku, n in tuples(waiting)}
    rows = []
    for f in FlaggedSku.select().where(FlaggedSku.resolved_at.is_null()).order_by(FlaggedSku.sku):
        rows.append(FlaggedRow(f.sku, f.product_name, counts.get(f.sku, 0), suggest_item(f.sku),
                               f.woo_product_id))
    return rows


def suggest_item(sku: str) -> str | None:
    if not sku or sku.startswith(NO_SKU_PREFIX):
        return None
    hit = GpItem.get_or_none(fn.UPPER(GpItem.item_number) == sku.upper())
    return hit.item_number if hit else None


def waiting_orders(sku: str) -> list[Order]:
    return list(Order.select().join(OrderSku).where(
        (OrderSku.sku == sku) & (Order.state == DocState.HELD) & (Order.hold_reason == "sku"))
        .order_by(Order.id))


class SkuMapError(ValueError):
    """A mapping the connector refuses, with the reason in the accountant's words."""


def synced_with(gp_item: str) -> str | None:
    """The WooCommerce SKU whose product is synced with `gp_item` (name, price, stock)."""
    link = ProductLink.get_or_none(fn.UPPER(ProductLink.gp_item) == gp_item.upper())
    return link.sku if link else None


def map_sku(sku: str, gp_item: str, *, actor: str, clock: Clock = SYSTEM_CLOCK,
            sync: bool = False) -> int:
    """Save SKU -> GP item, resolve the flag, replay the orders waiting on it.
    Returns how many orders were replayed.

    A mapping is for posting only: orders with this SKU are invoiced with `gp_item`, and the
    product sync leaves this product alone. `sync=True` also syncs the product's name, price
    and stock with the item, refused when another product is already synced with it (two
    products on one item would overwrite each other on every pass)."""
    gp_item = gp_item.strip().upper()
    if not gp_item or len(gp_item) > 30:
        raise SkuMapError("a GP item number is 1 to 30 characters")
    now = clock.now()
    with database.atomic("IMMEDIATE"):
        other = synced_with(gp_item)
        if sync and other is not None and other != sku:
            raise SkuMapError(f"GP item {gp_item} is already synced with WooCommerce SKU "
                              f"{other}: map {sku or '(none)'} for posting only")
        existing = SkuMap.get_or_none(SkuMap.woo_sku == sku)
        if existing:
            SkuMap.update(gp_item=gp_item, created_by=actor, created_at=now, sync=sync).where(
                SkuMap.id == existing.id).execute()
        else:
            SkuMap.create(woo_sku=sku, gp_item=gp_item, created_by=actor, created_at=now,
                          sync=sync)
        FlaggedSku.update(resolved_at=now, resolved_by=actor, gp_item=gp_item).where(
            FlaggedSku.sku == sku).execute()
        how = "for posting and product sync" if sync else "for posting only (not synced)"
        audit.record("sku", sku, "mapped", f"SKU {sku or '(none)'} mapped to GP item {gp_item} "
                     f"{how}", actor=actor, clock=clock,
                     data={"previous": existing.gp_item if existing else None, "sync": sync})
    return replay_orders(sku=sku, held_reason="sku", actor=actor, clock=clock,
                         why=f"SKU {sku} mapped to {gp_item}")


def unmap_sku(sku: str, *, actor: str, clock: Clock = SYSTEM_CLOCK) -> str | None:
    """Remove a mapping; returns the GP item it pointed at (None: there was none). Nothing is
    replayed and nothing posted changes: the next order with this SKU is held and flagged
    again, and a product synced through it stops syncing at the next product pass."""
    with database.atomic("IMMEDIATE"):
        row = SkuMap.get_or_none(SkuMap.woo_sku == sku)
        if row is None:
            return None
        row.delete_instance()
        audit.record("sku", sku, "unmapped", f"SKU {sku or '(none)'} no longer mapped to GP "
                     f"item {row.gp_item}; posted documents unchanged, nothing replayed",
                     actor=actor, clock=clock, data={"gp_item": row.gp_item, "sync": row.sync})
    return str(row.gp_item)


def map_all_exact_matches(*, actor: str, clock: Clock = SYSTEM_CLOCK) -> dict[str, int]:
    """Map every flagged SKU that has an exact GP item match; returns sku -> orders replayed."""
    done: dict[str, int] = {}
    for row in open_flags():
        if row.suggestion:
            done[row.sku] = map_sku(row.sku, row.suggestion, actor=actor, clock=clock)
    return done


@dataclass(frozen=True)
class SkuMapping:
    """One explicit mapping, as the console lists it."""

    sku: str
    gp_item: str
    sync: bool
    product_name: str | None
    created_by: str
    created_at: Any


def sku_mappings() -> list[SkuMapping]:
    names = {f.sku: f.product_name for f in FlaggedSku.select(FlaggedSku.sku,
                                                              FlaggedSku.product_name)}
    return [SkuMapping(m.woo_sku, m.gp_item, bool(m.sync), names.get(m.woo_sku), m.created_by,
                       m.created_at) for m in SkuMap.select().order_by(SkuMap.woo_sku)]


def item_uses(items: Iterable[str]) -> dict[str, str]:
    """GP item -> what already uses it, in words ("synced; posting for TEE-BLU-XL", "synced
    with WEB-MUG"), for the item picker."""
    wanted = list(items)
    uses: dict[str, list[str]] = {}
    for link in ProductLink.select(ProductLink.gp_item, ProductLink.sku).where(
            ProductLink.gp_item.in_(wanted)):
        # "synced" alone when the product's SKU is the item number (the usual case).
        uses.setdefault(link.gp_item, []).append(
            "synced" if link.sku.upper() == link.gp_item.upper() else f"synced with {link.sku}")
    for m in SkuMap.select(SkuMap.gp_item, SkuMap.woo_sku, SkuMap.sync).where(
            SkuMap.gp_item.in_(wanted)):
        if not m.sync:
            uses.setdefault(m.gp_item, []).append(f"posting for {m.woo_sku}")
    return {item: "; ".join(words) for item, words in uses.items()}


@dataclass(frozen=True)
class MapEffect:
    """What mapping a SKU to an item will do, spelled out before the accountant confirms."""

    sku: str
    gp_item: str
    item_description: str
    waiting_orders: int
    synced_with: str | None  # the SKU whose product is synced with the item already
    previous: str | None  # the item this SKU was mapped to before

    @property
    def can_sync(self) -> bool:
        return self.synced_with in (None, self.sku)

    def sentences(self) -> list[str]:
        out = [f"{self.waiting_orders} held order(s) with SKU {self.sku or '(none)'} go back to "
               f"the posting queue and are invoiced with GP item {self.gp_item}."]
        if self.previous and self.previous != self.gp_item:
            out.append(f"It replaces the mapping to {self.previous}; documents already posted "
                       "keep the item they were posted with.")
        if self.synced_with and self.synced_with != self.sku:
            out.append(f"GP item {self.gp_item} is synced with WooCommerce SKU "
                       f"{self.synced_with}: this mapping is for posting only, so the product "
                       "sync leaves this product's name, price and stock alone.")
        else:
            out.append("For posting only, unless you choose to sync this product's name, price "
                       "and stock with the item as well.")
        return out


def map_effect(sku: str, gp_item: str) -> MapEffect:
    item = GpItem.get_or_none(GpItem.item_number == gp_item)
    previous = gp_item_for(sku)
    return MapEffect(sku, gp_item.strip().upper(), item.description if item else "",
                     len(waiting_orders(sku)), synced_with(gp_item), previous)
