"""Every response the GP stand-in serves is read by a STRICT zeep client built from GP's real WSDL.

A .NET server writes every `minOccurs="1" nillable="true"` element of a returned object (as
xsi:nil when empty) in schema order (gp.md §22 "Responses"); zeep in its default strict mode
refuses a response that leaves one out. One call per served operation that returns something,
each with data that fills the nested objects (lines, payments, taxes, holds, distributions), and
a check that no served result type is left untried.
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import zeep
from zeep.xsd import SkipValue

from sandbox.gp import GPStandIn, schema
from tests.conftest import shared_path
from tests.contract.test_gp_wsdl_subset import parse_wsdl
from tests.sandbox.gp_support import GPClient, log_id

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def gp(tmp_path_factory):
    standin = GPStandIn(tmp_path_factory.mktemp("gp-strict")).start()
    yield standin
    standin.stop()


@pytest.fixture(scope="module")
def client(gp):
    c = GPClient(shared_path("gp", "DynamicsGP.wsdl"), gp.soap_url, f"{gp.domain}\\{gp.user}",
                 gp.password)
    assert c.client.wsdl.settings.strict is True
    yield c
    c.close()


def test_the_client_is_strict():
    """The shared support never parses leniently: strict is zeep's default and stays on."""
    source = Path(__file__).parents[1].joinpath("sandbox", "gp_support.py").read_text()
    assert "strict=False" not in source


def _invoice_with_everything(c: GPClient) -> Any:
    inv = c.invoice("WCSTRICT1", "AARONFIT0001", [("CAP-CANVAS-NVY", "2", "18.00")])
    inv.Payments = c.gp.ArrayOfSalesPayment(SalesPayment=[c.gp.SalesPayment(
        PaymentAmount=c.money("10.00"), BankAccountKey=c.gp.BankAccountKey(Id="FIRST BANK"),
        Type="Cash Payment", Date=datetime(2024, 6, 1, tzinfo=UTC))])
    inv.ShipToAddress = c.gp.BusinessAddress(
        Name="Strict Reader", ContactPerson="Ann Reader", Line1="1 Strict Way", City="Salem",
        State="OR", PostalCode="97301", CountryRegion="US",
        Phone1=c.gp.PhoneNumber(Value="5035550100"))
    return inv


def _seeded(c: GPClient, gp: GPStandIn) -> None:
    c.service.CreateCustomer(c.customer("STRICT01", "Strict Reader"), c.context(),
                             c.policy("CreateCustomer"))
    c.service.CreateSalesInvoice(_invoice_with_everything(c), c.context(),
                                 c.policy("CreateSalesInvoice"))
    ret = c.gp.SalesReturn(
        Key=c.gp.SalesDocumentKey(Id="WRSTRICT1"),
        DocumentTypeKey=c.gp.SalesDocumentTypeKey(Type="Return", Id="RTN"),
        BatchKey=c.gp.BatchKey(Id="WEBRTN", CreatedDateTime=SkipValue),
        CustomerKey=c.gp.CustomerKey(Id="AARONFIT0001"), Date=datetime(2024, 6, 2, tzinfo=UTC),
        Lines=c.gp.ArrayOfSalesReturnLine(SalesReturnLine=[c.gp.SalesReturnLine(
            ItemKey=c.gp.ItemKey(Id="CAP-CANVAS-NVY"), Quantity=c.quantity("1"), UofM="Each",
            UnitPrice=c.money("18.00"), TotalAmount=c.money("18.00"))]))
    c.service.CreateSalesReturn(ret, c.context(), c.policy("CreateSalesReturn"))
    memo = c.gp.ReceivablesCreditMemo(
        Key=c.gp.ReceivablesDocumentKey(Id="WCRSTRICT1"),
        CustomerKey=c.gp.CustomerKey(Id="AARONFIT0001"), SalesAmount=c.money("5.00"),
        BatchKey=c.gp.BatchKey(Id="WEBRM", CreatedDateTime=SkipValue))
    c.service.CreateReceivablesCreditMemo(memo, c.context(),
                                          c.policy("CreateReceivablesCreditMemo"))
    # An edit made in GP itself, so the changed-item and changed-pricing lists have a row.
    edit = httpx.post(f"{gp.control_url}/items/MUG-STONE-12OZ",
                      json={"description": "Stoneware mug", "price": "17.00"})
    assert edit.status_code == 200, edit.text


def _validation_log_id(c: GPClient) -> str:
    with pytest.raises(zeep.exceptions.Fault) as exc:
        c.service.CreateCustomer(c.customer("X" * 16), c.context(), c.policy("CreateCustomer"))
    lid = log_id(exc.value)
    assert lid
    return lid


