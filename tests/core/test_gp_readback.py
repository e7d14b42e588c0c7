"""What GP computed itself, compared: tax rounding brought in line on the rounding line, GP's own
distributions against the GL mapping, and the read-back verdicts with both figures."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.gp.gateway import GPDistribution, GPDocument, GPLine, SalesInvoice
from core.pipeline.gp_tax import distribution_differences, rounded
from core.pipeline.gpdoc import verify

D = Decimal


def _doc(total: str, tax: str, *dists: GPDistribution) -> GPDocument:
    return GPDocument("WC1001", "invoice", "WC000001", D(total), "work", tax=D(tax),
                      distributions=tuple(dists))


def test_gp_tax_beyond_the_figures_is_a_tax_verdict_with_both_figures() -> None:
    v = verify(_doc("108.90", "8.90"), label="invoice WC1001", customer_id="WC000001",
               expected_total=D("108.88"), expected_tax=D("8.88"))
    assert not v.ok and v.reason == "tax"
    assert v.figures == {"gp_tax": "8.90", "woo_tax": "8.88", "difference": "-0.02",
                         "gp_total": "108.90", "woo_total": "108.88"}
    assert "GP computed tax 8.90" in v.detail and "charged 8.88" in v.detail
    # Equal tax: verified; tax_mode woo (no expected tax): an ordinary totals verdict.
    assert verify(_doc("108.88", "8.88"), label="x", customer_id="WC000001",
                  expected_total=D("108.88"), expected_tax=D("8.88")).ok
    assert verify(_doc("108.90", "8.90"), label="x", customer_id="WC000001",
                  expected_total=D("108.88")).reason == "totals"


def test_rounding_goes_on_the_rounding_line_and_keeps_distributions_balanced() -> None:
    inv = SalesInvoice("WC1001", "WC000001", "WC20261127", date(2026, 11, 27), "1001",
                       [GPLine("TEE", D(1), D("100.00"), D("100.00"))], total=D("100.00"),
                       distributions=[GPDistribution("RECV", "000-1200-00", debit=D("100.00")),
                                      GPDistribution("SALES", "000-4100-00",
                                                     credit=D("100.00"))])
    down = rounded(inv, D("-0.02"), "000-7900-00")
    assert (down.misc, down.trade_discount, down.total) == (D(0), D("0.02"), D("99.98"))
    up = rounded(inv, D("0.01"), "000-7900-00")
    assert (up.misc, up.trade_discount, up.total) == (D("0.01"), D(0), D("100.01"))
    for fixed in (down, up):
        assert sum(d.debit for d in fixed.distributions) == sum(
            d.credit for d in fixed.distributions)
        assert any(d.kind == "ROUNDING" and d.account == "000-7900-00"
                   for d in fixed.distributions)


def test_gps_own_distributions_are_compared_with_the_gl_mapping() -> None:
    doc = _doc("100.00", "0", GPDistribution("RECV", "000-1200-00 ", debit=D("100.00")),
               GPDistribution("SALES", "000-4100-99", credit=D("100.00")))
    accounts = {"receivables": "000-1200-00", "sales": "000-4100-00"}
    assert distribution_differences(doc, accounts) == [
        "SALES 100.00 to 000-4100-99 (GL mapping: 000-4100-00)"]  # trailing space: same key
    assert distribution_differences(_doc("1", "0"), accounts) == []
