"""WooCommerce line items -> GP invoice lines.

SKU -> GP item by the explicit SKU map first, then by exact match against GP's items (the caller
resolves both into `items`, so this stays pure). A line whose SKU GP does not know, or a line with
no SKU at all, makes the whole order wait: no silent fallback item unless configured.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from core.gp.gateway import GPLine
from core.money import ZERO, to_cents
from core.skus import no_sku_key
from core.woo.views import LineView

from .totals import split_unit_price

ITEM_MAX = 30
DESCRIPTION_MAX = 100
UOFM_MAX = 8
SITE_MAX = 10


def sku_key(line: LineView) -> str:
    """The key a line is looked up and flagged under: its SKU, or "(no sku) product N" (the
    variation's id for a variation without a SKU, as intake records it)."""
    return line.sku if line.sku else no_sku_key(line.variation_id or line.product_id)


def sku_keys(lines: Iterable[LineView]) -> list[str]:
    seen: dict[str, None] = {}
    for line in lines:
        seen.setdefault(sku_key(line), None)
    return list(seen)


@dataclass(frozen=True)
class UnknownSku:
    sku: str  # the flag key (see sku_key)
    product_name: str
    product_id: int


def resolve_items(lines: Iterable[LineView], items: Mapping[str, str | None], *,
                  fallback_item: str | None = None
                  ) -> tuple[dict[str, str], list[UnknownSku]]:
    """sku key -> GP item for every line, and the SKUs nobody could map."""
    found: dict[str, str] = {}
    unknown: dict[str, UnknownSku] = {}
    for line in lines:
        key = sku_key(line)
        item = items.get(key)
        if item and len(item) <= ITEM_MAX:
            found[key] = item
        elif fallback_item:
            found[key] = fallback_item
        else:
            unknown.setdefault(key, UnknownSku(key, line.display_name or line.name,
                                                line.product_id))
    return found, list(unknown.values())


def map_lines(lines: Iterable[LineView], resolved: Mapping[str, str], *, uofm: str, site: str,
              sales_account: str, decimals: int = 2, sign: int = 1,
              after_discount: bool = False) -> list[GPLine]:
    """GP lines at WooCommerce's pre-coupon prices (coupons become the trade discount).

    `sign=-1` reads refund lines (negative quantities and totals) as positive return lines;
    `after_discount` prices them at what was actually charged (a refund gives back `total`)."""
    out: list[GPLine] = []
    for line in lines:
        quantity = line.quantity * sign
        amount = line.total if after_discount else line.subtotal
        extended = to_cents(amount * sign, decimals)
        tax = to_cents(line.total_tax * sign, decimals)
        rows = split_unit_price(extended, quantity, decimals)
        tax_left = tax
        for i, (qty, unit, ext) in enumerate(rows):
            part_tax = tax_left if i == len(rows) - 1 else (
                to_cents(tax * qty / quantity, decimals) if quantity else ZERO)
            tax_left -= part_tax
            out.append(GPLine(item=resolved[sku_key(line)], quantity=qty, unit_price=unit,
                              extended_price=ext, description=line.name[:DESCRIPTION_MAX],
                              uofm=uofm, site=site, discount=ZERO, tax=part_tax,
                              sales_account=sales_account))
    return out


def lines_total(lines: Iterable[GPLine]) -> Decimal:
    return sum((li.extended_price for li in lines), ZERO)
