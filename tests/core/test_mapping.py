"""Mapping of recorded WooCommerce 10 orders and refunds to GP documents (pure functions)."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from core.config import PostingSettings
from core.mapping import (
    Held,
    MappedInvoice,
    MappedRefund,
    RefundInputs,
    Rejected,
    map_invoice,
    map_refund,
    map_status_credit,
)
from core.mapping.customers import (
    build_customer,
    fingerprint,
    gp_customer_id_for,
    guest_customer_id,
    registered_customer_id,
)
from core.mapping.rules import check_invoice
from core.mapping.totals import split_unit_price
from core.money import to_cents
from core.woo.views import OrderView, RefundView
from tests.core.mapping_fixtures import ACCOUNTS, TODAY, inputs_for, recorded

D = Decimal


def test_views_parse_money_dates_and_negative_refund_lines() -> None:
    o = OrderView.from_payload(recorded("orders-get-customer-multi-coupon.json"))
    assert o.total == D("149.52") and o.discount_total == D("14.37")
    assert o.date_created is not None and o.date_created.utcoffset().total_seconds() == 0
    assert o.date_created.hour == 8  # the *_gmt twin, not local 03:07
    towel = o.line_items[2]
    assert towel.price == D("24.526666666666667") and towel.subtotal == D("81.75")
    assert o.coupon_lines[0].discount == D("14.37") and o.tax_lines[0].rate_id == 1
    r = RefundView.from_payload(recorded("refunds-create-full.json"), order_id=37)
    assert r.amount == D("59.29") and r.line_items[0].quantity == -2
    assert r.line_items[0].refunded_item_id == 29
    assert r.lines_amount == D("59.29")
    amount_only = RefundView.from_payload(recorded("refunds-create-partial-amount.json"))
    assert amount_only.is_amount_only and amount_only.amount == D("10.00")


def test_every_recorded_order_balances_to_woocommerce_total() -> None:
    names = ["orders-get-customer-fl-notax.json", "orders-get-customer-multi-coupon.json",
             "orders-get-full-refund.json", "orders-get-guest-cancelled.json",
             "orders-get-guest-pending.json", "orders-get-partial-amount-refund.json",
             "orders-get-partial-line-refund.json", "orders-get-status-flow.json",
             "orders-get-variation-fee.json"]
    for name in names:
        order = OrderView.from_payload(recorded(name))
        result = map_invoice(order, inputs_for(order))
        assert isinstance(result, MappedInvoice), (name, result)
        inv = result.invoice
        assert inv.total == order.total, name
        assert check_invoice(inv) == []
        assert sum(d.debit for d in inv.distributions) == sum(d.credit for d in inv.distributions)
        assert inv.po_number == order.number and inv.number == f"WC{order.number}"


def test_variation_fee_coupon_order_maps_to_each_gp_field() -> None:
    order = OrderView.from_payload(recorded("orders-get-variation-fee.json"))
    inv = map_invoice(order, inputs_for(order)).invoice
    assert [li.item for li in inv.lines] == ["CL-HOODIE-M", "HM-DUVET-QN", "CL-BEANIE-003"]
    assert inv.lines[2].quantity == 2 and inv.lines[2].unit_price == D("19.99")
    assert (inv.freight, inv.misc, inv.trade_discount, inv.tax) == (
        D("7.95"), D("4.99"), D("5.00"), D("20.95"))
    assert inv.batch == "WC20261127" and inv.customer_id == "WC000003"
    # cheque: an unpaid method leaves the invoice open
    assert inv.payments == [] and {d.kind for d in inv.distributions} >= {"RECV", "SALES", "TRADE"}


def test_paid_gateway_carries_its_payment_and_cash_account() -> None:
    payload = recorded("orders-get-variation-fee.json")
    payload = {**payload, "payment_method": "stripe", "payment_method_title": "Credit card",
               "transaction_id": "ch_123"}
    posting = PostingSettings(gateways={"stripe": {"payment_type": "credit_card",
                                                   "card_type": "VISA", "checkbook": "STRIPE"}})
    order = OrderView.from_payload(payload)
    inv = map_invoice(order, inputs_for(order, posting)).invoice
    assert len(inv.payments) == 1 and inv.payments[0].amount == D("256.97")
    assert inv.payments[0].checkbook == "STRIPE" and inv.payments[0].reference == "ch_123"
    kinds = {d.kind: d for d in inv.distributions}
    assert kinds["CASH"].debit == D("256.97") and "RECV" not in kinds  # nothing owed


def test_unknown_and_missing_skus_hold_the_order_and_name_them() -> None:
    order = OrderView.from_payload(recorded("orders-get-guest-nosku-onhold.json"))
    result = map_invoice(order, inputs_for(order))
    assert isinstance(result, Held) and result.reason == "sku"
    assert [u.sku for u in result.unknown_skus] == ["(no sku) product 19"]
    order2 = OrderView.from_payload(recorded("orders-get-variation-fee.json"))
    items = {"CL-HOODIE-M": "CL-HOODIE-M", "HM-DUVET-QN": None, "CL-BEANIE-003": "BEANIE"}
    held = map_invoice(order2, inputs_for(order2, items=items))
    assert isinstance(held, Held) and [u.sku for u in held.unknown_skus] == ["HM-DUVET-QN"]
    fallback = PostingSettings(allow_fallback_item=True, fallback_item="WEB-MISC")
    mapped = map_invoice(order2, inputs_for(order2, fallback, items=items))
    assert [li.item for li in mapped.invoice.lines] == ["CL-HOODIE-M", "WEB-MISC", "BEANIE"]


def test_missing_gl_account_holds_with_the_account_kind() -> None:
    order = OrderView.from_payload(recorded("orders-get-variation-fee.json"))
    accounts = {**ACCOUNTS, "freight": None, "discount": None}
    result = map_invoice(order, inputs_for(order, accounts=accounts))
    assert isinstance(result, Held) and result.reason == "gl"
    assert result.missing_accounts == ("freight", "discount") and "freight" in result.detail


def test_rounding_within_tolerance_goes_to_rounding_account_beyond_it_holds() -> None:
    payload = recorded("orders-get-customer-multi-coupon.json")
    order = OrderView.from_payload({**payload, "total": "149.53"})
    mapped = map_invoice(order, inputs_for(order))
    assert isinstance(mapped, MappedInvoice) and mapped.figures.rounding == D("0.01")
    assert mapped.invoice.total == D("149.53")
    rounding = [d for d in mapped.invoice.distributions if d.kind == "ROUNDING"]
    assert rounding[0].credit == D("0.01") and rounding[0].account == ACCOUNTS["rounding"]
    down = map_invoice(OrderView.from_payload({**payload, "total": "149.51"}), inputs_for(order))
    assert down.invoice.total == D("149.51") and check_invoice(down.invoice) == []
    far = OrderView.from_payload({**payload, "total": "150.52"})
    held = map_invoice(far, inputs_for(far))
    assert isinstance(held, Held) and held.reason == "totals"
    assert held.figures["woo_total"] == "150.52" and held.figures["computed"] == "149.52"


def test_field_rules_reject_a_number_template_too_long_for_gp() -> None:
    order = OrderView.from_payload(recorded("orders-get-status-flow.json"))
    posting = PostingSettings(doc_number_template="WOOCOMMERCE-ORDER-{number}")
    result = map_invoice(order, inputs_for(order, posting))
    assert isinstance(result, Rejected) and "GP allows 17" in result.detail


def test_customer_ids_are_deterministic_upper_case_and_short() -> None:
    assert registered_customer_id(12) == "WC000012"
    a = guest_customer_id("Olivia.Chen@Example.com")
    assert a == guest_customer_id("olivia.chen@example.com ") and a == a.upper() and len(a) <= 15
    assert guest_customer_id("john@a.com") != guest_customer_id("john@b.com")
    guest = OrderView.from_payload(recorded("orders-get-guest-pending.json"))
    assert gp_customer_id_for(guest, policy="shared", shared_id="webcust") == "WEBCUST"
    assert gp_customer_id_for(guest, policy="match", shared_id="X", matched_id="AARONFIT0001") \
        == "AARONFIT0001"
    no_mail = OrderView.from_payload({**recorded("orders-get-guest-pending.json"),
                                      "billing": {"first_name": "A", "email": ""}})
    assert gp_customer_id_for(no_mail, policy="per_email", shared_id="X") is None
    held = map_invoice(no_mail, inputs_for(no_mail))
    assert isinstance(held, Held) and held.reason == "customer"


def test_customer_addresses_and_fingerprint() -> None:
    order = OrderView.from_payload(recorded("orders-get-customer-multi-coupon.json"))
    c = build_customer(order, "WC000002", customer_class="WEB")
    assert [a.address_id for a in c.addresses] == ["BILLING"]  # shipping = billing
    assert c.ship_to_address_id == "BILLING" and c.addresses[0].city == "New York"
    moved = {**recorded("orders-get-customer-multi-coupon.json")}
    moved["shipping"] = {**moved["shipping"], "address_1": "1 Other St"}
    c2 = build_customer(OrderView.from_payload(moved), "WC000002", customer_class="WEB")
    assert c2.ship_to_address_id == "SHIPPING" and len(c2.addresses) == 2
    assert fingerprint(c) == fingerprint(build_customer(order, "WC000002", customer_class="WEB"))
    assert fingerprint(c) != fingerprint(c2)


def test_unit_price_split_keeps_quantity_times_price_equal_to_extended() -> None:
    assert split_unit_price(D("10.00"), D(3)) == [(D(1), D("3.34"), D("3.34")),
                                                  (D(2), D("3.33"), D("6.66"))]
    assert split_unit_price(D("53981.87"), D(231)) == [(D(179), D("233.69"), D("41830.51")),
                                                       (D(52), D("233.68"), D("12151.36"))]
    rows = split_unit_price(D("1000.00"), D(3001))
    assert len(rows) == 2 and sum(r[2] for r in rows) == D("1000.00")
    assert all(to_cents(q * u) == e for q, u, e in rows)
    assert split_unit_price(D("0.10"), D(16)) == [(D(10), D("0.01"), D("0.10")),
                                                  (D(6), D("0.00"), D("0.00"))]


def _refund_inputs(**kw: object) -> RefundInputs:
    base = dict(posting=PostingSettings(), customer_id="WC000003", invoice_number="WC37",
                accounts=ACCOUNTS, today=TODAY)
    base.update(kw)
    return RefundInputs(**base)  # type: ignore[arg-type]


def test_full_refund_becomes_a_balanced_credit_memo_linked_to_the_invoice() -> None:
    order = OrderView.from_payload(recorded("orders-get-full-refund.json"))
    refund = RefundView.from_payload(recorded("refunds-create-full.json"), order_id=order.id)
    result = map_refund(refund, order, _refund_inputs())
    assert isinstance(result, MappedRefund) and result.doc_type == "credit_memo"
    memo = result.document
    assert memo.number == "WCR45" and memo.amount == D("59.29") and memo.apply_to == "WC37"
    dist = {d.kind: d for d in memo.distributions}
    assert dist["RECV"].credit == D("59.29") and dist["FREIGHT"].debit == D("7.95")
    assert dist["TAXES"].debit == D("4.84") and dist["SALES"].debit == D("46.50")


def test_amount_only_and_partial_line_refunds() -> None:
    order = OrderView.from_payload(recorded("orders-get-partial-amount-refund.json"))
    refund = RefundView.from_payload(recorded("refunds-create-partial-amount.json"))
    memo = map_refund(refund, order, _refund_inputs()).document
    assert memo.amount == D("10.00")
    assert [(d.kind, d.debit, d.credit) for d in memo.distributions] == [
        ("RECV", D(0), D("10.00")), ("SALES", D("10.00"), D(0))]
    order2 = OrderView.from_payload(recorded("orders-get-partial-line-refund.json"))
    line = RefundView.from_payload(recorded("orders-refunds-list-partial-line-refund.json"))
    as_return = map_refund(line, order2, _refund_inputs(
        posting=PostingSettings(refund_document="return_when_restocked"), restocked=True,
        items={"CL-TSHIRT-001": "CL-TSHIRT-001"}))
    assert isinstance(as_return, MappedRefund) and as_return.doc_type == "return"
    ret = as_return.document
    assert ret.lines[0].quantity == 1 and ret.lines[0].extended_price == D("24.00")
    assert ret.tax == D("2.13") and ret.total == D("26.13")


def test_cancelled_after_posting_credits_what_is_still_owed() -> None:
    order = OrderView.from_payload(recorded("orders-get-status-flow.json"))
    result = map_status_credit(order, _refund_inputs(invoice_number="WC" + order.number),
                               amount=order.total, reason="Cancelled")
    assert isinstance(result, MappedRefund) and result.document.number == f"WCC{order.number}"
    assert result.document.amount == order.total
    short = replace(PostingSettings(), refund_number_template="A-VERY-LONG-REFUND-{refund_id}")
    refund = RefundView.from_payload(recorded("refunds-create-partial-amount.json"))
    assert isinstance(map_refund(refund, order, _refund_inputs(posting=short)), Rejected)
