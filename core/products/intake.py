"""Product webhooks: a hint, never the truth. The webhook processor calls

    product_changed(payload, clock=clock)

for product topics. It only decides whether the next sync pass should look at a SKU: our own
write coming back (the same `date_modified_gmt` we recorded from the batch answer, or values
equal to the synced base) is recognised here and dropped, so it cannot bounce. A real change
queues a `sync_product` hint; the pass re-reads both sides before writing anything.
"""
from __future__ import annotations

from typing import Any

from core.clock import Clock
from core.products.fields import FIELDS, WooEntry, entry_from_woo, same
from core.products.links import base_of
from core.store import queue
from core.store.db import database
from core.store.models import ProductLink

HINT_JOB = "sync_product"


def hint_key(sku: str) -> str:
    return f"product:{sku}"


def product_changed(payload: dict[str, Any], *, clock: Clock) -> None:
    """Queue a sync hint for what this product delivery changed (nothing for our own echo)."""
    if not isinstance(payload, dict) or "id" not in payload:
        return
    skus: list[str] = []
    if payload.get("type") == "variable":
        # A parent is not an item, but its name is part of every variation's name.
        skus = [link.sku for link in ProductLink.select(ProductLink.sku).where(
            (ProductLink.woo_product_id == int(payload["id"]))
            & ProductLink.woo_variation_id.is_null(False))]
    else:
        entry = entry_from_woo(payload)
        if entry is None:
            return  # deleted ({"id": N}), no SKU, grouped/external: nothing to sync
        link = ProductLink.get_or_none(ProductLink.sku == entry.sku)
        if link is not None and _is_echo(link, entry):
            return
        skus = [entry.sku]
    if not skus:
        return
    with database.atomic():
        for sku in skus:
            queue.enqueue(HINT_JOB, hint_key(sku), clock=clock)


def _is_echo(link: ProductLink, entry: WooEntry) -> bool:
    """Our own write read back, or a change to something we do not sync (a description)."""
    if entry.modified_gmt is not None and entry.modified_gmt == link.woo_modified_gmt:
        return True  # exactly the state our batch write (or the last pass) left behind
    base = base_of(link)
    if all(base[f] is None for f in FIELDS):
        return False  # never synced: let the pass decide
    return all(same(f, entry.value(f), base[f]) for f in FIELDS)
