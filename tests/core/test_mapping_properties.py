"""Property: every mapped document balances to the WooCommerce total, or is held with the figures.

Hypothesis builds WooCommerce-shaped orders the way the store computes them (line subtotals,
coupon discounts spread over lines, several tax rates per line, shipping, positive and negative
fees) with ordinary 2-decimal amounts and with the odd decimals real stores produce ("round tax at
subtotal", unpadded coupon strings, 3-4 decimal line amounts), then formats money as strings.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.config import PostingSettings
from core.mapping import Held, MappedInvoice, map_invoice
from core.mapping.rules import check_invoice
from core.money import to_cents
from core.woo.views import OrderView
from tests.core.mapping_fixtures import inputs_for

RATES = [Decimal("8.875"), Decimal("5"), Decimal("7.25"), Decimal("20"), Decimal("0"),
         Decimal("2.5")]


def _q(x: Decimal, places: int) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _s(x: Decimal) -> str:
    """WooCommerce-ish money text: unpadded when it has no trailing decimals worth keeping."""
    return format(x.normalize(), "f") if x == x.to_integral() else str(x)


@st.composite
def woo_orders(draw: st.DrawFn) -> dict[str, Any]:
    odd = draw(st.booleans())  # amounts with 3-4 decimals, as with "round tax at subtotal"
    places = draw(st.sampled_from([3, 4])) if odd else 2
    rate_ids = draw(st.lists(st.integers(0, len(RATES) - 1), min_size=0, max_size=3,
                             unique=True))
    coupon_pct = draw(st.sampled_from([Decimal(0), Decimal(0), Decimal(10), Decimal("15"),
                                       Decimal("33.3")]))
    lines = []
    tax_by_rate: dict[int, Decimal] = {r: Decimal(0) for r in rate_ids}
    ship_tax_by_rate: dict[int, Decimal] = {r: Decimal(0) for r in rate_ids}
    for i in range(draw(st.integers(1, 6))):
        qty = draw(st.integers(1, 25))
        unit = Decimal(draw(st.integers(1, 99_999))) / (1000 if odd else 100)
        subtotal = _q(unit * qty, places)
        discount = _q(subtotal * coupon_pct / 100, places)
        total = subtotal - discount
        taxes = []
        line_rates = draw(st.lists(st.sampled_from(rate_ids), unique=True)) if rate_ids else []
        for r in line_rates:
            t = _q(total * RATES[r] / 100, places)
            st_ = _q(subtotal * RATES[r] / 100, places)
            tax_by_rate[r] += t
            taxes.append({"id": r + 1, "total": str(t), "subtotal": str(st_)})
        lines.append({"id": 100 + i, "name": f"Item {i}", "product_id": 10 + i,
                      "variation_id": 0, "quantity": qty, "sku": f"SKU-{i}",
                      "subtotal": str(subtotal), "subtotal_tax": "0", "total": str(total),
                      "total_tax": str(sum((Decimal(t["total"]) for t in taxes), Decimal(0))),
                      "taxes": taxes, "price": float(total / qty)})
    shipping = []
    for j in range(draw(st.integers(0, 2))):
        amount = Decimal(draw(st.integers(0, 5000))) / 100
        taxes = []
        for r in rate_ids[:1]:
            t = _q(amount * RATES[r] / 100, places)
            ship_tax_by_rate[r] += t
            taxes.append({"id": r + 1, "total": str(t), "subtotal": ""})
        shipping.append({"id": 200 + j, "method_title": "Flat rate", "method_id": "flat_rate",
                         "total": str(amount), "taxes": taxes,
                         "total_tax": str(sum((Decimal(t["total"]) for t in taxes), Decimal(0)))})
    fees = []
    for k in range(draw(st.integers(0, 2))):
        amount = Decimal(draw(st.integers(-1500, 2500))) / 100
        fees.append({"id": 300 + k, "name": f"Fee {k}", "total": str(amount), "total_tax": "0",
                     "tax_status": "none", "amount": ""})
    line_total = sum((Decimal(li["total"]) for li in lines), Decimal(0))
    # A negative fee cannot take the order below zero in WooCommerce.
    fee_total = sum((Decimal(f["total"]) for f in fees), Decimal(0))
    if line_total + fee_total < 0:
        fees = []
        fee_total = Decimal(0)
    ship_total = sum((Decimal(s["total"]) for s in shipping), Decimal(0))
    cart_tax = sum(tax_by_rate.values(), Decimal(0))
    ship_tax = sum(ship_tax_by_rate.values(), Decimal(0))
    discount_total = sum((Decimal(li["subtotal"]) - Decimal(li["total"]) for li in lines),
                         Decimal(0))
    total = _q(line_total + ship_total + fee_total + cart_tax + ship_tax, 2)
    tax_lines = [{"id": 400 + r, "rate_id": r + 1, "rate_code": f"R{r}", "label": f"Tax {r}",
                  "compound": False, "tax_total": str(tax_by_rate[r]),
                  "shipping_tax_total": str(ship_tax_by_rate[r]), "rate_percent": float(RATES[r])}
                 for r in rate_ids]
    coupons = ([{"id": 500, "code": "save", "discount": _s(discount_total), "discount_tax": "0",
                 "discount_type": "percent"}] if discount_total else [])
    gateway = draw(st.sampled_from(["bacs", "cheque", "cod", "stripe", "ppcp"]))
    return {
        "id": 1000, "number": "1000", "status": "processing", "currency": "USD",
        "customer_id": draw(st.sampled_from([0, 7])),
        "billing": {"first_name": "Ana", "last_name": "Ruiz", "email": "ana@example.com",
                    "address_1": "1 Main St", "city": "Austin", "state": "TX",
                    "postcode": "78701", "country": "US"},
        "shipping": {},
        "payment_method": gateway, "payment_method_title": gateway,
        "date_created_gmt": "2026-11-27T08:00:00", "date_paid_gmt": "2026-11-27T08:00:01",
        "discount_total": _s(_q(discount_total, 2)) if not odd else str(discount_total),
        "discount_tax": "0", "shipping_total": str(ship_total), "shipping_tax": str(ship_tax),
        "cart_tax": str(cart_tax), "total_tax": str(cart_tax + ship_tax), "total": f"{total:.2f}",
        "line_items": lines, "shipping_lines": shipping, "fee_lines": fees,
        "coupon_lines": coupons, "tax_lines": tax_lines, "refunds": [],
        "_odd": odd,
    }


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(woo_orders(), st.sampled_from(["0.02", "0.02", "0"]))
def test_mapped_invoice_balances_to_woo_total_or_is_held_with_figures(payload: dict,
                                                                      tolerance: str) -> None:
    odd = payload.pop("_odd")
    order = OrderView.from_payload(payload)
    posting = PostingSettings(rounding_tolerance=tolerance,
                              gateways={"stripe": {"payment_type": "credit_card",
                                                   "card_type": "STRIPE"},
                                        "ppcp": {"payment_type": "credit_card",
                                                 "card_type": "PAYPAL"}})
    result = map_invoice(order, inputs_for(order, posting))
    woo_total = to_cents(order.total)
    if isinstance(result, Held):
        # Only the totals can hold a fully mapped, fully configured order, and it says why.
        assert result.reason == "totals", result
        assert result.figures is not None
        assert Decimal(result.figures["woo_total"]) == woo_total
        assert abs(Decimal(result.figures["difference"])) > Decimal(tolerance)
        assert result.figures["computed"] != result.figures["woo_total"]
        assert odd  # clean 2-decimal orders always balance exactly
        return
    assert isinstance(result, MappedInvoice), result
    inv = result.invoice
    assert inv.total == woo_total
    assert check_invoice(inv) == []
    lines = sum((li.extended_price for li in inv.lines), Decimal(0))
    assert lines - inv.trade_discount + inv.freight + inv.misc + inv.tax == woo_total
    debit = sum((d.debit for d in inv.distributions), Decimal(0))
    credit = sum((d.credit for d in inv.distributions), Decimal(0))
    assert debit == credit and debit >= woo_total
    assert abs(result.figures.rounding) <= Decimal(tolerance)
    if not odd:
        assert result.figures.rounding == 0
    if result.paid:
        assert sum((p.amount for p in inv.payments), Decimal(0)) == woo_total
    else:
        assert inv.payments == []
