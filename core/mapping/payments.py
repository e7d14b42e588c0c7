"""WooCommerce payment gateway -> the GP payment an invoice carries (or why it carries none).

Every id that reaches GP here is GP's own (a payment card type from GetPaymentCardTypeList, a
checkbook GP knows), chosen by the accountant from GP's lists (`ml-connector payments`, the
console's Payments screen) and stored in `[posting] gateways`. WooCommerce's display title
("Credit Card (Stripe)") is never sent as an id: GP refuses an unknown card type, and a truncated
title that happens to exist would post the money to the wrong place.

A gateway without a mapping leaves the invoice unpaid (the receivable stays open) and says so on
the order; it never guesses.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# GP's three ways an invoice is paid at entry (SalesPaymentType, gp.md §10.2), by our name.
PAYMENT_KINDS = ("credit_card", "cash", "check")
NOT_PAID = "none"  # the gateway takes no money at checkout (bank transfer, cash on delivery)
KIND_WORDS = {"credit_card": "payment card", "cash": "cash", "check": "check", NOT_PAID: "unpaid"}


@dataclass(frozen=True)
class GatewayRule:
    """How one gateway's payment is entered on the GP invoice."""

    paid: bool  # the invoice carries a payment
    payment_type: str  # credit_card | cash | check | none
    checkbook: str = ""  # GP checkbook id
    card_type: str = ""  # GP payment card type id (credit_card only)
    problem: str = ""  # why a gateway that takes money gets no payment on the invoice


def gateway_rule(gateways: Mapping[str, Mapping[str, Any]], gateway: str) -> GatewayRule:
    """The configured rule for `gateway`; without one the invoice stays unpaid, with the reason."""
    conf = gateways.get(gateway) if gateway else None
    label = gateway or "(none)"
    if conf is None:
        return GatewayRule(False, NOT_PAID, problem=(
            f"WooCommerce payment gateway {label!r} has no GP payment mapping: the invoice is "
            f"left unpaid in GP. Map it with `ml-connector payments set {label} ...` or in the "
            "console's Payments screen, then replay"))
    kind = str(conf.get("payment_type", NOT_PAID) or NOT_PAID)
    if conf.get("paid") is False or kind == NOT_PAID:
        return GatewayRule(False, NOT_PAID)
    if kind not in PAYMENT_KINDS:
        return GatewayRule(False, NOT_PAID, problem=(
            f"gateway {label!r}: payment_type {kind!r} is not one of "
            f"{', '.join(PAYMENT_KINDS + (NOT_PAID,))}: the invoice is left unpaid"))
    checkbook = str(conf.get("checkbook", "") or "").strip()
    card_type = str(conf.get("card_type", "") or "").strip()
    if kind == "credit_card" and not card_type:
        return GatewayRule(False, NOT_PAID, problem=(
            f"gateway {label!r} is paid by card but no GP payment card type is chosen for it: "
            f"the invoice is left unpaid. Choose one of GP's card types with `ml-connector "
            f"payments set {label} --card-type ...`"))
    if kind in ("cash", "check") and not checkbook:
        return GatewayRule(False, NOT_PAID, problem=(
            f"gateway {label!r} is paid by {kind} but no GP checkbook is chosen for it: the "
            f"invoice is left unpaid. Choose one with `ml-connector payments set {label} "
            "--checkbook ...`"))
    return GatewayRule(True, kind, checkbook, card_type if kind == "credit_card" else "")


def describe(rule: GatewayRule) -> str:
    """One line for lists: 'payment card VISA into checkbook UPTOWN TRUST'."""
    if not rule.paid:
        return KIND_WORDS[NOT_PAID] + (f" ({rule.problem})" if rule.problem else "")
    text = KIND_WORDS[rule.payment_type]
    if rule.card_type:
        text += f" {rule.card_type}"
    if rule.checkbook:
        text += f" into checkbook {rule.checkbook}"
    return text


def mapping_entry(payment_type: str, *, card_type: str = "", checkbook: str = ""
                  ) -> dict[str, Any]:
    """The `[posting] gateways` entry for a choice (what the CLI and the console save)."""
    if payment_type not in PAYMENT_KINDS + (NOT_PAID,):
        raise ValueError(f"payment type must be one of {', '.join(PAYMENT_KINDS + (NOT_PAID,))}")
    if payment_type == NOT_PAID:
        return {"payment_type": NOT_PAID}
    out: dict[str, Any] = {"payment_type": payment_type}
    if card_type and payment_type == "credit_card":
        out["card_type"] = card_type
    if checkbook:
        out["checkbook"] = checkbook
    return out
