"""zeep loaded with GP's REAL WSDL (address overridden) talks to the stand-in over loopback + NTLM.

What the connector will do against a real GP must work here unchanged: customers, invoices,
credit memos, the validation log; GP-like validation faults for a 16-character customer id, an
unknown item and a duplicate invoice number; 401 for a wrong password.
"""
from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
import zeep
from httpx_ntlm import HttpNtlmAuth

from sandbox.gp import GPStandIn
from tests.conftest import shared_path
from tests.sandbox.gp_support import GPClient, log_id

pytestmark = pytest.mark.shared


@pytest.fixture
def client(real_wsdl_client):
    """Calls here go through Microsoft's WSDL, not the one the stand-in serves."""
    return real_wsdl_client


def _validation_messages(client: GPClient, fault: zeep.exceptions.Fault) -> list[str]:
    lid = log_id(fault)
    assert lid, "a validation fault carries the log GUID in <detail><...><Message>"
    result = client.service.GetLoggedValidationResultByKey(lid, client.context())
    return [e.Message for e in result.Errors.ValidationError]


def test_company_list_without_company_in_context(client):
    companies = client.service.GetCompanyList(None, client.context(company=None))
    assert [(c.Key.Id, c.Name) for c in companies] == [(-1, "Fabrikam, Inc.")]


def test_create_and_read_customer(client):
    client.service.CreateCustomer(client.customer("WEBC000042", "Ada Lovelace"), client.context(),
                                  client.policy("CreateCustomer"))
    customer = client.service.GetCustomerByKey(client.gp.CustomerKey(Id="WEBC000042"),
                                               client.context())
    assert customer.Name == "Ada Lovelace"
    assert customer.Addresses.CustomerAddress[0].City == "Portland"
    criteria = client.gp.CustomerCriteria(Id=client.gp.BetweenRestrictionOfString(
        EqualValue="WEBC000042"), Scope="Return All")
    found = client.service.GetCustomerList(criteria, client.context())
    assert [c.Key.Id for c in found] == ["WEBC000042"]


def test_invoice_create_get_list_and_credit_memo(client, gp):
    client.service.CreateCustomer(client.customer("WEBC1"), client.context(),
                                  client.policy("CreateCustomer"))
    invoice = client.invoice("WC1042", "WEBC1", [("MUG-STONE-12OZ", "3", "16.00"),
                                                 ("TEE-BLU-M", "1", "24.00")], freight="7.50",
                             po="1042")
    assert client.service.CreateSalesInvoice(invoice, client.context(),
                                             client.policy("CreateSalesInvoice")) is None
    read = client.service.GetSalesInvoiceByKey(client.gp.SalesDocumentKey(Id="WC1042"),
                                               client.context())
    assert read.TotalAmount.Value == Decimal("79.50")
    assert read.TransactionState == "Work" and read.CustomerPONumber == "1042"
    assert [ln.ItemKey.Id for ln in read.Lines.SalesInvoiceLine] == ["MUG-STONE-12OZ", "TEE-BLU-M"]
    listed = client.find_invoice("WC1042")
    assert [(s.Key.Id, s.TotalAmount.Value) for s in listed] == [("WC1042", Decimal("79.50"))]
    assert client.find_invoice("WC9999") is None  # an empty list deserialises to None

    memo = client.gp.ReceivablesCreditMemo(
        Key=client.gp.ReceivablesDocumentKey(Id="WCR1042-1"),
        CustomerKey=client.gp.CustomerKey(Id="WEBC1"), SalesAmount=client.money("16.00"),
        BatchKey=client.gp.BatchKey(Id="WEBRM0601", CreatedDateTime=zeep.xsd.SkipValue),
        Description="Refund 1 of order 1042", CustomerPONumber="1042")
    client.service.CreateReceivablesCreditMemo(memo, client.context(),
                                               client.policy("CreateReceivablesCreditMemo"))
    got = client.service.GetReceivablesCreditMemoByKey(
        client.gp.ReceivablesDocumentKey(Id="WCR1042-1"), client.context())
    assert got.DocumentAmount.Value == Decimal("16.00") and got.TransactionState == "Work"
    assert gp.count_invoices(po="1042") == 1
    assert [m["number"] for m in gp.state()["credit_memos"]] == ["WCR1042-1"]


