"""Refunds of orders with a negative fee line (a discount typed as a fee): the credit document
gives the discount back as trade discount, as the invoice took it, never as a negative amount."""
from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from core.config import PostingSettings
from core.gp.gateway import CreditMemo, SalesReturn
from core.mapping import MappedRefund, RefundInputs, map_refund
from core.mapping.rules import check_credit_memo, check_return
from core.woo.views import OrderView, RefundView
from tests.core.mapping_fixtures import ACCOUNTS, TODAY, recorded

D = Decimal


def _refund_with_loyalty_fee() -> tuple[RefundView, OrderView]:
    """The recorded full refund (59.29) of an order that also had a -3.00 "Loyalty discount" fee:
    WooCommerce refunds that fee line with the opposite sign (+3.00), so 56.29 goes back."""
    payload: dict[str, Any] = copy.deepcopy(recorded("refunds-create-full.json"))
    payload["fee_lines"] = [{"id": 58, "name": "Loyalty discount", "total": "3.00",
                             "total_tax": "0.00", "taxes": [], "meta_data": []}]
    payload["amount"] = "56.29"
    order = OrderView.from_payload(recorded("orders-get-full-refund.json"))
    return RefundView.from_payload(payload, order_id=order.id), order


def _inputs(**kw: object) -> RefundInputs:
    base: dict[str, object] = dict(posting=PostingSettings(), customer_id="WC000003",
                                   invoice_number="WC37", accounts=ACCOUNTS, today=TODAY)
    base.update(kw)
    return RefundInputs(**base)  # type: ignore[arg-type]


def test_credit_memo_gives_a_negative_fee_back_as_trade_discount() -> None:
    refund, order = _refund_with_loyalty_fee()
    result = map_refund(refund, order, _inputs())
    assert isinstance(result, MappedRefund), result
    memo = result.document
    assert isinstance(memo, CreditMemo)
    assert memo.amount == D("56.29") and result.expected_total == D("56.29")
    assert result.figures.discount == D("3.00") and result.figures.misc == 0
    assert result.figures.remainder == 0
    rows = [(d.kind, d.account, d.debit, d.credit) for d in memo.distributions]
    assert all(debit >= 0 and credit >= 0 for _, _, debit, credit in rows)
    assert sum(r[2] for r in rows) == sum(r[3] for r in rows)
    dist = {d.kind: d for d in memo.distributions}
    assert dist["TRADE"].credit == D("3.00") and dist["TRADE"].account == ACCOUNTS["discount"]
    assert dist["RECV"].credit == D("56.29") and dist["SALES"].debit == D("46.50")
    assert "MISC" not in dist
    assert check_credit_memo(memo) == []


def test_negative_fee_refund_needs_the_discount_account() -> None:
    refund, order = _refund_with_loyalty_fee()
    accounts = {**ACCOUNTS, "discount": None}
    held = map_refund(refund, order, _inputs(accounts=accounts))
    assert not isinstance(held, MappedRefund) and "discount" in getattr(held, "detail", "")


def test_sop_return_carries_a_negative_fee_as_trade_discount() -> None:
    refund, order = _refund_with_loyalty_fee()
    result = map_refund(refund, order, _inputs(
        posting=PostingSettings(refund_document="return_when_restocked"), restocked=True,
        items={"HM-MUG-001": "HM-MUG-001", "HM-CANDLE-003": "HM-CANDLE-003"}))
    assert isinstance(result, MappedRefund) and result.doc_type == "return"
    ret = result.document
    assert isinstance(ret, SalesReturn)
    assert ret.trade_discount == D("3.00") and ret.misc == 0
    assert ret.freight == D("7.95") and ret.tax == D("4.84") and ret.total == D("56.29")
    assert check_return(ret) == []
