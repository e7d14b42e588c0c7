"""Gateway -> GP payment: GP's ids from the mapping, never WooCommerce's title; unmapped = unpaid,
and the order says so."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.config import PostingSettings
from core.mapping import MappedInvoice, map_invoice
from core.mapping.payments import describe, gateway_rule, mapping_entry
from tests.core.mapping_fixtures import inputs_for, recorded

D = Decimal


def _paid_order(gateway: str, title: str) -> dict:
    payload = recorded("orders-get-variation-fee.json")
    return {**payload, "payment_method": gateway, "payment_method_title": title,
            "transaction_id": "ch_123", "date_paid_gmt": "2026-11-27T08:00:01"}


def _map(payload: dict, gateways: dict) -> MappedInvoice:
    from core.woo.views import OrderView

    order = OrderView.from_payload(payload)
    result = map_invoice(order, inputs_for(order, PostingSettings(gateways=gateways)))
    assert isinstance(result, MappedInvoice)
    return result


def test_card_payment_carries_gps_card_type_and_checkbook_not_the_woocommerce_title() -> None:
    gateways = {"stripe": mapping_entry("credit_card", card_type="VISA", checkbook="UPTOWN")}
    mapped = _map(_paid_order("stripe", "Credit Card (Stripe)"), gateways)
    [payment] = mapped.invoice.payments
    assert payment.card_type == "VISA" and payment.checkbook == "UPTOWN"
    assert payment.amount == mapped.invoice.total
    assert "Credit Card" not in repr(mapped.invoice)
    assert mapped.notes == ()


def test_unmapped_gateway_leaves_the_invoice_unpaid_and_says_so() -> None:
    mapped = _map(_paid_order("klarna", "Pay later with Klarna"), {})
    assert mapped.invoice.payments == [] and not mapped.paid
    kinds = {d.kind for d in mapped.invoice.distributions}
    assert "CASH" not in kinds and "RECV" in kinds  # still owed in GP
    [note] = mapped.notes
    assert "'klarna' has no GP payment mapping" in note and "left unpaid" in note
    assert "ml-connector payments set klarna" in note


def test_card_gateway_without_a_card_type_is_unpaid_with_the_reason() -> None:
    mapped = _map(_paid_order("stripe", "Credit Card (Stripe)"),
                  {"stripe": {"payment_type": "credit_card", "checkbook": "UPTOWN"}})
    assert mapped.invoice.payments == []
    assert "no GP payment card type" in mapped.notes[0]


@pytest.mark.parametrize("kind", ["cash", "check"])
def test_cash_and_check_need_a_checkbook(kind: str) -> None:
    rule = gateway_rule({"g": {"payment_type": kind}}, "g")
    assert not rule.paid and "no GP checkbook" in rule.problem
    rule = gateway_rule({"g": mapping_entry(kind, checkbook="FIRST BANK")}, "g")
    assert rule.paid and rule.payment_type == kind and rule.card_type == ""
    assert describe(rule) == f"{kind} into checkbook FIRST BANK"


def test_gateway_marked_unpaid_is_quietly_open() -> None:
    rule = gateway_rule({"bacs": mapping_entry("none")}, "bacs")
    assert not rule.paid and rule.problem == ""
    mapped = _map(_paid_order("bacs", "Direct bank transfer"), {"bacs": mapping_entry("none")})
    assert mapped.invoice.payments == [] and mapped.notes == ()


def test_mapping_entry_refuses_unknown_kinds() -> None:
    with pytest.raises(ValueError):
        mapping_entry("bitcoin")