def _calls(c: GPClient, gp: GPStandIn) -> dict[str, Any]:
    g, ctx = c.gp, c.context
    since = g.BetweenRestrictionOfNullableOfDateTime(From=datetime(2000, 1, 1, tzinfo=UTC),
                                                     To=datetime(2100, 1, 1, tzinfo=UTC))
    item_wh = g.ItemWarehouseKey(ItemKey=g.ItemKey(Id="CAP-CANVAS-NVY"),
                                 WarehouseKey=g.WarehouseKey(Id="MAIN"))
    pricing = g.PricingKey(ItemKey=g.ItemKey(Id="CAP-CANVAS-NVY"),
                           CurrencyKey=g.CurrencyKey(ISOCode="USD"),
                           PriceLevelKey=g.PriceLevelKey(Id="RETAIL"), UofM="Each")
    return {
        "GetCompanyList": lambda: c.service.GetCompanyList(None, ctx(company=None)),
        "GetCompanyByKey": lambda: c.service.GetCompanyByKey(c.dyn.CompanyKey(Id=-1),
                                                             ctx(company=None)),
        "GetPolicyByOperation": lambda: c.policy("CreateSalesInvoice"),
        "GetCustomerByKey": lambda: c.service.GetCustomerByKey(g.CustomerKey(Id="STRICT01"),
                                                               ctx()),
        "GetCustomerList": lambda: c.service.GetCustomerList(
            g.CustomerCriteria(Scope="Return All"), ctx()),
        "GetCustomerAddressByKey": lambda: c.service.GetCustomerAddressByKey(
            g.CustomerAddressKey(CustomerKey=g.CustomerKey(Id="STRICT01"), Id="PRIMARY"), ctx()),
        "GetCustomerAddressList": lambda: c.service.GetCustomerAddressList(
            g.CustomerAddressCriteria(Scope="Return All"), ctx()),
        "GetItemByKey": lambda: c.service.GetItemByKey(g.ItemKey(Id="CAP-CANVAS-NVY"), ctx()),
        "GetItemList": lambda: c.service.GetItemList(None, ctx()),
        "GetInventoriedItemByKey": lambda: c.service.GetInventoriedItemByKey(
            g.ItemKey(Id="CAP-CANVAS-NVY"), ctx()),
        "GetItemWarehouseByKey": lambda: c.service.GetItemWarehouseByKey(item_wh, ctx()),
        "GetItemWarehouseList": lambda: c.service.GetItemWarehouseList(None, ctx()),
        "GetPricingByKey": lambda: c.service.GetPricingByKey(pricing, ctx()),
        "GetPricingList": lambda: c.service.GetPricingList(None, ctx()),
        "GetPriceLevelByKey": lambda: c.service.GetPriceLevelByKey(g.PriceLevelKey(Id="RETAIL"),
                                                                   ctx()),
        "GetPriceLevelList": lambda: c.service.GetPriceLevelList(None, ctx()),
        "GetSalesInvoiceByKey": lambda: c.service.GetSalesInvoiceByKey(
            g.SalesDocumentKey(Id="WCSTRICT1"), ctx()),
        "GetSalesInvoiceList": lambda: c.service.GetSalesInvoiceList(
            g.SalesInvoiceCriteria(Scope="Return All"), ctx()),
        "GetSalesReturnByKey": lambda: c.service.GetSalesReturnByKey(
            g.SalesDocumentKey(Id="WRSTRICT1"), ctx()),
        "GetSalesReturnList": lambda: c.service.GetSalesReturnList(
            g.SalesReturnCriteria(Scope="Return All"), ctx()),
        "GetReceivablesCreditMemoByKey": lambda: c.service.GetReceivablesCreditMemoByKey(
            g.ReceivablesDocumentKey(Id="WCRSTRICT1"), ctx()),
        "GetReceivablesCreditMemoList": lambda: c.service.GetReceivablesCreditMemoList(
            g.ReceivablesCreditMemoCriteria(Scope="Return All"), ctx()),
        "GetChangedCustomerKeyList": lambda: c.service.GetChangedCustomerKeyList(
            g.CustomerChangedKeyCriteria(LastModifiedDate=since), ctx()),
        "GetChangedItemKeyList": lambda: c.service.GetChangedItemKeyList(
            g.ItemChangedKeyCriteria(LastModifiedDate=since), ctx()),
        "GetChangedPricingKeyList": lambda: c.service.GetChangedPricingKeyList(
            g.PricingChangedKeyCriteria(LastModifiedDate=since), ctx()),
        "GetChangedSalesInvoiceKeyList": lambda: c.service.GetChangedSalesInvoiceKeyList(
            g.SalesInvoiceChangedKeyCriteria(LastModifiedDate=since), ctx()),
        "GetLoggedValidationResultByKey": lambda: c.service.GetLoggedValidationResultByKey(
            _validation_log_id(c), ctx()),
        "GetPaymentCardTypeByKey": lambda: c.service.GetPaymentCardTypeByKey(
            g.PaymentCardTypeKey(Id="STRIPE"), ctx()),
        "GetTaxDetailByKey": lambda: c.service.GetTaxDetailByKey(
            g.TaxDetailKey(Id="USASTE-PS6N0"), ctx()),
        "GetTaxScheduleByKey": lambda: c.service.GetTaxScheduleByKey(
            g.TaxScheduleKey(Id="USASTCITY-6*"), ctx()),
        "GetSalesProcessHoldSetupByKey": lambda: c.service.GetSalesProcessHoldSetupByKey(
            g.SalesProcessHoldSetupKey(Id="WCHOLD"), ctx()),
        "GetCurrencyByKey": lambda: c.service.GetCurrencyByKey(g.CurrencyKey(ISOCode="EUR"),
                                                               ctx()),
        "GetBatchByKey": lambda: c.service.GetBatchByKey(
            g.BatchKey(Source="Sales Entry", Id="WEB20240601", CreatedDateTime=SkipValue), ctx()),
    } | _setup_calls(c)


