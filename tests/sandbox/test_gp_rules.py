"""GP's rules in the stand-in: lengths, duplicates across work and history, void only when
unposted, lines must sum, roles, RM key space, stock allocation and posting."""
from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
import zeep

from tests.sandbox.gp_support import GPClient, log_id


def create_invoice(client: GPClient, number: str, **kw) -> None:
    lines = kw.pop("lines", [("CAP-CANVAS-NVY", "2", "18.00")])
    client.service.CreateSalesInvoice(client.invoice(number, kw.pop("customer", "AARONFIT0001"),
                                                     lines, **kw),
                                      client.context(), client.policy("CreateSalesInvoice"))


def messages(client: GPClient, call) -> list[str]:
    with pytest.raises(zeep.exceptions.Fault) as exc:
        call()
    lid = log_id(exc.value)
    assert lid, f"expected a validation fault, got {exc.value.message!r}"
    result = client.service.GetLoggedValidationResultByKey(lid, client.context())
    return [e.Message for e in result.Errors.ValidationError]


@pytest.mark.parametrize("field, value, expected", [
    ("number", "W" * 18, "Key.Id"),
    ("batch", "B" * 16, "BatchKey.Id"),
    ("po", "9" * 21, "CustomerPONumber"),
])
def test_field_lengths_are_enforced(client, gp, field, value, expected):
    kw = {"number": "WC1", "batch": "WEB1", "po": "1"} | {field: value}
    msgs = messages(client, lambda: create_invoice(client, kw["number"], batch=kw["batch"],
                                                   po=kw["po"]))
    assert any(expected in m for m in msgs)
    assert gp.documents("invoice") == []


def test_longest_allowed_values_are_accepted(client, gp):
    create_invoice(client, "W" * 17, batch="B" * 15, po="9" * 20)
    assert [d["number"] for d in gp.documents("invoice")] == ["W" * 17]


def test_item_number_longer_than_30_is_refused(client):
    msgs = messages(client, lambda: create_invoice(client, "WC2", lines=[("I" * 31, "1", "1.00")]))
    assert any("Lines[0].ItemKey.Id" in m and "30" in m for m in msgs)


def test_duplicate_number_refused_in_work_and_in_history(client, gp):
    create_invoice(client, "WC10", batch="DAY1")
    assert any("2221" in m for m in messages(client, lambda: create_invoice(client, "WC10")))
    assert gp.post_batch("DAY1") == [{"kind": "invoice", "number": "WC10"}]
    assert gp.state()["invoices"][0]["state"] == "history"
    assert any("2221" in m for m in messages(client, lambda: create_invoice(client, "WC10")))
    assert gp.count_invoices() == 1


def test_void_only_while_unposted(client, gp):
    create_invoice(client, "WC20", batch="DAY2")
    create_invoice(client, "WC21", batch="DAY3")
    gp.post_batch("DAY2")
    key = client.gp.SalesDocumentKey
    msgs = messages(client, lambda: client.service.VoidSalesInvoice(
        key(Id="WC20"), client.context(), client.policy("VoidSalesInvoice")))
    assert any("posted" in m for m in msgs)
    client.service.VoidSalesInvoice(key(Id="WC21"), client.context(),
                                    client.policy("VoidSalesInvoice"))
    states = {d["number"]: d["state"] for d in gp.state()["invoices"]}
    assert states == {"WC20": "history", "WC21": "void"}
    read = client.service.GetSalesInvoiceByKey(key(Id="WC21"), client.context())
    assert read.IsVoided is True and read.TransactionState == "History"
    # A voided number stays taken.
    assert any("2221" in m for m in messages(client, lambda: create_invoice(client, "WC21")))


def test_delete_frees_the_number_and_releases_stock(client, gp):
    def allocated() -> str:
        item = next(i for i in gp.state()["items"] if i["item_number"] == "CAP-CANVAS-NVY")
        return item["quantities"]["MAIN"]["allocated"]
    create_invoice(client, "WC30")
    assert allocated() == "2"
    client.service.DeleteSalesInvoice(client.gp.SalesDocumentKey(Id="WC30"), client.context(),
                                      client.policy("DeleteSalesInvoice"))
    assert allocated() == "0" and gp.count_invoices() == 0
    create_invoice(client, "WC30")
    assert gp.count_invoices() == 1


