"""Property: invoice lines GP's line check accepts, adding up to WooCommerce's line to the cent.

GP validates a line as round(extended / quantity, currency decimals) = unit price (gp.md §22,
error 722; both documented cases below) and, under "Calculate Total Amount", recomputes the
extended price as quantity x unit price — the stand-in's rule (sandbox/gp/sop.py). Every row
`split_unit_price` makes must pass both, carry a unit price at the currency's decimals, and the
rows must add up to the WooCommerce line exactly.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from core.mapping.totals import split_unit_price

D = Decimal


def gp_line_check(quantity: Decimal, unit: Decimal, extended: Decimal, decimals: int) -> bool:
    """GP's documented check (error 722 when False)."""
    step = D(1).scaleb(-decimals)
    return (extended / quantity).quantize(step, rounding=ROUND_HALF_UP) == unit


def standin_extended(quantity: Decimal, unit: Decimal, decimals: int) -> Decimal:
    """The stand-in's (and Calculate Total Amount's) extended price: quantity x unit, rounded."""
    return (quantity * unit).quantize(D(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def test_the_two_documented_cases() -> None:
    assert gp_line_check(D(231), D("233.69"), D("53981.87"), 2)  # accepted by GP
    assert not gp_line_check(D(8), D("261.12"), D("2089.00"), 2)  # refused, error 722
    rows = split_unit_price(D("2089.00"), D(8))
    assert rows == [(D(4), D("261.13"), D("1044.52")), (D(4), D("261.12"), D("1044.48"))]


@settings(max_examples=2000, deadline=None)
@given(st.integers(0, 10_000_000), st.integers(1, 5_000), st.sampled_from([0, 2, 3]))
def test_split_rows_pass_gps_check_and_sum_to_the_woocommerce_line(cents: int, quantity: int,
                                                                   decimals: int) -> None:
    extended = D(cents).scaleb(-decimals)
    qty = D(quantity)
    rows = split_unit_price(extended, qty, decimals)
    assert 1 <= len(rows) <= 2
    assert sum(r[2] for r in rows) == extended
    assert sum(r[0] for r in rows) == qty
    for q, unit, ext in rows:
        assert q > 0 and unit >= 0
        assert unit == unit.quantize(D(1).scaleb(-decimals))  # at the currency's decimals
        assert gp_line_check(q, unit, ext, decimals)
        assert standin_extended(q, unit, decimals) == ext
    if len(rows) == 2:  # a cent apart, never a lump on one unit
        assert rows[0][1] - rows[1][1] == D(1).scaleb(-decimals)


@settings(max_examples=500, deadline=None)
@given(st.integers(1, 1_000_000), st.integers(1, 999))
def test_fractional_quantities_still_pass_gps_documented_check(cents: int, thousandths: int
                                                               ) -> None:
    extended, qty = D(cents).scaleb(-2), D(thousandths).scaleb(-3) + D(1)
    [(q, unit, ext)] = split_unit_price(extended, qty, 2)
    assert (q, ext) == (qty, extended) and gp_line_check(q, unit, ext, 2)
