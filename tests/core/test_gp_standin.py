"""The gateway against the GP stand-in over loopback HTTP with real NTLM.

The gateway loads the real legacy WSDL (address overridden by configuration) when ../shared is
present, and every request it posts is validated against the real schema on the way out.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from core.errors import GPError
from core.gp.factory import open_gateway
from core.gp.gateway import (
    AdjustmentLine,
    CreditMemo,
    GPAddress,
    GPCustomer,
    GPLine,
    GPUnsupported,
    SalesReturn,
)
from core.gp.router import RoutedGateway
from sandbox.gp import GPStandIn
from tests.conftest import SHARED
from tests.contract.gp_schema import assert_valid, compile_schema
from tests.core.gp_fixtures import (
    CUSTOMER,
    ITEM,
    ITEM_PRICE,
    control,
    invoice,
    settings_for,
    standin,
)

REAL_WSDL = SHARED / "gp" / "DynamicsGP.wsdl"


@pytest.fixture(scope="module")
def gp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GPStandIn]:
    with standin(tmp_path_factory.mktemp("gp")) as g:
        yield g


@pytest.fixture(scope="module")
def sent_ops() -> list[str]:
    return []


@pytest.fixture(scope="module")
def gw(gp: GPStandIn, tmp_path_factory: pytest.TempPathFactory,
       sent_ops: list[str]) -> Iterator[RoutedGateway]:
    ws = tmp_path_factory.mktemp("ws")
    real = REAL_WSDL.exists()
    gateway = open_gateway(settings_for(gp), gp.password, ws,
                           wsdl=str(REAL_WSDL) if real else None)
    if real:
        schema = compile_schema(REAL_WSDL, ws / "schema")

        def validate(op: str, body: bytes, _ms: float, _status: int) -> None:
            assert assert_valid(schema, body, op) == op
            sent_ops.append(op)

        gateway.soap.c.transport.hooks.append(validate)
    yield gateway
    gateway.close()


def test_company_and_routes(gw: RoutedGateway, gp: GPStandIn) -> None:
    company = gw.company()
    assert (company.key, company.name) == (gp.company_id, gp.company)
    caps = gw.capabilities()
    assert caps["sales_invoice"] == "soap" and caps["credit_memo"] == "soap"
    assert caps["item_update"] == "none"  # Web Services has no item update (gp.md §15)
    with pytest.raises(GPUnsupported):
        gw.update_item(ITEM, description="New name")


def test_invoice_create_then_read_back(gw: RoutedGateway, gp: GPStandIn) -> None:
    assert gw.find_sales_invoice("WC1001") is None
    gw.create_sales_invoice(invoice("WC1001", note="Woo order 1001"))
    doc = gw.find_sales_invoice("WC1001")
    assert doc is not None
    assert (doc.number, doc.doc_type, doc.customer_id, doc.state, doc.batch, doc.po_number) == (
        "WC1001", "invoice", CUSTOMER, "work", "WC20261127", "1001")
    assert doc.total == Decimal("69.00")
    assert [(ln.item, ln.quantity, ln.unit_price, ln.extended_price) for ln in doc.lines] == [
        (ITEM, Decimal("2"), ITEM_PRICE, Decimal("64.00"))]
    assert gp.count_invoices(po="1001") == 1


def test_repriced_lines_are_visible_on_read_back(gw: RoutedGateway, gp: GPStandIn) -> None:
    control(gp, "POST", "policy", {"calculate_unit_price": True})
    try:
        gw.create_sales_invoice(invoice("WC1050", price=Decimal("30.00")))
    finally:
        control(gp, "POST", "policy", {"calculate_unit_price": False})
    doc = gw.find_sales_invoice("WC1050")
    assert doc is not None
    # GP replaced the price sent (30.00) with its price list's (the customer's WHOLESALE
    # level): the read-back carries GP's price, so the pipeline can see the difference.
    held = next(d for d in gp.state()["invoices"] if d["number"] == "WC1050")
    assert [ln.unit_price for ln in doc.lines] == [Decimal(held["lines"][0]["unit_price"])]
    assert doc.lines[0].unit_price != Decimal("30.00")


def test_duplicate_number_is_refused_with_gps_words(gw: RoutedGateway, gp: GPStandIn) -> None:
    gw.create_sales_invoice(invoice("WC1002"))
    with pytest.raises(GPError) as err:
        gw.create_sales_invoice(invoice("WC1002"))
    e = err.value
    assert e.validation and not e.transient and not e.unknown_outcome
    assert str(e).startswith("GP rejected invoice WC1002: ")
    assert "already exists" in str(e) and e.log_id and e.messages
    assert gp.count_invoices(po="1002") == 1


def test_unknown_item_message_names_item_and_company(gw: RoutedGateway) -> None:
    with pytest.raises(GPError) as err:
        gw.create_sales_invoice(invoice("WC1003", item="BLU-TEE-M"))
    msg = str(err.value)
    assert err.value.validation
    assert msg.startswith("GP rejected invoice WC1003: ") and "BLU-TEE-M" in msg
    assert "does not exist" in msg and msg.endswith("(company Fabrikam, Inc.)")
    assert gw.find_sales_invoice("WC1003") is None


def test_unknown_customer_is_a_validation_error(gw: RoutedGateway) -> None:
    with pytest.raises(GPError) as err:
        gw.create_sales_invoice(invoice("WC1004", customer="NOSUCHCUST"))
    assert err.value.validation and "NOSUCHCUST" in str(err.value)


def test_customer_create_read_update(gw: RoutedGateway, gp: GPStandIn) -> None:
    assert gw.get_customer("WC000017") is None
    cust = GPCustomer("WC000017", "Ada Lovelace", "RETAIL", "ada@example.com", [
        GPAddress("PRIMARY", "Ada Lovelace", "12 St James's Sq", "", "London", "", "SW1Y4JH",
                  "United Kingdom", "020 7946 0000", "ada@example.com")],
        bill_to_address_id="PRIMARY", ship_to_address_id="PRIMARY")
    gw.create_customer(cust)
    got = gw.get_customer("WC000017")
    assert got is not None and got.name == "Ada Lovelace" and got.email == "ada@example.com"
    assert [a.city for a in got.addresses] == ["London"]
    cust.name = "Ada King"
    cust.addresses.append(GPAddress("SHIPPING", "Ada King", "1 Main St", "", "Springfield",
                                    "IL", "62701", "USA"))
    cust.ship_to_address_id = "SHIPPING"
    gw.update_customer(cust)
    got = gw.get_customer("WC000017")
    assert got is not None and got.name == "Ada King" and got.ship_to_address_id == "SHIPPING"
    assert sorted(a.address_id for a in got.addresses) == ["PRIMARY", "SHIPPING"]
    names = {c["id"]: c["name"] for c in gp.state()["customers"]}
    assert names["WC000017"] == "Ada King"


def test_customer_id_over_15_is_refused_before_sending(gw: RoutedGateway,
                                                       sent_ops: list[str]) -> None:
    before = len(sent_ops)
    with pytest.raises(GPError) as err:
        gw.create_customer(GPCustomer("WC0000000000017X", "Too Long"))
    assert err.value.validation and "15" in str(err.value)
    assert "CreateCustomer" not in sent_ops[before:]


def test_credit_memo_and_return(gw: RoutedGateway, gp: GPStandIn) -> None:
    assert gw.find_credit_memo("WCR501") is None
    gw.create_credit_memo(CreditMemo("WCR501", CUSTOMER, "WC20261127", date(2026, 11, 27),
                                     Decimal("12.50"), "Refund 501 of order 1001", "WC1001"))
    memo = gw.find_credit_memo("WCR501")
    assert memo is not None and memo.total == Decimal("12.50") and memo.state == "work"
    assert memo.doc_type == "credit_memo" and memo.customer_id == CUSTOMER
    assert gw.find_sales_return("WCT501") is None
    gw.create_sales_return(SalesReturn(
        "WCT501", CUSTOMER, "WC20261127", date(2026, 11, 27), "1001",
        [GPLine(ITEM, Decimal("1"), ITEM_PRICE, ITEM_PRICE, site="MAIN")], total=ITEM_PRICE))
    ret = gw.find_sales_return("WCT501")
    assert ret is not None and ret.doc_type == "return" and ret.total == ITEM_PRICE
    assert [ln.item for ln in ret.lines] == [ITEM]
    assert [d["number"] for d in gp.state()["credit_memos"]] == ["WCR501"]


def test_found_in_history_after_posting_and_void_rules(gw: RoutedGateway, gp: GPStandIn) -> None:
    gw.create_sales_invoice(invoice("WC1005", batch="WCPOSTME"))
    gw.create_sales_invoice(invoice("WC1006", batch="WCVOIDME"))
    control(gp, "POST", "post-batch", {"batch": "WCPOSTME"})
    posted = gw.find_sales_invoice("WC1005")
    assert posted is not None and posted.state == "history"
    with pytest.raises(GPError) as err:
        gw.void_sales_invoice("WC1005")  # only unposted invoices can be voided
    assert err.value.validation
    gw.void_sales_invoice("WC1006")
    voided = gw.find_sales_invoice("WC1006")
    assert voided is not None and voided.state == "void"


def test_update_and_hold(gw: RoutedGateway, gp: GPStandIn) -> None:
    gw.create_sales_invoice(invoice("WC1007"))
    gw.update_sales_invoice(invoice("WC1007", qty="3"))
    doc = gw.find_sales_invoice("WC1007")
    assert doc is not None and [ln.quantity for ln in doc.lines] == [Decimal("3")]
    assert doc.total == Decimal("101.00")
    gw.set_invoice_hold("WC1007", True)
    held = next(d for d in gp.state()["invoices"] if d["number"] == "WC1007")
    assert held.get("holds")
    gw.set_invoice_hold("WC1007", False)
    released = next(d for d in gp.state()["invoices"] if d["number"] == "WC1007")
    assert not released.get("holds")


def test_items_prices_stock(gw: RoutedGateway, gp: GPStandIn) -> None:
    snap = gw.item_snapshot(ITEM, price_level="RETAIL", uofm="Each", site="MAIN")
    state = next(i for i in gp.state()["items"] if i["item_number"] == ITEM)
    assert snap is not None and snap.price == Decimal(state["price"])
    assert snap.quantity_available == Decimal(state["quantities"]["MAIN"]["available"])
    assert gw.get_item("NO-SUCH-ITEM") is None
    assert gw.item_snapshot("NO-SUCH-ITEM", price_level="RETAIL", uofm="Each",
                            site="MAIN") is None
    listed = gw.list_items(price_level="RETAIL", uofm="Each", site="MAIN")
    assert {i.item_number for i in listed} == {i["item_number"] for i in gp.state()["items"]}


def test_changed_items_and_adjustment(gw: RoutedGateway, gp: GPStandIn) -> None:
    since = datetime.now(UTC) - timedelta(seconds=5)
    control(gp, "POST", f"items/{ITEM}", {"description": "Denim Apron (navy)"})
    assert ITEM in gw.changed_item_numbers(since)
    before = len(gp.state()["adjustments"])
    gw.create_inventory_adjustment("WCADJ0001", [AdjustmentLine(ITEM, "MAIN", Decimal("-1"))])
    assert len(gp.state()["adjustments"]) == before + 1


def test_account_check_reads_gps_chart_of_accounts(gw: RoutedGateway) -> None:
    # GP lists its accounts (GetGLAccountList, gp.md §22): an answer, not a guess.
    assert gw.account_exists("000-4100-00") is True
    assert gw.account_exists("999-9999-99") is False


def test_every_request_was_valid_for_the_real_schema(gw: RoutedGateway,
                                                     sent_ops: list[str]) -> None:
    if not REAL_WSDL.exists():
        pytest.skip("needs ../shared/gp/DynamicsGP.wsdl")
    start = len(sent_ops)  # tests may run on other workers: make this one's own traffic
    gw.company()
    gw.create_sales_invoice(invoice("WC1900"))
    assert gw.find_sales_invoice("WC1900") is not None
    with pytest.raises(GPError):
        gw.create_sales_invoice(invoice("WC1900"))
    gw.create_customer(GPCustomer("WC000900", "Grace Hopper", "RETAIL", "", [
        GPAddress("PRIMARY", city="Arlington")], bill_to_address_id="PRIMARY",
        ship_to_address_id="PRIMARY"))
    assert gw.get_customer("WC000900") is not None
    expected = {"CreateSalesInvoice", "GetSalesInvoiceList", "GetSalesInvoiceByKey",
                "GetLoggedValidationResultByKey", "CreateCustomer", "GetCustomerList",
                "GetCustomerByKey"}
    assert expected <= set(sent_ops[start:])  # each one passed the real schema on its way out