def test_lines_must_sum(client, gp):
    bad_line = client.invoice("WC40", "AARONFIT0001", [("CAP-CANVAS-NVY", "2", "18.00")])
    bad_line.Lines.SalesInvoiceLine[0].TotalAmount = client.money("35.00")
    msgs = messages(client, lambda: client.service.CreateSalesInvoice(
        bad_line, client.context(), client.policy("CreateSalesInvoice")))
    assert any(m.startswith("Error Number = 722 ") for m in msgs)
    bad_subtotal = client.invoice("WC41", "AARONFIT0001", [("CAP-CANVAS-NVY", "2", "18.00")],
                                  LineTotalAmount=client.money("30.00"))
    msgs = messages(client, lambda: client.service.CreateSalesInvoice(
        bad_subtotal, client.context(), client.policy("CreateSalesInvoice")))
    assert any("Subtotal does not match the line item totals" in m for m in msgs)
    msgs = messages(client, lambda: create_invoice(client, "WC42", freight="5.00", total="40.00"))
    assert any(m.startswith("Error Number = 235 ") for m in msgs)
    assert gp.count_invoices() == 0


def test_customer_must_exist_and_be_active(client):
    msgs = messages(client, lambda: create_invoice(client, "WC50", customer="NOBODY"))
    assert any("NOBODY" in m and "RM00101" in m for m in msgs)


def test_readonly_role_may_read_but_not_create(gp):
    ro = GPClient(gp.wsdl_url, gp.soap_url, f"{gp.domain}\\{gp.readonly_user}",
                  gp.readonly_password)
    try:
        assert ro.service.GetCustomerByKey(ro.gp.CustomerKey(Id="AARONFIT0001"),
                                           ro.context()).Name == "Aaron Fitz Electrical"
        with pytest.raises(zeep.exceptions.Fault) as exc:
            ro.service.CreateCustomer(ro.customer("RO1"), ro.context(),
                                      ro.policy("CreateCustomer"))
        assert log_id(exc.value) is None  # a system fault: no validation log id
        assert "unhandled system exception" in exc.value.message
        assert "RO1" not in {c["id"] for c in gp.state()["customers"]}
    finally:
        ro.close()


def test_update_changes_lines_and_refuses_posted(client, gp):
    create_invoice(client, "WC60", batch="DAY6")
    update = client.gp.SalesInvoice(
        Key=client.gp.SalesDocumentKey(Id="WC60"),
        Lines=client.gp.ArrayOfSalesInvoiceLine(SalesInvoiceLine=[client.gp.SalesInvoiceLine(
            Key=client.gp.SalesLineKey(LineSequenceNumber=16384), Quantity=client.quantity("3"),
            TotalAmount=client.money("54.00"))]))
    client.service.UpdateSalesInvoice(update, client.context(),
                                      client.policy("UpdateSalesInvoice"))
    assert gp.state()["invoices"][0]["total"] == "54.00"
    gp.post_batch("DAY6")
    msgs = messages(client, lambda: client.service.UpdateSalesInvoice(
        update, client.context(), client.policy("UpdateSalesInvoice")))
    assert any("posted" in m for m in msgs)


def test_posting_moves_stock_and_rm_numbers_collide(client, gp):
    create_invoice(client, "WC70", batch="DAY7")
    gp.post_batch("DAY7")
    cap = next(i for i in gp.state()["items"] if i["item_number"] == "CAP-CANVAS-NVY")
    assert cap["quantities"]["MAIN"] == {"on_hand": "62", "allocated": "0", "available": "62"}
    memo = client.gp.ReceivablesCreditMemo(
        Key=client.gp.ReceivablesDocumentKey(Id="WC70"),
        CustomerKey=client.gp.CustomerKey(Id="AARONFIT0001"), SalesAmount=client.money("5.00"),
        BatchKey=client.gp.BatchKey(Id="RM1", CreatedDateTime=zeep.xsd.SkipValue))
    msgs = messages(client, lambda: client.service.CreateReceivablesCreditMemo(
        memo, client.context(), client.policy("CreateReceivablesCreditMemo")))
    assert any(m.startswith("Error Number = 190 ") for m in msgs)
    memo.Key.Id = "WCR70"
    memo.DocumentAmount = client.money("6.00")
    msgs = messages(client, lambda: client.service.CreateReceivablesCreditMemo(
        memo, client.context(), client.policy("CreateReceivablesCreditMemo")))
    assert any(m.startswith("Error Number = 621 ") for m in msgs)
    assert gp.state()["credit_memos"] == []


