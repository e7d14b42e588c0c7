"""Multicurrency in the GP stand-in over real loopback HTTP (NTLM, GP's real WSDL via zeep):
currencies with their decimals, exchange rate tables by date, the functional currency, and what a
document in another currency gets. Rules GP does not publish are marked inferred in the names."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from sandbox.gp import GPStandIn
from tests.sandbox.gp_support import GPClient
from tests.sandbox.test_gp_rules import create_invoice, messages


def _start(tmp_path, profile: str):
    standin = GPStandIn(tmp_path / "gp", profile=profile).start()
    client = GPClient(standin.wsdl_url, standin.soap_url, f"{standin.domain}\\{standin.user}",
                      standin.password)
    return standin, client


@pytest.fixture
def configured(tmp_path):
    standin, client = _start(tmp_path, "configured")
    yield standin, client
    client.close()
    standin.stop()


def _eur(client: GPClient, **extra):
    return {"CurrencyKey": client.gp.CurrencyKey(ISOCode="EUR"), **extra}


def test_configured_company_lists_usd_eur_gbp_with_decimals(configured):
    gp, client = configured
    listed = client.service.GetCurrencyList(client.gp.CurrencyCriteria(), client.context())
    assert {c.Key.ISOCode: (c.Id, c.DecimalPlaces) for c in listed} == {
        "EUR": ("Z-EURO", "Two"), "GBP": ("Z-UK", "Two"), "USD": ("Z-US$", "Two")}
    setup = httpx.get(f"{gp.base_url}/_sandbox/currencies", timeout=10).json()
    assert setup["functional"] == "USD"


def test_eur_invoice_takes_the_table_rate_for_its_date_and_keeps_functional_amounts(configured):
    gp, client = configured
    # Document date 2024-06-01: the EUR table's latest rate on or before it is 2024-01-01's.
    create_invoice(client, "EUR1", lines=[("CAP-CANVAS-NVY", "2", "18.00")], freight="4.99",
                   **_eur(client))
    doc = client.service.GetSalesInvoiceByKey(client.gp.SalesDocumentKey(Id="EUR1"),
                                              client.context())
    assert doc.CurrencyKey.ISOCode == "EUR"
    assert doc.ExchangeRate == Decimal("1.0850")
    assert doc.TotalAmount.Value == Decimal("40.99") and doc.TotalAmount.Currency == "EUR"
    [stored] = gp.state()["invoices"]
    assert stored["currency"] == "EUR" and stored["exchange_rate"] == "1.0850"
    # functional = originating x rate, at USD's 2 decimals (40.99 x 1.085 = 44.47415)
    assert stored["functional"]["total"] == "44.47"
    assert stored["functional"]["subtotal"] == "39.06"
    # Context.CurrencyType "Local": the same document in functional amounts.
    local = client.dyn.Context(OrganizationKey=client.dyn.CompanyKey(Id=-1),
                               CurrencyType="Local")
    doc = client.service.GetSalesInvoiceByKey(client.gp.SalesDocumentKey(Id="EUR1"), local)
    assert (doc.TotalAmount.Value, doc.TotalAmount.Currency) == (Decimal("44.47"), "USD")
    assert doc.CurrencyKey.ISOCode == "EUR"


def test_a_supplied_exchange_rate_is_used_instead_of_the_table(configured):
    gp, client = configured
    create_invoice(client, "EUR2", lines=[("CAP-CANVAS-NVY", "1", "100.00")],
                   **_eur(client, ExchangeRate=Decimal("1.2000")))
    [stored] = gp.state()["invoices"]
    assert stored["exchange_rate"] == "1.2000" and stored["functional"]["total"] == "120.00"


def test_a_currency_the_company_lacks_is_refused_with_gp_error_483(configured):
    gp, client = configured
    msgs = messages(client, lambda: create_invoice(
        client, "CHF1", CurrencyKey=client.gp.CurrencyKey(ISOCode="CHF")))
    assert any("Error Number = 483" in m and "The Currency ID does not exist in MC40200" in m
               for m in msgs)
    assert gp.documents("invoice") == []


def test_fresh_company_has_only_its_functional_currency(tmp_path):
    gp, client = _start(tmp_path, "fresh")
    try:
        listed = client.service.GetCurrencyList(client.gp.CurrencyCriteria(), client.context())
        assert [c.Key.ISOCode for c in listed] == ["USD"]
        msgs = messages(client, lambda: create_invoice(client, "EUR9", **_eur(client)))
        assert any("Error Number = 483" in m for m in msgs)
    finally:
        client.close()
        gp.stop()


def test_no_rate_on_or_before_the_exchange_date_is_refused_inferred_wording(configured):
    gp, client = configured
    msgs = messages(client, lambda: create_invoice(
        client, "EUR3", **_eur(client, ExchangeDate=datetime(2023, 12, 31, tzinfo=UTC))))
    assert any("exchange rate for currency EUR on 2023-12-31" in m for m in msgs)


def test_jpy_set_up_with_zero_decimals_holds_whole_yen_and_refuses_fractions_inferred(
        configured):
    gp, client = configured
    r = httpx.post(f"{gp.base_url}/_sandbox/currencies", timeout=10, json={
        "iso": "JPY", "id": "Z-JPY", "decimals": 0, "symbol": "¥",
        "rates": [["2024-01-01", "0.0067"]]})
    assert r.status_code == 200, r.text
    jpy = {"CurrencyKey": client.gp.CurrencyKey(ISOCode="JPY")}
    create_invoice(client, "JPY1", lines=[("CAP-CANVAS-NVY", "2", "1500")], freight="500",
                   **jpy)
    doc = client.service.GetSalesInvoiceByKey(client.gp.SalesDocumentKey(Id="JPY1"),
                                              client.context())
    assert (doc.TotalAmount.Value, doc.TotalAmount.DecimalDigits) == (Decimal("3500"), 0)
    assert doc.Lines.SalesInvoiceLine[0].UnitPrice.DecimalDigits == 0
    [stored] = gp.state()["invoices"]
    assert stored["functional"]["total"] == "23.45"  # 3500 x 0.0067
    msgs = messages(client, lambda: create_invoice(
        client, "JPY2", lines=[("CAP-CANVAS-NVY", "1", "1500.50")], **jpy))
    assert any("more decimal places than currency JPY allows (0)" in m for m in msgs)


def test_calculated_prices_come_from_the_documents_currency_price_list_inferred(configured):
    gp, client = configured
    r = httpx.post(f"{gp.base_url}/_sandbox/policy", timeout=10, json={
        "behavior": "Calculate Unit Price", "option": 1, "operation": "CreateSalesInvoice",
        "role": "ML Connector"})
    assert r.status_code == 200, r.text
    msgs = messages(client, lambda: create_invoice(client, "EUR5", **_eur(client)))
    assert any("No price is set up for item 'CAP-CANVAS-NVY'" in m and "currency EUR" in m
               for m in msgs)
