"""Before the first create: would GP's policy for the connector's role change the amounts?

A fresh GP re-prices lines and computes its own tax (gp.md §22). Rather than post an invoice
whose amounts differ from WooCommerce's and find out at read-back, the order is held with GP's
reason and the administrator's task in GP's words (the same text `check` prints); it replays
once the policy instance exists. The policy is re-read every few minutes (SoapClient).
"""
from __future__ import annotations

from decimal import Decimal

from core.gp.policy import instance_fix

from .context import PipelineContext


def policy_hold(ctx: PipelineContext, *, tax: Decimal) -> tuple[str, str] | None:
    """(hold reason, what to do) when GP's policy would post different amounts, else None."""
    reader = getattr(ctx.gateway, "posting_policy", None)
    policy = reader() if reader is not None else None
    if policy is None:
        return None
    role = ctx.settings.gp.role.strip()
    who = f"role {role}" if role else "the connector's role"
    if policy.keeps_unit_prices is False:
        return "price", (
            f"GP's Create Sales Invoice policy for {who} re-prices lines (Calculate Unit Price "
            "= Calculate): the invoice would not carry WooCommerce's prices, so nothing was "
            "sent to GP. Ask the GP administrator: "
            + instance_fix("CreateSalesInvoice", role, "Calculate Unit Price",
                           "Do Not Calculate") + "; then replay")
    tax_mode = ctx.settings.posting.tax_mode
    if tax_mode == "woo" and tax and policy.taxes_provided is not True:
        return "tax", (
            f"GP's Create Sales Invoice policy for {who} calculates taxes itself: WooCommerce's "
            f"tax {tax} would be replaced by GP's, so nothing was sent to GP. Ask the GP "
            "administrator: " + instance_fix("CreateSalesInvoice", role, "Create Taxes",
                                             "Taxes Will Be Provided")
            + "; or set [posting] tax_mode = \"gp\"; then replay")
    if tax_mode == "gp" and policy.taxes_provided is True:
        return "tax", (
            f"GP's Create Sales Invoice policy for {who} takes the taxes from the document, but "
            "[posting] tax_mode = \"gp\" sends none: the invoice would carry no tax, so nothing "
            "was sent to GP. Set tax_mode = \"woo\", or ask the GP administrator: "
            + instance_fix("CreateSalesInvoice", role, "Create Taxes", "Calculate Taxes")
            + "; then replay")
    return None