def test_sales_return_restocks_on_posting(client, gp):
    ret = client.gp.SalesReturn(
        Key=client.gp.SalesDocumentKey(Id="WCR80"),
        DocumentTypeKey=client.gp.SalesDocumentTypeKey(Type="Return", Id="RTN"),
        BatchKey=client.gp.BatchKey(Id="RET1", CreatedDateTime=zeep.xsd.SkipValue),
        CustomerKey=client.gp.CustomerKey(Id="ADAMPARK0001"), CustomerPONumber="80",
        Lines=client.gp.ArrayOfSalesReturnLine(SalesReturnLine=[client.gp.SalesReturnLine(
            ItemKey=client.gp.ItemKey(Id="MUG-STONE-16OZ"), Quantity=client.quantity("2"),
            UnitPrice=client.money("18.00"), UofM="Each")]))
    client.service.CreateSalesReturn(ret, client.context(), client.policy("CreateSalesReturn"))
    read = client.service.GetSalesReturnByKey(client.gp.SalesDocumentKey(Id="WCR80"),
                                              client.context())
    assert read.TotalAmount.Value == Decimal("36.00")
    gp.post_batch("RET1")
    mug = next(i for i in gp.state()["items"] if i["item_number"] == "MUG-STONE-16OZ")
    assert mug["quantities"]["MAIN"]["on_hand"] == "92"


def test_inventory_adjustment_moves_on_hand_only_when_posted(client, gp):
    adj = client.gp.InventoryAdjustment(
        Key=client.gp.InventoryKey(Id="ADJ1"),
        BatchKey=client.gp.BatchKey(Id="IV1", CreatedDateTime=zeep.xsd.SkipValue),
        Lines=client.gp.ArrayOfInventoryAdjustmentLine(InventoryAdjustmentLine=[
            client.gp.InventoryAdjustmentLine(ItemKey=client.gp.ItemKey(Id="VASE-GLASS-TALL"),
                                              Quantity=client.quantity("-3"),
                                              WarehouseKey=client.gp.WarehouseKey(Id="MAIN"))]))
    client.service.CreateInventoryAdjustment(adj, client.context(),
                                             client.policy("CreateInventoryAdjustment"))

    def on_hand() -> str:
        vase = next(i for i in gp.state()["items"] if i["item_number"] == "VASE-GLASS-TALL")
        return vase["quantities"]["MAIN"]["on_hand"]
    assert on_hand() == "18"
    gp.post_batch("IV1")
    assert on_hand() == "15"


def test_changed_keys_see_edits_made_in_gp(client, gp):
    since = client.gp.BetweenRestrictionOfNullableOfDateTime
    assert client.service.GetChangedItemKeyList(client.gp.ItemChangedKeyCriteria(), 
                                                client.context()) is None
    r = httpx.post(f"{gp.control_url}/items/TOTE-CANVAS-NAT",
                   json={"price": "25.00", "description": "Canvas Tote, Natural (new)"})
    assert r.status_code == 200
    items = client.service.GetChangedItemKeyList(client.gp.ItemChangedKeyCriteria(),
                                                 client.context())
    assert [k.Id for k in items] == ["TOTE-CANVAS-NAT"]
    prices = client.service.GetChangedPricingKeyList(client.gp.PricingChangedKeyCriteria(),
                                                     client.context())
    assert [(k.ItemKey.Id, k.PriceLevelKey.Id) for k in prices] == [("TOTE-CANVAS-NAT", "RETAIL")]
    assert since  # the restriction type exists in the subset for date filters
    pricing = client.service.GetPricingByKey(client.gp.PricingKey(
        ItemKey=client.gp.ItemKey(Id="TOTE-CANVAS-NAT"), CurrencyKey=client.gp.CurrencyKey(
            ISOCode="USD"), PriceLevelKey=client.gp.PriceLevelKey(Id="RETAIL"), UofM="Each"),
        client.context())
    assert pricing.Details.PricingDetail[0].UofMPrice.Amount.Value == Decimal("25.00")
