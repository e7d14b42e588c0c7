"""Which WooCommerce change-feed entries need no GP read in an incremental pass.

WooCommerce's `modified_after` feed (with its overlap window) brings back every product touched
lately — including the ones the sync itself just wrote (a price write modifies the product) and
edits to fields the sync does not carry. Reading GP for each of them made a "nothing changed"
pass cost four SOAP calls per recently touched product (issue 16: 4,221 GP requests for 1,054
links). An entry whose synced fields all still equal the link's last synced values, for an item
GP's own change tracking does not list, has nothing to sync: it is left out, so the pass costs in
proportion to what changed. The full scan (every [products] scan_interval_s) stays the backstop.
"""
from __future__ import annotations

from collections.abc import Iterable

from core.products.fields import FIELDS, WooEntry, same
from core.products.links import base_of
from core.store.models import ProductLink


def unchanged_since_synced(entry: WooEntry, link: ProductLink) -> bool:
    """True when every synced field of `entry` equals the link's base (its last synced value)."""
    base = base_of(link)
    return all(same(f, getattr(entry, f), base[f]) for f in FIELDS)


def quiet_skus(entries: dict[str, WooEntry], links: dict[str, ProductLink], *,
               gp_changed: Iterable[str], keep: Iterable[str]) -> list[str]:
    """SKUs of `entries` with nothing to sync: linked, unchanged since synced, their GP item not
    in GP's change list, and not asked for (`keep`: webhook hints, resolved tasks)."""
    changed = set(gp_changed)
    wanted = set(keep)
    return [sku for sku, entry in entries.items()
            if sku not in wanted and (link := links.get(sku)) is not None
            and link.gp_item not in changed and unchanged_since_synced(entry, link)]
