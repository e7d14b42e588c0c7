"""GP's sales tax in the stand-in (gp.md §12, §22 "Tax"): the document's, freight's and misc's
schedules, tax details kept per line (SOP10105), rounding per detail at the currency's decimals,
and taxes provided checked detail by detail. Against the configured profile (a shop taxing goods
and shipping at 8.875 % in NY, nothing where it collects no tax) unless a test says otherwise.
Names ending in `_inferred` rest on what gp.md marks inferred (/_sandbox/help lists them)."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
import zeep

from sandbox.gp import GPStandIn
from sandbox.gp.help_text import INFERRED
from tests.conftest import shared_path
from tests.sandbox.gp_support import GPClient, log_id

ROLE = "ML Connector"


def policy(gp: GPStandIn, behaviour: str, option: int) -> None:
    for operation in ("CreateSalesInvoice", "UpdateSalesInvoice"):
        r = httpx.post(f"{gp.control_url}/policy", json={
            "behavior": behaviour, "option": option, "operation": operation, "role": ROLE},
            timeout=30)
        assert r.status_code == 200, r.text


def create(c: GPClient, inv) -> None:
    c.service.CreateSalesInvoice(inv, c.context(), c.policy("CreateSalesInvoice"))


def refused(c: GPClient, inv) -> list[str]:
    with pytest.raises(zeep.exceptions.Fault) as exc:
        create(c, inv)
    lid = log_id(exc.value)
    assert lid, exc.value.message
    result = c.service.GetLoggedValidationResultByKey(lid, c.context())
    return [e.Message for e in result.Errors.ValidationError]


def read(c: GPClient, number: str):
    return c.service.GetSalesInvoiceByKey(c.gp.SalesDocumentKey(Id=number), c.context())


def rows(array, name="SalesDocumentTax") -> list[tuple[str, Decimal]]:
    items = getattr(array, name) if array is not None else []
    return [(t.Key.TaxDetailKey.Id, t.TaxAmount.Value) for t in items]


def new_customer(c: GPClient, cid: str) -> None:
    """A customer as the connector creates one: its address carries no tax schedule."""
    c.service.CreateCustomer(c.customer(cid, "Web Buyer"), c.context(), c.policy("CreateCustomer"))


# ---- GP computes ("Calculate Taxes") ----------------------------------------------------------

def test_freight_is_taxed_by_the_freight_schedule_in_the_taxed_state(client, gp):
    """NY: 8.875 % on goods and shipping. Goods 36.00 -> 3.195 -> 3.20; freight 7.50 ->
    0.665625 -> 0.67, each rounded per detail; TaxAmount 3.87 = the sum of every detail."""
    policy(gp, "Create Taxes", 1)
    new_customer(client, "WEBNY01")
    inv = client.invoice("WC8001", "WEBNY01", [("CAP-CANVAS-NVY", "2", "18.00")],
                         freight="7.50", total="47.37",
                         TaxScheduleKey=client.gp.TaxScheduleKey(Id="WEB-NY"))
    create(client, inv)
    doc = read(client, "WC8001")
    assert rows(doc.Taxes) == [("WEB-NY", Decimal("3.20"))]
    assert rows(doc.FreightTaxes) == [("WEB-NY", Decimal("0.67"))]
    assert doc.FreightTaxAmount.Value == Decimal("0.67")
    assert doc.TaxAmount.Value == Decimal("3.87")
    assert doc.TotalAmount.Value == Decimal("47.37")
    assert doc.TaxScheduleKey.Id == "WEB-NY" and doc.FreightTaxScheduleKey.Id == "WEB-FREIGHT"
    assert doc.FreightTaxBasis == "Taxable"
    line = doc.Lines.SalesInvoiceLine[0]
    assert rows(line.Taxes, "SalesLineTax") == [("WEB-NY", Decimal("3.20"))]
    assert line.TaxAmount.Value == Decimal("3.20")


def test_an_order_shipped_where_no_tax_is_collected_is_not_taxed(client, gp):
    """No schedule on the document, none on the ship-to address, none in SOP setup: neither the
    goods nor the freight are taxed (GP would tax the freight only by details common to the
    document's schedule and the freight schedule)."""
    policy(gp, "Create Taxes", 1)
    new_customer(client, "WEBOR01")
    create(client, client.invoice("WC8002", "WEBOR01", [("CAP-CANVAS-NVY", "2", "18.00")],
                                  freight="7.50", total="43.50"))
    doc = read(client, "WC8002")
    assert doc.TaxAmount.Value == 0 and doc.FreightTaxAmount.Value == 0
    assert doc.Taxes is None and doc.FreightTaxes is None


def test_freight_is_taxed_only_by_details_common_to_both_schedules(client, gp):
    """USASTCITY-6* (6 % state + 1 % city) on the goods; the freight schedule holds only the web
    shop's details, so no detail is common and freight stays untaxed."""
    policy(gp, "Create Taxes", 1)
    create(client, client.invoice("WC8003", "ADAMPARK0001", [("CAP-CANVAS-NVY", "1", "18.00")],
                                  freight="10.00", total="29.26"))
    doc = read(client, "WC8003")
    assert rows(doc.Taxes) == [("USASTE-PS6N0", Decimal("1.08")), ("USACITY-1", Decimal("0.18"))]
    assert doc.FreightTaxes is None and doc.TaxAmount.Value == Decimal("1.26")


def test_fresh_gp_leaves_freight_untaxed(tmp_path):
    """SOP setup's default freight tax basis is Nontaxable."""
    gp = GPStandIn(tmp_path / "gp", profile="fresh").start()
    c = GPClient(gp.wsdl_url, gp.soap_url, f"{gp.domain}\\{gp.user}", gp.password)
    try:
        inv = c.invoice("WC8004", "ADAMPARK0001", [("CAP-CANVAS-NVY", "1", "18.00")],
                        freight="10.00")
        inv.TotalAmount = None  # fresh GP calculates the total itself
        create(c, inv)
        doc = read(c, "WC8004")
        assert doc.FreightTaxBasis == "Nontaxable" and doc.FreightTaxes is None
        assert doc.TaxAmount.Value == Decimal("1.26")
    finally:
        c.close()
        gp.stop()


def test_each_line_keeps_its_tax_per_detail_and_the_lines_add_up_to_the_document(client, gp):
    """Three lines at 0.75: per line 8.875 % is 0.0665625 -> 0.07 each (0.21 summed); GP rounds
    the detail once on 2.25 -> 0.1996875 -> 0.20, and the line rows add up to it."""
    policy(gp, "Create Taxes", 1)
    new_customer(client, "WEBNY02")
    gp.store.set_price("CAP-CANVAS-NVY", "RETAIL", "USD", "Each", Decimal("0.75"),
                       datetime(2024, 1, 1, tzinfo=UTC))
    lines = [("CAP-CANVAS-NVY", "1", "0.75")] * 3
    create(client, client.invoice("WC8005", "WEBNY02", lines, total="2.45",
                                  TaxScheduleKey=client.gp.TaxScheduleKey(Id="WEB-NY")))
    doc = read(client, "WC8005")
    assert rows(doc.Taxes) == [("WEB-NY", Decimal("0.20"))]
    per_line = [rows(ln.Taxes, "SalesLineTax") for ln in doc.Lines.SalesInvoiceLine]
    assert all(len(r) == 1 and r[0][0] == "WEB-NY" for r in per_line)
    assert sum(r[0][1] for r in per_line) == Decimal("0.20")
    assert [ln.TaxAmount.Value for ln in doc.Lines.SalesInvoiceLine] == [r[0][1]
                                                                       for r in per_line]
    keys = [ln.Taxes.SalesLineTax[0].Key.SalesLineKey.LineSequenceNumber
            for ln in doc.Lines.SalesInvoiceLine]
    assert keys == [16384, 32768, 49152]


def test_a_document_tax_schedule_that_does_not_exist_is_refused_with_7023(client, gp):
    policy(gp, "Create Taxes", 1)
    inv = client.invoice("WC8006", "ADAMPARK0001", [("CAP-CANVAS-NVY", "1", "18.00")],
                         TaxScheduleKey=client.gp.TaxScheduleKey(Id="NO-SUCH"))
    msgs = refused(client, inv)
    assert any("Error Number = 7023" in m and "TX00101" in m for m in msgs), msgs


# ---- taxes provided ("Taxes Will Be Provided", the configured role) ---------------------------

def _line_tax(c: GPClient, detail: str, value: str):
    return c.gp.ArrayOfSalesLineTax(SalesLineTax=[c.gp.SalesLineTax(
        TaxAmount=c.money(value), Key=c.gp.SalesLineTaxKey(TaxDetailKey=c.gp.TaxDetailKey(
            Id=detail)))])


def _with_line_taxes(c: GPClient, number: str, detail: str, line_tax: str, detail_tax: str,
                     header_tax: str):
    inv = c.invoice(number, "ADAMPARK0001", [("CAP-CANVAS-NVY", "1", "18.00")],
                    total=str(Decimal("18.00") + Decimal(header_tax)))
    line = inv.Lines.SalesInvoiceLine[0]
    line.TaxAmount = c.money(line_tax)
    line.Taxes = _line_tax(c, detail, detail_tax)
    inv.TaxAmount = c.money(header_tax)
    return inv


def test_provided_line_tax_detail_that_does_not_exist_is_refused_inferred(client, gp):
    policy(gp, "Use Header Level Taxes", 0)
    msgs = refused(client, _with_line_taxes(client, "WC8010", "NO-SUCH-TAX", "1.60", "1.60",
                                            "1.60"))
    assert ("The Tax Detail ID (TAXDTLID) 'NO-SUCH-TAX' does not exist in the Sales/Purchases "
            "Tax Master - TX00201") in msgs


def test_provided_line_tax_different_from_its_details_is_refused_inferred(client, gp):
    policy(gp, "Use Header Level Taxes", 0)
    msgs = refused(client, _with_line_taxes(client, "WC8011", "WEB-NY", "1.60", "1.59", "1.60"))
    assert any("Line tax amount (TAXAMNT) 1.60 does not equal the tax details in SOP10105 "
               "(1.59)" in m for m in msgs), msgs


def test_provided_header_tax_different_from_the_line_details_is_refused_inferred(client, gp):
    policy(gp, "Use Header Level Taxes", 0)
    msgs = refused(client, _with_line_taxes(client, "WC8012", "WEB-NY", "1.60", "1.60", "1.61"))
    assert any("Tax amount (TAXAMNT) 1.61 does not equal the tax details in SOP10105 (1.60)"
               in m for m in msgs), msgs
    create(client, _with_line_taxes(client, "WC8013", "WEB-NY", "1.60", "1.60", "1.60"))
    doc = read(client, "WC8013")
    assert rows(doc.Taxes) == [("WEB-NY", Decimal("1.60"))]
    assert rows(doc.Lines.SalesInvoiceLine[0].Taxes, "SalesLineTax") == [("WEB-NY",
                                                                          Decimal("1.60"))]


def test_line_details_are_refused_under_header_level_taxes_inferred(client, gp):
    msgs = refused(client, _with_line_taxes(client, "WC8014", "WEB-NY", "1.60", "1.60", "1.60"))
    assert any("Use Header Level Taxes behaviour is on" in m for m in msgs), msgs


def test_provided_freight_tax_must_equal_its_details_and_count_in_the_header_inferred(
        client, gp):
    def inv(number: str, freight_tax: str, header_tax: str):
        doc = client.invoice(number, "ADAMPARK0001", [("CAP-CANVAS-NVY", "1", "18.00")],
                             freight="10.00", total=str(Decimal("28.00") + Decimal(header_tax)))
        doc.Taxes = client.gp.ArrayOfSalesDocumentTax(SalesDocumentTax=[
            client.gp.SalesDocumentTax(TaxAmount=client.money("1.60"), Key=client.gp.
                                       SalesDocumentTaxKey(SequenceNumber=1, TaxDetailKey=client.
                                                           gp.TaxDetailKey(Id="WEB-NY")))])
        doc.FreightTaxes = client.gp.ArrayOfSalesDocumentTax(SalesDocumentTax=[
            client.gp.SalesDocumentTax(TaxAmount=client.money("0.89"), Key=client.gp.
                                       SalesDocumentTaxKey(SequenceNumber=1, TaxDetailKey=client.
                                                           gp.TaxDetailKey(Id="WEB-NY")))])
        doc.FreightTaxAmount = client.money(freight_tax)
        doc.TaxAmount = client.money(header_tax)
        return doc

    msgs = refused(client, inv("WC8020", "0.88", "2.49"))
    assert any("Freight tax amount (FRTTXAMT) 0.88 does not equal the tax details in SOP10105 "
               "(0.89)" in m for m in msgs), msgs
    msgs = refused(client, inv("WC8021", "0.89", "1.60"))  # freight tax left out of the header
    assert any("Tax amount (TAXAMNT) 1.60 does not equal the tax details in SOP10105 (2.49)"
               in m for m in msgs), msgs
    create(client, inv("WC8022", "0.89", "2.49"))
    doc = read(client, "WC8022")
    assert doc.TaxAmount.Value == Decimal("2.49") and doc.TotalAmount.Value == Decimal("30.49")
    assert rows(doc.FreightTaxes) == [("WEB-NY", Decimal("0.89"))]
    # GP's distributions would carry both; the configured role provides its own instead.


def test_help_lists_the_tax_facts_it_infers():
    text = " ".join(INFERRED)
    assert "freight" in text.lower() and "SOP10105" in text


@pytest.mark.shared
def test_taxed_document_reads_back_strictly_over_gps_real_wsdl(client, gp):
    """Every tax element the stand-in now serves (document, freight and line tax details, the
    schedules, FreightTaxAmount) parses with a strict client built from GP's own WSDL."""
    policy(gp, "Create Taxes", 1)
    new_customer(client, "WEBNY03")
    create(client, client.invoice("WC8030", "WEBNY03", [("CAP-CANVAS-NVY", "2", "18.00")],
                                  freight="7.50", total="47.37",
                                  TaxScheduleKey=client.gp.TaxScheduleKey(Id="WEB-NY")))
    real = GPClient(shared_path("gp", "DynamicsGP.wsdl"), gp.soap_url,
                    f"{gp.domain}\\{gp.user}", gp.password)
    try:
        assert real.client.wsdl.settings.strict is True
        doc = read(real, "WC8030")
        assert rows(doc.FreightTaxes) == [("WEB-NY", Decimal("0.67"))]
        assert rows(doc.Lines.SalesInvoiceLine[0].Taxes, "SalesLineTax") == [
            ("WEB-NY", Decimal("3.20"))]
        assert doc.MiscellaneousTaxAmount.Value == 0 and doc.MiscellaneousTaxBasis == "Nontaxable"
    finally:
        real.close()
