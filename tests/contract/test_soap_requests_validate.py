"""Every SOAP request the connector builds is valid for GP's real schema.

The gateway runs for real over zeep loaded with the real legacy WSDL (../shared/gp); only the
wire is replaced: each request is built with zeep's `create_message` (the exact envelope the
gateway would post), validated with lxml against the WSDL's own schemas, and answered with a
small typed object so multi-step flows (find -> read by key -> update) reach their later
requests. The same validation runs on live traffic in tests/core/test_gp_standin.py.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal as D
from typing import Any

import httpx
import pytest
from lxml import etree

from core.errors import GPError
from core.gp.gateway import (
    AdjustmentLine,
    CompanyInfo,
    CreditMemo,
    GPAddress,
    GPCustomer,
    GPDistribution,
    GPLine,
    GPPayment,
    GPUnsupported,
    SalesInvoice,
    SalesReturn,
)
from core.gp.http import GPHttp
from core.gp.policy import posting_policy
from core.gp.soap import DYN_NS, SoapClient
from core.gp.soap_gateway import SoapGateway
from core.gp.soap_policy import behaviours
from core.gp.soap_render import NotPrepared
from core.gp.wsdl_cache import WsdlCache
from tests.conftest import shared_path
from tests.contract.gp_schema import assert_valid, compile_schema

pytestmark = pytest.mark.shared

PREPARED: set[str] = set()  # operations the prepared renderer built in this module's tests


class RecordingClient(SoapClient):
    """SoapClient whose wire is "build the envelope, validate it, answer from a table"."""

    schema: Any
    answers: dict[str, Callable[[dict[str, Any]], Any]]
    sent: list[str]

    def _send(self, op: str, kwargs: dict[str, Any]) -> Any:
        envelope = self.message(op, kwargs)
        assert assert_valid(self.schema, envelope, op) == op
        # What the gateway really posts (the prepared renderer's, core.gp.soap_render, when it
        # covers the request) is byte for byte zeep's own, so it validates too.
        try:
            self._renderer.envelope(self.service._binding, op, kwargs)
            PREPARED.add(op)
        except NotPrepared:
            pass
        posted, headers = self.envelope(op, kwargs)
        assert etree.tostring(posted) == etree.tostring(envelope), op
        assert headers["Content-Type"] == "text/xml; charset=utf-8" and "SOAPAction" in headers
        self.sent.append(op)
        answer = self.answers.get(op)
        return answer(kwargs) if answer else None


@pytest.fixture(scope="module")
def real_schema(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return compile_schema(shared_path("gp", "DynamicsGP.wsdl"),
                          tmp_path_factory.mktemp("gp-schema"))


@pytest.fixture(scope="module")
def shared_client(real_schema: Any) -> RecordingClient:
    """One zeep client over the real WSDL per module: loading its types is the slow part."""
    wsdl = shared_path("gp", "DynamicsGP.wsdl")
    http = GPHttp(httpx.Client(), "FABRIKAM\\svc")  # never used: nothing goes on the wire
    client = RecordingClient(http, soap_url="https://gp.test:48620/x.asmx", company="Fabrikam",
                             cache=WsdlCache(None), wsdl_override=str(wsdl))
    client.schema = real_schema
    return client


@pytest.fixture
def rec(shared_client: RecordingClient) -> RecordingClient:
    client = shared_client
    client.sent = []
    client._company = None
    client._policies.clear()
    t = client.t
    client.answers = {
        "GetPolicyByOperation": lambda kw: t("Policy")(
            Key={"Id": "4d060bdc-fa1e-4ea1-9e89-e1d19a5cb2ce"}, Name=kw["operation"],
            Behaviors={"Behavior": [t("Behavior")(
                Key={"Id": "2e873316-fee1-460e-8da1-12167013401b"},
                Name="Calculate Unit Price", Internal=True,
                SelectedOption={"Key": {"Id": 0}, "Name": "Do Not Calculate"})]}),
        "GetCompanyList": lambda kw: t("ArrayOfCompany")(Company=[
            t("Company")(Key=t("CompanyKey", DYN_NS)(Id=-1), Name="Fabrikam")]),
    }
    return client


def _invoice(**over: Any) -> SalesInvoice:
    base: dict[str, Any] = dict(
        number="WC1042", customer_id="WC000017", batch="WC20261127",
        doc_date=date(2026, 11, 27), po_number="1042",
        lines=[GPLine("BLU-TEE-M", D("2"), D("19.99"), D("39.98"), "Blue tee M",
                      sales_account="4100-01"),
               GPLine("MUG-01", D("1.5"), D("8"), D("11.00"), discount=D("1.00"),
                      tax=D("0.66"))],
        freight=D("5.00"), misc=D("1.50"), trade_discount=D("2.00"), tax=D("3.96"),
        total=D("59.44"), note="Woo order 1042", tax_details=[("USASTE-6%", D("3.96"))],
        distributions=[GPDistribution("RECV", "1200-00", debit=D("59.44")),
                       GPDistribution("SALES", "4100-01", credit=D("51.98")),
                       GPDistribution("ROUNDING", "7999-00", credit=D("0.01"))],
        payments=[GPPayment("credit_card", D("59.44"), "STRIPE", "VISA", "ch_3Nx")],
        hold=True)
    base.update(over)
    return SalesInvoice(**base)


def test_company_policy_and_context(rec: RecordingClient) -> None:
    gw = SoapGateway(rec)
    assert gw.company() == CompanyInfo(-1, "Fabrikam")
    [unit] = behaviours(rec, "CreateSalesInvoice")
    assert (unit.name, unit.option) == ("Calculate Unit Price", "Do Not Calculate")
    assert posting_policy({"CreateSalesInvoice": [unit]}).keeps_unit_prices is True
    assert rec.sent == ["GetCompanyList", "GetPolicyByOperation"]


def test_distributions_sent_only_when_the_policy_will_use_them(rec: RecordingClient) -> None:
    """GP's default ("Automatically Create Distributions") ignores supplied distributions: the
    connector sends none and reads GP's back; "Will Be Provided" gets the GL mapping's."""
    rec.use_company(CompanyInfo(-1, "Fabrikam"))
    t = rec.t
    bodies: list[dict[str, Any]] = []
    for option in ("Automatically Create Distributions", "Distributions Will Be Provided"):
        rec._policies.clear()
        rec.answers["GetPolicyByOperation"] = lambda kw, o=option: t("Policy")(
            Key={"Id": "4d060bdc-fa1e-4ea1-9e89-e1d19a5cb2ce"}, Name=kw["operation"],
            Behaviors={"Behavior": [t("Behavior")(
                Key={"Id": "e476a157-ecf0-4dae-8cef-317dd2cfbe41"},
                Name="Create GL Account Distributions", Internal=True,
                SelectedOption={"Key": {"Id": 0}, "Name": o})]})
        rec.answers["CreateSalesInvoice"] = lambda kw: bodies.append(kw["salesInvoice"])
        SoapGateway(rec).create_sales_invoice(_invoice())
    assert "Distributions" not in bodies[0] and "Distributions" in bodies[1]


def test_invoice_requests(rec: RecordingClient) -> None:
    rec.use_company(CompanyInfo(-1, "Fabrikam"))
    gw = SoapGateway(rec, invoice_doc_id="STDINV")
    gw.create_sales_invoice(_invoice())
    gw.create_sales_invoice(_invoice(number="WC1043", payments=[], distributions=[],
                                     tax_details=[], hold=False, trade_discount=D("0")))
    gw.create_sales_invoice(_invoice(number="WC1044", payments=[
        GPPayment("check", D("10"), "FIRSTBANK", reference="1001"),
        GPPayment("cash", D("49.44"), "CASHBOX")]))
    assert gw.find_sales_invoice("WC1042") is None  # an empty list answer means "not found"
    gw.void_sales_invoice("WC1042")
    assert rec.sent.count("CreateSalesInvoice") == 3
    assert {"GetSalesInvoiceList", "VoidSalesInvoice", "GetPolicyByOperation"} <= set(rec.sent)


def test_found_invoice_reads_by_key_and_updates(rec: RecordingClient) -> None:
    rec.use_company(CompanyInfo(-1, "Fabrikam"))
    t = rec.t
    rec.answers["GetSalesInvoiceList"] = lambda kw: t("ArrayOfSalesInvoiceSummary")(
        SalesInvoiceSummary=[t("SalesInvoiceSummary")(Key={"Id": "WC1042"})])
    rec.answers["GetSalesInvoiceByKey"] = lambda kw: t("SalesInvoice")(
        Key={"Id": "WC1042"}, CustomerKey={"Id": "WC000017"},
        BatchKey={"Id": "WC20261127", "CreatedDateTime": datetime(2026, 11, 27)},
        DocumentTypeKey={"Type": "Invoice", "Id": "STDINV"},
        Lines={"SalesInvoiceLine": [t("SalesInvoiceLine")(
            Key={"SalesDocumentKey": {"Id": "WC1042"}, "LineSequenceNumber": 16384},
            ItemKey={"Id": "BLU-TEE-M"}, Quantity={"Value": D("2"), "DecimalDigits": 0},
            UnitPrice={"Value": D("21.00"), "DecimalDigits": 2})]})
    gw = SoapGateway(rec)
    doc = gw.find_sales_invoice("WC1042")
    assert doc is not None and doc.lines[0].unit_price == D("21.00")
    gw.update_sales_invoice(_invoice())
    gw.set_invoice_hold("WC1042", True)
    gw.set_invoice_hold("WC1042", False)
    assert rec.sent.count("UpdateSalesInvoice") == 3


def test_refund_requests(rec: RecordingClient) -> None:
    rec.use_company(CompanyInfo(-1, "Fabrikam"))
    gw = SoapGateway(rec)
    gw.create_credit_memo(CreditMemo("WCR77", "WC000017", "WC20261127", date(2026, 11, 27),
                                     D("12.50"), "Refund 77 of order 1042", "WC1042",
                                     [GPDistribution("SALES", "4100-01", debit=D("12.50")),
                                      GPDistribution("RECV", "1200-00", credit=D("12.50"))]))
    gw.create_credit_memo(CreditMemo("WCR78", "WC000017", "WC20261127", date(2026, 11, 27),
                                     D("3")))
    gw.create_sales_return(SalesReturn("WCT77", "WC000017", "WC20261127", date(2026, 11, 27),
                                       "1042", [GPLine("BLU-TEE-M", D("1"), D("19.99"),
                                                       D("19.99"))], freight=D("0"),
                                       tax=D("1.20"), total=D("21.19"), note="restocked"))
    assert gw.find_credit_memo("WCR77") is None
    assert gw.find_sales_return("WCT77") is None
    assert {"CreateReceivablesCreditMemo", "CreateSalesReturn", "GetReceivablesCreditMemoList",
            "GetSalesReturnList"} <= set(rec.sent)


def test_customer_requests(rec: RecordingClient) -> None:
    rec.use_company(CompanyInfo(-1, "Fabrikam"))
    t = rec.t
    cust = GPCustomer("WC000017", "Ada Lovelace", "WEB", "ada@example.com", [
        GPAddress("PRIMARY", "Ada Lovelace", "12 St James's Sq", "", "London", "", "SW1Y 4JH",
                  "GB", "+44 20 7946 0000", "ada@example.com"),
        GPAddress("SHIPPING", "Ada", "1 Main St", "Apt 2", "Springfield", "IL", "62701", "US")],
        bill_to_address_id="PRIMARY")
    gw = SoapGateway(rec)
    gw.create_customer(cust)
    assert gw.get_customer("WC000017") is None
    rec.answers["GetCustomerList"] = lambda kw: t("ArrayOfCustomerSummary")(
        CustomerSummary=[t("CustomerSummary")(Key={"Id": "WC000017"}, IsActive=True,
                                              IsOnHold=False)])
    rec.answers["GetCustomerByKey"] = lambda kw: t("Customer")(
        Key={"Id": "WC000017"}, Name="Ada", PostResultsTo="Receivables/Discount Account",
        CreatedDate=datetime(2026, 1, 1), ModifiedDate=datetime(2026, 1, 1),
        LastModifiedDate=datetime(2026, 1, 1),
        Addresses={"CustomerAddress": [t("CustomerAddress")(
            Key={"Id": "PRIMARY"}, CreatedDate=datetime(2026, 1, 1),
            ModifiedDate=datetime(2026, 1, 1),
            InternetAddresses={"EmailToAddress": "ada@example.com"})]})
    got = gw.get_customer("WC000017")
    assert got is not None and got.email == "ada@example.com"
    gw.update_customer(cust)
    assert {"CreateCustomer", "UpdateCustomer", "UpdateCustomerAddress",
            "CreateCustomerAddress"} <= set(rec.sent)
    with pytest.raises(GPUnsupported):
        gw.find_customer_by_email("ada@example.com")


def test_item_stock_and_account_requests(rec: RecordingClient) -> None:
    rec.use_company(CompanyInfo(-1, "Fabrikam"))
    gw = SoapGateway(rec)
    assert gw.get_item("BLU-TEE-M") is None
    assert gw.item_snapshot("BLU-TEE-M", price_level="RETAIL", uofm="Each", site="MAIN") is None
    assert gw.list_items(price_level="RETAIL", uofm="Each", site="MAIN") == []
    assert gw.changed_item_numbers(datetime(2026, 11, 1, tzinfo=UTC)) == []
    gw.create_inventory_adjustment("WCADJ1", [AdjustmentLine("BLU-TEE-M", "MAIN", D("-2")),
                                              AdjustmentLine("MUG-01", "MAIN", D("5"))])
    assert gw.account_exists("4100-01") is False
    with pytest.raises(GPUnsupported):
        gw.update_item("BLU-TEE-M", price=D("20"))
    # The per-item reads only happen for items GP lists: answer a list and read them too.
    t = rec.t
    rec.answers["GetItemList"] = lambda kw: t("ArrayOfItemSummary")(ItemSummary=[
        t("ItemSummary")(Key={"Id": "BLU-TEE-M"}, Description="Blue tee",
                         Type="Sales Item", IsDiscontinued=False)])
    rec.answers["GetPricingList"] = lambda kw: t("ArrayOfPricingSummary")(
        PricingSummary=[t("PricingSummary")(Key={"ItemKey": {"Id": "BLU-TEE-M"}})])
    snap = gw.item_snapshot("BLU-TEE-M", price_level="RETAIL", uofm="Each", site="MAIN")
    assert snap is not None and snap.description == "Blue tee"
    assert {"GetPricingByKey", "GetItemByKey", "GetChangedItemKeyList",
            "GetChangedPricingKeyList", "CreateInventoryAdjustment",
            "GetGLAccountList"} <= set(rec.sent)


def test_probes_and_validation_log_requests(rec: RecordingClient) -> None:
    rec.use_company(CompanyInfo(-1, "Fabrikam"))
    gw = SoapGateway(rec)
    for op in ("CreateCustomer", "CreateSalesInvoice", "CreateSalesReturn",
               "CreateReceivablesCreditMemo"):
        assert gw.probe(op) == "accepted"  # our table answers "created": nothing refused it
    assert rec._resolve_log("0f8e3c1a-4b7d-4e52-9a43-2b9d1e6f7a10") == []
    assert "GetLoggedValidationResultByKey" in rec.sent


def test_lengths_are_checked_before_sending(rec: RecordingClient) -> None:
    rec.use_company(CompanyInfo(-1, "Fabrikam"))
    gw = SoapGateway(rec)
    with pytest.raises(GPError) as err:
        gw.create_sales_invoice(_invoice(number="WC" + "9" * 16))
    assert err.value.validation and "17" in str(err.value)
    with pytest.raises(GPError) as err:
        gw.create_customer(GPCustomer("C" * 16, "Too long"))
    assert err.value.validation and "15" in str(err.value)
    assert "CreateSalesInvoice" not in rec.sent and "CreateCustomer" not in rec.sent


def test_schema_refuses_what_gp_would_refuse(rec: RecordingClient, real_schema: Any) -> None:
    """The validator is not a rubber stamp: a BatchKey without CreatedDateTime is invalid."""
    rec.use_company(CompanyInfo(-1, "Fabrikam"))
    from core.gp.soap_build import Builders

    body = Builders(rec.t).invoice(_invoice())
    env = rec.message("CreateSalesInvoice", {"salesInvoice": body, "context": rec.context(),
                                             "policy": {"Key": {"Id": "4d060bdc-fa1e-4ea1-9e89-"
                                                                       "e1d19a5cb2ce"}}})
    from lxml import etree

    ns = "{http://schemas.microsoft.com/dynamics/gp/2006/01}"
    created = env.find(f".//{ns}BatchKey/{ns}CreatedDateTime")
    created.getparent().remove(created)
    with pytest.raises(AssertionError, match="CreatedDateTime"):
        assert_valid(real_schema, etree.tostring(env), "broken")


def test_no_ws_addressing_headers(rec: RecordingClient) -> None:
    rec.use_company(CompanyInfo(-1, "Fabrikam"))
    env = rec.message("GetCompanyList", {"context": rec.context(with_company=False)})
    from lxml import etree

    text = etree.tostring(env).decode()
    assert "addressing" not in text and "gp.example.invalid" not in text




def test_posting_requests_are_prepared_not_left_to_zeep(rec: RecordingClient) -> None:
    """The requests of every posted order go through the prepared renderer (the CPU win is
    real), each equal to zeep's and valid by _send above."""
    rec.use_company(CompanyInfo(-1, "Fabrikam"))
    gw = SoapGateway(rec)
    PREPARED.clear()
    gw.create_customer(GPCustomer("WC000017", "Ann Lee", addresses=[GPAddress(
        "PRIMARY", line1="1 Main St", city="Albany", state="NY", postal_code="12207",
        country="US")]))
    gw.create_sales_invoice(_invoice())
    gw.find_sales_invoice("WC1042")
    assert {"CreateCustomer", "CreateSalesInvoice", "GetSalesInvoiceList"} <= PREPARED