def _setup_calls(c: GPClient) -> dict[str, Any]:
    """The setup lists (gp.md §22 "Setup rows must exist"), when the stand-in serves them."""
    ops = schema.load().operations
    out: dict[str, Any] = {}
    for name in ops:
        if name.endswith("List") and name not in _LISTS_WITH_OWN_CALL and ops[name].result:
            criteria = ops[name].inputs[0].type.split(":")[1]
            out[name] = (lambda n=name, t=criteria:
                         getattr(c.service, n)(getattr(c.gp, t)(), c.context()))
    return out


_LISTS_WITH_OWN_CALL = {
    "GetCompanyList", "GetCustomerList", "GetCustomerAddressList", "GetItemList",
    "GetItemWarehouseList", "GetPricingList", "GetPriceLevelList", "GetSalesInvoiceList",
    "GetSalesReturnList", "GetReceivablesCreditMemoList", "GetChangedCustomerKeyList",
    "GetChangedItemKeyList", "GetChangedPricingKeyList", "GetChangedSalesInvoiceKeyList"}


def test_every_served_result_is_read_strictly_and_is_not_empty(client, gp):
    _seeded(client, gp)
    calls = _calls(client, gp)
    served = {name for name, op in schema.load().operations.items() if op.result}
    assert served <= set(calls), f"no strict read for {sorted(served - set(calls))}"
    empty = []
    for name in sorted(served):
        result = calls[name]()  # strict zeep raises XMLParseError on a missing/out-of-order child
        if result is None:
            empty.append(name)
    assert empty == [], f"these returned nothing, so proved nothing: {empty}"


def test_a_full_invoice_reads_back_with_its_nested_objects(client, gp):
    read = client.service.GetSalesInvoiceByKey(client.gp.SalesDocumentKey(Id="WCSTRICT1"),
                                               client.context())
    assert read.Payments.SalesPayment[0].PaymentAmount.Value == Decimal("10.00")
    assert read.Lines.SalesInvoiceLine[0].ItemKey.Id == "CAP-CANVAS-NVY"
    assert read.IsVoided is False and read.TransactionState == "Work"


def _required(parsed: Any) -> dict[tuple[str, str], list[str]]:
    return {key: [f[0] for f in fields if f[2] != "0"]
            for key, (_, _, fields) in parsed.complex.items()}


def test_every_modelled_type_carries_every_required_element_of_gps_type(tmp_path):
    """The model behind the responses lists each minOccurs=1 element GP's type has, so the
    encoder writes it (xsi:nil when empty, a .NET default when not nillable)."""
    path = tmp_path / "mine.wsdl"
    path.write_text(schema.render_wsdl("http://127.0.0.1:1/x"))
    mine = parse_wsdl(path)
    real = _required(parse_wsdl(shared_path("gp", "DynamicsGP.wsdl")))
    for key, (_, _, fields) in mine.complex.items():
        names = {f[0] for f in fields}
        missing = [n for n in real[key] if n not in names]
        assert missing == [], f"{key[1]} lacks GP's required elements {missing}"
