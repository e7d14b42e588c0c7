"""The money of one order, as GP will hold it, and whether it balances to WooCommerce's total.

GP's invoice total is lines - trade discount + freight + misc + tax. Each part is rounded to the
currency's decimals the way GP stores it; the sum must equal WooCommerce's `total` to the cent.
A difference within the tolerance goes to the rounding account (and is shown); beyond it the order
is held with the figures. Pure functions, Decimal only.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from core.money import ZERO, currency_decimals, to_cents
from core.woo.views import OrderView

__all__ = ["Figures", "currency_decimals", "order_figures", "split_unit_price"]


@dataclass(frozen=True)
class Figures:
    """Every amount of the GP document next to WooCommerce's total (for the console and audit)."""

    currency: str
    decimals: int
    lines: Decimal  # sum of line extended prices (before coupons)
    discount: Decimal  # coupons + negative fees, as GP's trade discount (positive)
    freight: Decimal
    misc: Decimal  # positive fees (without rounding)
    tax: Decimal
    woo_total: Decimal
    computed: Decimal  # lines - discount + freight + misc + tax
    difference: Decimal  # woo_total - computed
    rounding: Decimal  # what goes to the rounding account (0 when beyond tolerance)
    within_tolerance: bool

    @property
    def gp_total(self) -> Decimal:
        return self.computed + self.rounding

    def as_dict(self) -> dict[str, str]:
        return {k: str(getattr(self, k)) for k in (
            "currency", "lines", "discount", "freight", "misc", "tax", "woo_total", "computed",
            "difference", "rounding")}

    def describe(self) -> str:
        return (f"GP total {self.computed} (lines {self.lines} - discount {self.discount} "
                f"+ freight {self.freight} + misc {self.misc} + tax {self.tax}) vs WooCommerce "
                f"total {self.woo_total}: difference {self.difference}")


def order_figures(order: OrderView, *, tolerance: Decimal, tax_mode: str = "woo") -> Figures:
    d = currency_decimals(order.currency)

    def c(x: Decimal) -> Decimal:
        return to_cents(x, d)

    lines = sum((c(li.subtotal) for li in order.line_items), ZERO)
    fees = [c(f.total) for f in order.fee_lines]
    misc = sum((f for f in fees if f > 0), ZERO)
    # A negative fee is a discount the shop typed as a fee: GP has no negative miscellaneous
    # amount, so it joins the coupons as trade discount.
    discount = c(order.discount_total) + sum((-f for f in fees if f < 0), ZERO)
    freight = (sum((c(s.total) for s in order.shipping_lines), ZERO) if order.shipping_lines
               else c(order.shipping_total))
    tax = c(order.total_tax)
    woo_total = c(order.total)
    computed = lines - discount + freight + misc + tax
    difference = woo_total - computed
    ok = abs(difference) <= tolerance
    return Figures(order.currency, d, lines, discount, freight, misc, tax, woo_total, computed,
                   difference, difference if ok else ZERO, ok)


def split_unit_price(extended: Decimal, quantity: Decimal, decimals: int = 2
                     ) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(quantity, unit price, extended) rows GP's line check accepts, summing to `extended`.

    GP validates a line's unit price at the item currency's decimals against its extended price
    (round(extended / quantity, decimals) = unit price; error 722), and may recompute
    the extended price as quantity x unit price (Calculate Total Amount). WooCommerce's subtotal
    need not divide evenly (10.00 for 3), so a whole quantity is split in two rows a cent apart:
    k units at the floor price + 1 cent and the rest at the floor price (3.34 + 2 x 3.33). Each
    row then satisfies both of GP's rules exactly and nothing is left over. A fractional
    quantity that does not divide stays one row at the rounded unit price (GP's check passes;
    the read-back comparison catches a recomputed total)."""
    cent = Decimal(1).scaleb(-decimals)
    if quantity == 0:
        return [(quantity, ZERO, extended)]
    unit = to_cents(extended / quantity, decimals)
    if unit * quantity == extended or quantity != quantity.to_integral_value() or quantity < 0:
        return [(quantity, unit, extended)]
    floor = (extended / quantity).quantize(cent, rounding=ROUND_FLOOR)
    up = ((extended - floor * quantity) / cent).to_integral_value()  # units one cent dearer
    rows = []
    if up:
        rows.append((up, floor + cent, (floor + cent) * up))
    rows.append((quantity - up, floor, floor * (quantity - up)))
    return rows
