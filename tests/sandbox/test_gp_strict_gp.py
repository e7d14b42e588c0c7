"""What a real GP server enforces (gp.md §22), each refusal with GP's message (or the stand-in's,
where GP's is unpublished, as /_sandbox/help lists): setup rows, tax, line amounts, keys as SQL
Server compares them, batches, documents in use, quantity shortage. Against the configured
profile (the README's GP set-up) unless a test says otherwise."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
import zeep
from zeep.xsd import SkipValue

from sandbox.gp import GPStandIn
from sandbox.gp.sop_lines import unit_price_matches
from tests.sandbox.gp_support import GPClient, log_id


def refused(client: GPClient, call) -> list[str]:
    """GP's validation messages for a refused call (read back from the validation log)."""
    with pytest.raises(zeep.exceptions.Fault) as exc:
        call()
    lid = log_id(exc.value)
    assert lid, f"expected a validation fault, got {exc.value.message!r}"
    result = client.service.GetLoggedValidationResultByKey(lid, client.context())
    return [e.Message for e in result.Errors.ValidationError]


def create(client: GPClient, inv) -> None:
    client.service.CreateSalesInvoice(inv, client.context(), client.policy("CreateSalesInvoice"))


def cap(client: GPClient, number: str, **kw):
    return client.invoice(number, "ADAMPARK0001", [("CAP-CANVAS-NVY", "1", "18.00")], **kw)


