"""Flagged SKUs: WooCommerce SKUs GP does not know, and the fix that replays their orders."""
from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from core.clock import SYSTEM_CLOCK, Clock
from core.replay import replay_orders
from core.store import audit
from core.store.db import database, tuples
from core.store.models import FlaggedSku, GpItem, Order, OrderSku, SkuMap
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
    return flagged


@dataclass(frozen=True)
class FlaggedRow:
    sku: str
    product_name: str | None
    waiting_orders: int
    suggestion: str | None  # an exact (case-insensitive) GP item match, if one exists


def open_flags() -> list[FlaggedRow]:
    """Unresolved flagged SKUs with how many held orders wait on each."""
    waiting = (OrderSku.select(OrderSku.sku, fn.COUNT(OrderSku.order).alias("n"))
               .join(Order).where((Order.state == DocState.HELD) & (Order.hold_reason == "sku"))
               .group_by(OrderSku.sku))
    counts = {sku: n for sku, n in tuples(waiting)}
    rows = []
    for f in FlaggedSku.select().where(FlaggedSku.resolved_at.is_null()).order_by(FlaggedSku.sku):
        rows.append(FlaggedRow(f.sku, f.product_name, counts.get(f.sku, 0), suggest_item(f.sku)))
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


def map_sku(sku: str, gp_item: str, *, actor: str, clock: Clock = SYSTEM_CLOCK) -> int:
    """Save SKU -> GP item, resolve the flag, replay the orders waiting on it.
    Returns how many orders were replayed."""
    gp_item = gp_item.strip().upper()
    if not gp_item or len(gp_item) > 30:
        raise ValueError("a GP item number is 1 to 30 characters")
    now = clock.now()
    with database.atomic("IMMEDIATE"):
        existing = SkuMap.get_or_none(SkuMap.woo_sku == sku)
        if existing:
            SkuMap.update(gp_item=gp_item, created_by=actor, created_at=now).where(
                SkuMap.id == existing.id).execute()
        else:
            SkuMap.create(woo_sku=sku, gp_item=gp_item, created_by=actor, created_at=now)
        FlaggedSku.update(resolved_at=now, resolved_by=actor, gp_item=gp_item).where(
            FlaggedSku.sku == sku).execute()
        audit.record("sku", sku, "mapped", f"SKU {sku or '(none)'} mapped to GP item {gp_item}",
                     actor=actor, clock=clock,
                     data={"previous": existing.gp_item if existing else None})
    return replay_orders(sku=sku, held_reason="sku", actor=actor, clock=clock,
                         why=f"SKU {sku} mapped to {gp_item}")


def map_all_exact_matches(*, actor: str, clock: Clock = SYSTEM_CLOCK) -> dict[str, int]:
    """Map every flagged SKU that has an exact GP item match; returns sku -> orders replayed."""
    done: dict[str, int] = {}
    for row in open_flags():
        if row.suggestion:
            done[row.sku] = map_sku(row.sku, row.suggestion, actor=actor, clock=clock)
    return done