def test_sixteen_character_customer_id_is_a_validation_fault(client, gp):
    with pytest.raises(zeep.exceptions.Fault) as exc:
        client.service.CreateCustomer(client.customer("X" * 16), client.context(),
                                      client.policy("CreateCustomer"))
    messages = _validation_messages(client, exc.value)
    assert any("Key.Id" in m and "15" in m for m in messages)
    assert "X" * 16 not in {c["id"] for c in gp.state()["customers"]}


def test_unknown_item_is_a_validation_fault(client, gp):
    with pytest.raises(zeep.exceptions.Fault) as exc:
        client.service.CreateSalesInvoice(
            client.invoice("WC2001", "AARONFIT0001", [("NO-SUCH-SKU", "1", "5.00")]),
            client.context(), client.policy("CreateSalesInvoice"))
    assert any("NO-SUCH-SKU" in m and "ITEMNMBR" in m for m in _validation_messages(client,
                                                                                   exc.value))
    assert gp.count_invoices(customer="AARONFIT0001") == 0


def test_duplicate_invoice_number_is_a_validation_fault(client, gp):
    invoice = client.invoice("WC3001", "AARONFIT0001", [("CAP-WOOL-GRY", "1", "24.00")])
    client.service.CreateSalesInvoice(invoice, client.context(),
                                      client.policy("CreateSalesInvoice"))
    with pytest.raises(zeep.exceptions.Fault) as exc:
        client.service.CreateSalesInvoice(invoice, client.context(),
                                          client.policy("CreateSalesInvoice"))
    assert any(m.startswith("Error Number = 2221 ") for m in _validation_messages(client,
                                                                                 exc.value))
    assert gp.count_invoices(customer="AARONFIT0001") == 1


def test_wrong_password_gets_401(gp):
    with httpx.Client(auth=HttpNtlmAuth(f"{gp.domain}\\{gp.user}", "not-the-password")) as http:
        r = http.post(gp.soap_url, content=b"<x/>", headers={"Content-Type": "text/xml"})
    assert r.status_code == 401
    # IIS's Windows Authentication offers both schemes again after a failed handshake
    assert r.headers.get_list("www-authenticate") == ["Negotiate", "NTLM"]


def test_calculate_unit_price_reprices_from_the_price_list(tmp_path):
    gp = GPStandIn(tmp_path / "gp", calculate_unit_price=True).start()
    try:
        client = GPClient(shared_path("gp", "DynamicsGP.wsdl"), gp.soap_url,
                          f"{gp.domain}\\{gp.user}", gp.password)
        policy = client.policy("CreateSalesInvoice")
        calc = [b for b in policy.Behaviors.Behavior
                if b.Key.Id == "2e873316-fee1-460e-8da1-12167013401b"][0]
        assert calc.Internal is True and calc.SelectedOption.Key.Id == 1  # Calculate
        # WooCommerce sold the cap at 10.00; GP's RETAIL list says 18.00 and wins silently.
        client.service.CreateSalesInvoice(
            client.invoice("WC4001", "ADAMPARK0001", [("CAP-CANVAS-NVY", "2", "10.00")]),
            client.context(), policy)
        read = client.service.GetSalesInvoiceByKey(client.gp.SalesDocumentKey(Id="WC4001"),
                                                   client.context())
        assert read.Lines.SalesInvoiceLine[0].UnitPrice.Value == Decimal("18.00")
        assert read.TotalAmount.Value == Decimal("36.00")
        client.close()
    finally:
        gp.stop()