def control(gp: GPStandIn, method: str, path: str, body: dict | None = None) -> dict:
    r = httpx.request(method, f"{gp.control_url}/{path}", json=body or {}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


# ---- setup rows exist or the reference is refused ------------------------------------------

def _payment(client: GPClient, card: str | None, checkbook: str, kind="Payment Card Payment"):
    return client.gp.SalesPayment(
        PaymentAmount=client.money("18.00"), Type=kind, Date=datetime(2024, 6, 1, tzinfo=UTC),
        BankAccountKey=client.gp.BankAccountKey(Id=checkbook),
        PaymentCardTypeKey=client.gp.PaymentCardTypeKey(Id=card) if card else None)


def test_payment_card_type_and_checkbook_must_exist(client, gp):
    inv = cap(client, "WC7001")
    inv.Payments = client.gp.ArrayOfSalesPayment(SalesPayment=[
        _payment(client, "Credit Card (Stripe)"[:15], "NOBANK")])
    msgs = refused(client, lambda: create(client, inv))
    assert "The Payment Card Type (CARDNAME) 'Credit Card (St' does not exist in the Payment " \
           "Card Master - SY03100" in msgs
    assert any("Checkbook ID (CHEKBKID) 'NOBANK'" in m and "CM00100" in m for m in msgs)
    assert gp.documents() == []
    inv.Payments = client.gp.ArrayOfSalesPayment(SalesPayment=[_payment(client, "stripe ",
                                                                         "CARDS")])
    create(client, inv)  # GP's own ids, spelled as SQL Server would still match them
    assert gp.documents()[0]["payments"][0]["card_type"] == "STRIPE"


def test_card_types_are_listed_by_gps_list_operation(client):
    listed = client.service.GetPaymentCardTypeList(client.gp.PaymentCardTypeCriteria(),
                                                   client.context())
    assert {c.Key.Id for c in listed} == {"STRIPE", "PAYPAL"}
    assert {c.CustomerCardBankAccountKey.Id for c in listed} == {"CARDS", "PAYPAL"}


def test_process_hold_tax_detail_site_price_level_and_uofm_must_exist(client, gp):
    inv = client.invoice("WC7002", "ADAMPARK0001", [("CAP-CANVAS-NVY", "1", "18.00")])
    inv.ProcessHolds = client.gp.ArrayOfSalesProcessHold(SalesProcessHold=[
        client.gp.SalesProcessHold(Key=client.gp.SalesProcessHoldKey(
            SalesProcessHoldSetupKey=client.gp.SalesProcessHoldSetupKey(Id="NOHOLD")))])
    inv.Taxes = client.gp.ArrayOfSalesDocumentTax(SalesDocumentTax=[
        client.gp.SalesDocumentTax(
            TaxAmount=client.money("1.00"), Key=client.gp.SalesDocumentTaxKey(
                SequenceNumber=1, TaxDetailKey=client.gp.TaxDetailKey(Id="NO-SUCH-TAX")))])
    inv.TaxAmount = client.money("1.00")
    inv.TotalAmount = client.money("19.00")
    inv.PriceLevelKey = client.gp.PriceLevelKey(Id="GOLD")
    line = inv.Lines.SalesInvoiceLine[0]
    line.WarehouseKey = client.gp.WarehouseKey(Id="NORTH")
    line.UofM = "Case"
    msgs = refused(client, lambda: create(client, inv))
    expected = ["Process Hold ID (PRCHLDID) 'NOHOLD' does not exist",
                "Tax Detail ID (TAXDTLID) 'NO-SUCH-TAX' does not exist",
                "Price Level (PRCLEVEL) 'GOLD' does not exist",
                "Site ID (LOCNCODE) 'NORTH' does not exist",
                "U of M (UOFM) 'Case' does not exist"]
    for text in expected:
        assert any(text in m for m in msgs), (text, msgs)
    assert gp.documents() == []


def test_gl_account_must_exist_with_gps_error_716(client, gp):
    inv = cap(client, "WC7003")
    inv.Distributions = client.gp.ArrayOfSalesDistribution(SalesDistribution=[
        client.gp.SalesDistribution(
            DistributionTypeKey=client.gp.DistributionTypeKey(Id=2),
            GLAccountKey=client.gp.GLAccountNumberKey(Id="999-0000-00", IsEncrypted=False),
            DebitAmount=client.money("18.00"))])
    msgs = refused(client, lambda: create(client, inv))
    assert any(m.startswith("Error Number = 716  Stored Procedure= taSopDistribution  Error "
                            "Description = Account does not exist") for m in msgs)
    assert any("do not balance" in m for m in msgs)  # provided distributions must balance


def test_every_setup_list_answers_from_gps_list_operation(client):
    ctx = client.context()
    g = client.gp
    assert "000-2300-00" in {a.Key.Id for a in client.service.GetGLAccountList(
        g.GLAccountCriteria(), ctx)}
    assert {"USASTE-PS6N0", "WEB-NY"} <= {t.TaxDetailKey.Id for t in
                                          client.service.GetTaxDetailList(g.TaxDetailCriteria(),
                                                                          ctx)}
    assert [h.Key.Id for h in client.service.GetSalesProcessHoldSetupList(
        g.SalesProcessHoldSetupCriteria(), ctx)] == ["WCHOLD"]
    assert {"MAIN", "WEST"} == {w.Key.Id for w in client.service.GetWarehouseList(
        g.WarehouseCriteria(), ctx)}
    assert [u.Key.Id for u in client.service.GetUofMScheduleList(g.UofMScheduleCriteria(),
                                                                 ctx)] == ["EACH"]
    assert {"RETAIL", "WHOLESALE"} <= {p.Key.Id for p in client.service.GetPriceLevelList(
        None, ctx)}


def test_fresh_gp_has_none_of_the_connectors_setup(tmp_path):
    gp = GPStandIn(tmp_path / "gp", profile="fresh").start()
    c = GPClient(gp.wsdl_url, gp.soap_url, f"{gp.domain}\\{gp.user}", gp.password)
    try:
        assert c.service.GetPaymentCardTypeList(c.gp.PaymentCardTypeCriteria(),
                                                c.context()) is None
        assert c.service.GetSalesProcessHoldSetupList(c.gp.SalesProcessHoldSetupCriteria(),
                                                      c.context()) is None
    finally:
        c.close()
        gp.stop()


# ---- tax ---------------------------------------------------------------------------------------

def test_fresh_gp_computes_tax_per_detail_and_ignores_what_was_sent(tmp_path):
    """USASTCITY-6* = 6% + 1%, each rounded on its own; GP re-prices the caps from its list
    (18.00, Calculate Unit Price) and taxes 54.00: 3.24 + 0.54."""
    gp = GPStandIn(tmp_path / "gp", profile="fresh").start()
    c = GPClient(gp.wsdl_url, gp.soap_url, f"{gp.domain}\\{gp.user}", gp.password)
    try:
        inv = c.invoice("WC7100", "ADAMPARK0001", [("CAP-CANVAS-NVY", "3", "18.15")])
        inv.TaxAmount = c.money("9.99")  # ignored: GP calculates taxes by default
        create(c, inv)
        doc = gp.documents()[0]
        assert [(t["detail"], t["amount"]) for t in doc["taxes"]] == [
            ("USASTE-PS6N0", "3.24"), ("USACITY-1", "0.54")]
        assert doc["tax"] == "3.78"
        assert Decimal(doc["total"]) == Decimal("54.00") + Decimal("3.78")
        read = c.service.GetSalesInvoiceByKey(c.gp.SalesDocumentKey(Id="WC7100"), c.context())
        assert sum(t.TaxAmount.Value for t in read.Taxes.SalesDocumentTax) == read.TaxAmount.Value
        # GP built the distributions itself ("Automatically"): they balance and carry the tax.
        kinds = {d.DistributionTypeKey.Id for d in read.Distributions.SalesDistribution}
        assert {1, 2, 9} <= kinds
    finally:
        c.close()
        gp.stop()


def test_per_detail_rounding_differs_from_rounding_the_sum(tmp_path):
    gp = GPStandIn(tmp_path / "gp", profile="fresh").start()
    c = GPClient(gp.wsdl_url, gp.soap_url, f"{gp.domain}\\{gp.user}", gp.password)
    try:
        # 0.75: 6% = 0.045 -> 0.05 and 1% = 0.0075 -> 0.01, so 0.06 rounded per detail,
        # where 7% of the whole (0.0525) would round to 0.05.
        gp.store.set_price("CAP-CANVAS-NVY", "RETAIL", "USD", "Each", Decimal("0.75"),
                           datetime(2024, 1, 1, tzinfo=UTC))
        create(c, c.invoice("WC7101", "ADAMPARK0001", [("CAP-CANVAS-NVY", "1", "0.75")]))
        assert gp.documents()[0]["tax"] == "0.06"
    finally:
        c.close()
        gp.stop()


def test_provided_header_tax_must_equal_its_details(client, gp):
    inv = cap(client, "WC7102", total="19.60")
    inv.TaxAmount = client.money("1.60")
    inv.Taxes = client.gp.ArrayOfSalesDocumentTax(SalesDocumentTax=[
        client.gp.SalesDocumentTax(TaxAmount=client.money("1.59"),
                                   Key=client.gp.SalesDocumentTaxKey(
                                       SequenceNumber=1,
                                       TaxDetailKey=client.gp.TaxDetailKey(Id="WEB-NY")))])
    msgs = refused(client, lambda: create(client, inv))
    assert any("Tax amount (TAXAMNT) 1.60 does not equal the tax details" in m for m in msgs)
    inv.Taxes.SalesDocumentTax[0].TaxAmount = client.money("1.60")
    create(client, inv)
    assert gp.documents()[0]["tax"] == "1.60"


def test_header_tax_without_details_is_refused_when_taxes_are_provided(client, gp):
    inv = cap(client, "WC7103", total="19.60")
    inv.TaxAmount = client.money("1.60")
    msgs = refused(client, lambda: create(client, inv))
    assert any("does not equal the tax details in SOP10105 (0)" in m for m in msgs)


# ---- line amounts (§22: both documented cases) ------------------------------------------------

def test_line_check_documented_cases_inferred():
    assert unit_price_matches(Decimal("53981.87"), Decimal(231), Decimal("233.69"))
    assert not unit_price_matches(Decimal("2089.00"), Decimal(8), Decimal("261.12"))


def test_line_unit_and_extended_price_check_over_soap_inferred(client, gp):
    gp.store.move_stock("CAP-CANVAS-NVY", "MAIN", on_hand=Decimal(1000))
    ok = client.invoice("WC7200", "ADAMPARK0001", [("CAP-CANVAS-NVY", "231", "233.69")])
    ok.Lines.SalesInvoiceLine[0].TotalAmount = client.money("53981.87")
    ok.TotalAmount = client.money("53981.87")
    create(client, ok)
    assert gp.documents()[0]["subtotal"] == "53981.87"
    bad = client.invoice("WC7201", "ADAMPARK0001", [("CAP-CANVAS-NVY", "8", "261.12")])
    bad.Lines.SalesInvoiceLine[0].TotalAmount = client.money("2089.00")
    bad.TotalAmount = client.money("2089.00")
    msgs = refused(client, lambda: create(client, bad))
    assert ("Error Number = 722  Stored Procedure= taSopLineIvcInsert  Error Description = Unit "
            "Price calculation does not match out to Extended price.") in msgs


# ---- keys as SQL Server compares them -------------------------------------------------------

def test_trailing_spaces_and_case_make_the_same_key(client, gp):
    create(client, cap(client, "WC5001"))
    for same in ("WC5001 ", "wc5001"):
        msgs = refused(client, lambda s=same: create(client, cap(client, s)))
        assert any(m.startswith("Error Number = 2221 ") for m in msgs), same
    assert client.find_invoice("wc5001 ")[0].Key.Id == "WC5001"
    assert gp.count_invoices() == 1


def test_binary_collation_keeps_case_apart_but_not_trailing_spaces(client, gp):
    control(gp, "POST", "setup", {"key_collation": "binary"})
    create(client, cap(client, "WC5002"))
    create(client, cap(client, "wc5002"))  # another key under a binary sort order
    msgs = refused(client, lambda: create(client, cap(client, "WC5002  ")))
    assert any(m.startswith("Error Number = 2221 ") for m in msgs)
    assert gp.count_invoices() == 2


# ---- batches and locks ----------------------------------------------------------------------

def test_batch_states_posting_refuses_new_documents_and_posting_ends_the_batch(client, gp):
    create(client, cap(client, "WC6001", batch="DAY1"))
    batch = client.service.GetBatchByKey(client.gp.BatchKey(Source="Sales Entry", Id="DAY1",
                                                            CreatedDateTime=SkipValue),
                                         client.context())
    assert batch.NumberOfTransactions == 1 and batch.Total.Value == Decimal("18.00")
    control(gp, "POST", "batches/mark", {"batch": "DAY1"})
    create(client, cap(client, "WC6002", batch="DAY1"))  # a marked batch still takes documents
    control(gp, "POST", "batches/begin-posting", {"batch": "DAY1"})
    msgs = refused(client, lambda: create(client, cap(client, "WC6003", batch="day1")))
    assert any("'DAY1' (Sales Entry) is being posted" in m for m in msgs)
    control(gp, "POST", "batches/interrupt", {"batch": "DAY1"})
    msgs = refused(client, lambda: create(client, cap(client, "WC6003", batch="DAY1")))
    assert any("batch recovery" in m for m in msgs)
    control(gp, "POST", "batches/recover", {"batch": "DAY1"})
    posted = control(gp, "POST", "batches/post", {"batch": "DAY1"})["posted"]
    assert {p["number"] for p in posted} == {"WC6001", "WC6002"}
    assert {d["state"] for d in gp.state()["invoices"]} == {"history"}
    assert control(gp, "GET", "batches")["batches"] == []  # a posted batch is gone
    create(client, cap(client, "WC6003", batch="DAY1"))  # ... and its id opens a new one
    assert [b["state"] for b in control(gp, "GET", "batches")["batches"]] == ["available"]


def test_inventory_adjustment_needs_a_batch(client, gp):
    adj = client.gp.InventoryAdjustment(
        Key=client.gp.InventoryKey(Id="ADJ1"), Date=datetime(2024, 6, 1, tzinfo=UTC),
        Lines=client.gp.ArrayOfInventoryAdjustmentLine(InventoryAdjustmentLine=[
            client.gp.InventoryAdjustmentLine(ItemKey=client.gp.ItemKey(Id="VASE-GLASS-TALL"),
                                              Quantity=client.quantity("5"))]))
    msgs = refused(client, lambda: client.service.CreateInventoryAdjustment(
        adj, client.context(), client.policy("CreateInventoryAdjustment")))
    assert any("inventory adjustments need a batch" in m for m in msgs)
    adj.BatchKey = client.gp.BatchKey(Id="IVWEB", CreatedDateTime=SkipValue)
    client.service.CreateInventoryAdjustment(adj, client.context(),
                                             client.policy("CreateInventoryAdjustment"))
    assert [b["source"] for b in control(gp, "GET", "batches")["batches"]] == ["IV_Trxent"]


def test_a_document_in_use_refuses_update_and_void_until_released(client, gp):
    create(client, cap(client, "WC6100", batch="DAY2"))
    control(gp, "POST", "locks", {"document": "WC6100", "user": "FABRIKAM\\lisa"})
    key = client.gp.SalesDocumentKey(Id="WC6100")
    msgs = refused(client, lambda: client.service.VoidSalesInvoice(
        key, client.context(), client.policy("VoidSalesInvoice")))
    assert any(m.startswith("Error Number = 2079 ") and "being edited by another user" in m
               for m in msgs)
    control(gp, "DELETE", "locks", {"document": "WC6100"})
    client.service.VoidSalesInvoice(key, client.context(), client.policy("VoidSalesInvoice"))
    assert gp.state()["invoices"][0]["voided"] is True


def test_a_batch_in_use_refuses_new_documents_until_released(client, gp):
    create(client, cap(client, "WC6200", batch="DAY3"))
    control(gp, "POST", "locks", {"batch": "DAY3"})
    msgs = refused(client, lambda: create(client, cap(client, "WC6201", batch="DAY3")))
    assert any("'DAY3' (Sales Entry) is in use by" in m for m in msgs)
    control(gp, "DELETE", "locks", {"batch": "DAY3"})
    create(client, cap(client, "WC6201", batch="DAY3"))


# ---- stock: quantity shortage options ------------------------------------------------------

def _available(gp, item="CAP-CANVAS-NVY", site="MAIN") -> Decimal:
    got = next(i for i in gp.state()["items"] if i["item_number"] == item)
    return Decimal(got["quantities"][site]["available"])


def test_shortage_refused_when_no_option_applies(client, gp):
    control(gp, "POST", "setup", {"quantity_shortage": "None"})
    want = _available(gp) + 1
    inv = client.invoice("WC6300", "ADAMPARK0001", [("CAP-CANVAS-NVY", str(want), "18.00")])
    msgs = refused(client, lambda: create(client, inv))
    assert any(m.startswith("Error Number = 4776 ") for m in msgs)


def test_shortage_back_orders_or_cancels_the_balance_per_customer(client, gp):
    control(gp, "POST", "setup", {"customer_shortage": {"ADAMPARK0001": "Cancel Remaining"}})
    have = _available(gp)
    inv = client.invoice("WC6301", "ADAMPARK0001", [("CAP-CANVAS-NVY", str(have + 2), "18.00")])
    # The cancelled balance is not invoiced: the total sent for all units no longer adds up.
    msgs = refused(client, lambda: create(client, inv))
    assert any(m.startswith("Error Number = 235 ") for m in msgs)
    control(gp, "POST", "policy", {"calculate_unit_price": True})  # GP totals it itself
    create(client, inv)
    line = gp.documents()[0]["lines"][0]
    assert (Decimal(line["canceled"]), Decimal(line["allocated"])) == (Decimal(2), have)
    assert _available(gp) == 0  # never below zero


def test_override_shortage_allocates_past_zero_on_purpose(client, gp):
    have = _available(gp)
    create(client, client.invoice("WC6302", "ADAMPARK0001",
                                  [("CAP-CANVAS-NVY", str(have + 1), "18.00")]))
    line = gp.documents()[0]["lines"][0]
    assert Decimal(line["overridden"]) == 1 and _available(gp) == -1


def test_customer_keys_compare_as_sql_server_for_create_update_and_read(client, gp):
    client.service.CreateCustomer(client.customer("WEBC7"), client.context(),
                                  client.policy("CreateCustomer"))
    msgs = refused(client, lambda: client.service.CreateCustomer(
        client.customer("webc7 "), client.context(), client.policy("CreateCustomer")))
    assert any("already exists" in m for m in msgs)
    client.service.UpdateCustomer(client.customer("webc7", "Renamed"), client.context(),
                                  client.policy("UpdateCustomer"))
    got = client.service.GetCustomerByKey(client.gp.CustomerKey(Id="Webc7  "), client.context())
    assert (got.Key.Id, got.Name) == ("WEBC7", "Renamed")
    assert [c["id"] for c in gp.state()["customers"]].count("WEBC7") == 1
    assert "webc7" not in {c["id"] for c in gp.state()["customers"]}


def test_void_refused_while_the_batch_is_being_posted(client, gp):
    create(client, cap(client, "WC6400", batch="DAY4"))
    control(gp, "POST", "batches/begin-posting", {"batch": "DAY4"})
    key = client.gp.SalesDocumentKey(Id="WC6400")
    msgs = refused(client, lambda: client.service.VoidSalesInvoice(
        key, client.context(), client.policy("VoidSalesInvoice")))
    assert any("'DAY4' is posting" in m for m in msgs)
