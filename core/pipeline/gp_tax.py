"""What GP computed itself, read back and compared: its tax and its distributions.

tax_mode "gp": GP computes the tax; the connector reads it back and compares it with
WooCommerce's. Equal: verified. Within the rounding tolerance: the difference is brought in line
once, on the rounding line (miscellaneous up, trade discount down, with its ROUNDING distribution
when distributions are supplied), and recorded with both figures. Beyond: held "tax" with both
figures (gpdoc.verify), never silent. Distributions GP built itself are compared with the GL
mapping, and a difference is written on the order's timeline with the accounts.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

from core.console_settings import mapping_posting
from core.errors import GPError
from core.gp.gateway import GPDistribution, GPDocument, SalesInvoice
from core.gp.keys import same_key
from core.money import ZERO, to_cents
from core.store.models import Order
from core.woo.views import OrderView

from .changes import change
from .context import PipelineContext
from .gpdoc import Verification, gp_message

# GP's distribution kinds -> the GL mapping's account kinds (core.gl).
MAPPED_KINDS = {"SALES": "sales", "RECV": "receivables", "FREIGHT": "freight", "MISC": "misc",
                "TRADE": "discount", "TAXES": "tax", "ROUNDING": "rounding", "CASH": "cash"}


def distribution_differences(doc: GPDocument, accounts: Mapping[str, str | None]
                             ) -> list[str]:
    """GP's distributions (its own, under "Automatically Create Distributions") against the
    GL mapping: one line per kind whose account differs, for the order's timeline."""
    out: list[str] = []
    for d in doc.distributions:
        kind = MAPPED_KINDS.get(d.kind)
        mapped = accounts.get(kind) if kind else None
        if mapped and not same_key(d.account, mapped):
            amount = d.debit or d.credit
            out.append(f"{d.kind} {amount} to {d.account} (GL mapping: {mapped})")
    return out


def expected_tax(ctx: PipelineContext, view: OrderView, decimals: int = 2) -> Decimal | None:
    """WooCommerce's tax, when GP computes its own (tax_mode "gp"); None otherwise."""
    if ctx.settings.posting.tax_mode != "gp":
        return None
    return to_cents(view.total_tax, decimals)


def rounded(invoice: SalesInvoice, difference: Decimal, rounding_account: str
            ) -> SalesInvoice:
    """The invoice with WooCommerce - GP on its rounding line."""
    up, down = max(difference, ZERO), max(-difference, ZERO)
    dists = list(invoice.distributions)
    if dists:
        dists.append(GPDistribution("ROUNDING", rounding_account, debit=down, credit=up))
        for i, d in enumerate(dists):  # what the customer owes moves by the same amount
            if d.kind == "RECV":
                dists[i] = replace(d, debit=d.debit + difference)
                break
    return replace(invoice, misc=invoice.misc + up, trade_discount=invoice.trade_discount + down,
                   total=invoice.total + difference, distributions=dists)


def bring_in_line(ctx: PipelineContext, order: Order, invoice: SalesInvoice | None,
                  rounding_account: str, doc: GPDocument, v: Verification
                  ) -> GPDocument | None:
    """Within the tolerance: update GP's invoice once and read it back; else None (held)."""
    if v.reason != "tax" or invoice is None or not rounding_account:
        return None
    difference = Decimal(v.figures["difference"])
    tolerance = Decimal(mapping_posting(ctx.settings.posting).rounding_tolerance)
    if difference == 0 or abs(difference) > tolerance or doc.state != "work":
        return None
    fixed = rounded(invoice, difference, rounding_account)
    try:
        ctx.gateway.update_sales_invoice(fixed)
        again = ctx.gateway.find_sales_invoice(invoice.number)
    except GPError as exc:
        change(ctx, order, "tax_rounding_failed", f"GP's tax on invoice {invoice.number} "
               f"differs from WooCommerce's by {difference}, within the rounding tolerance, but "
               f"GP did not take the rounding: {gp_message(exc)}", data=dict(v.figures))
        return None
    if again is None:
        return None
    change(ctx, order, "tax_rounded", f"GP computed tax {v.figures['gp_tax']}, WooCommerce "
           f"charged {v.figures['woo_tax']}: the difference {difference} (within the rounding "
           f"tolerance {tolerance}) went to the rounding account {rounding_account} on invoice "
           f"{invoice.number}", data={**v.figures, "rounding_account": rounding_account})
    return again
