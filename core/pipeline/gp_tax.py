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


def rounded(invoice: SalesInvoice, difference: Decimal, rounding_account: str,
            gp_tax: Decimal | None = None) -> SalesInvoice:
    """The invoice with WooCommerce - GP on its rounding line. Its distributions stay balanced:
    the tax line carries GP's tax (what GP's tax details credit), the receivable WooCommerce's
    total; without a tax line, what the customer owes moves by the difference."""
    up, down = max(difference, ZERO), max(-difference, ZERO)
    dists = list(invoice.distributions)
    if dists:
        dists.append(GPDistribution("ROUNDING", rounding_account, debit=down, credit=up))
        taxes = next((i for i, d in enumerate(dists) if d.kind == "TAXES"), None)
        if taxes is not None and gp_tax is not None:
            dists[taxes] = replace(dists[taxes], credit=dists[taxes].credit - difference)
        else:
            for i, d in enumerate(dists):
                if d.kind == "RECV":
                    dists[i] = replace(d, debit=d.debit + difference)
                    break
    return replace(invoice, misc=invoice.misc + up, trade_discount=invoice.trade_discount + down,
                   total=invoice.total + difference, distributions=dists)


def bring_in_line(ctx: PipelineContext, order: Order, invoice: SalesInvoice | None,
                  rounding_account: str, doc: GPDocument, v: Verification
                  ) -> tuple[GPDocument, SalesInvoice] | None:
    """Within the tolerance: update GP's invoice and read it back (GP's document and the invoice
    as last sent); else None (held).

    GP taxes what is sold after the trade discount, so a cent taken off by the trade discount
    can move GP's tax by a cent as well: what is still off after the first update (within the
    tolerance) is brought in line by a second one, never more."""
    if v.reason != "tax" or invoice is None or not rounding_account:
        return None
    difference = Decimal(v.figures["difference"])
    tolerance = Decimal(mapping_posting(ctx.settings.posting).rounding_tolerance)
    if difference == 0 or abs(difference) > tolerance or doc.state != "work":
        return None
    woo_total = Decimal(v.figures["woo_total"])
    fixed, again, step = invoice, doc, difference
    for _ in range(2):
        fixed = rounded(fixed, step, rounding_account, again.tax)
        try:
            ctx.gateway.update_sales_invoice(fixed)
            found = ctx.gateway.find_sales_invoice(invoice.number)
        except GPError as exc:
            change(ctx, order, "tax_rounding_failed", f"GP's tax on invoice {invoice.number} "
                   f"differs from WooCommerce's by {difference}, within the rounding tolerance, "
                   f"but GP did not take the rounding: {gp_message(exc)}", data=dict(v.figures))
            return None
        if found is None:
            return None
        again, step = found, woo_total - found.total
        if step == 0 or abs(fixed.misc - invoice.misc - fixed.trade_discount
                            + invoice.trade_discount + step) > tolerance:
            break
    moved = (f"miscellaneous {fixed.misc - invoice.misc}, trade discount "
             f"{fixed.trade_discount - invoice.trade_discount}")
    change(ctx, order, "tax_rounded", f"GP computed tax {v.figures['gp_tax']}, WooCommerce "
           f"charged {v.figures['woo_tax']}: the difference {difference} (within the rounding "
           f"tolerance {tolerance}) went to the rounding account {rounding_account} on invoice "
           f"{invoice.number} ({moved}); GP's tax is now {again.tax}, its total {again.total}",
           data={**v.figures, "rounding_account": rounding_account,
                 "gp_tax_after": str(again.tax), "gp_total_after": str(again.total)})
    return again, fixed


def pay_in_full(ctx: PipelineContext, order: Order, invoice: SalesInvoice | None,
                doc: GPDocument, woo_total: Decimal) -> GPDocument | None:
    """tax_mode "gp": the invoice was created paid without the tax GP had yet to compute (a
    payment over GP's total is refused); once GP's total is WooCommerce's, the payment is
    raised to what the customer paid, the receivable moving to cash. None: nothing to do, or
    GP refused (written on the order's timeline with GP's words)."""
    if (invoice is None or not invoice.gp_computes_tax or not invoice.payments
            or doc.state != "work" or doc.total != woo_total):
        return None
    short = woo_total - sum((p.amount for p in invoice.payments), ZERO)
    if short <= 0:
        return None
    pays = list(invoice.payments)
    pays[-1] = replace(pays[-1], amount=pays[-1].amount + short)
    dists = [replace(d, debit=d.debit + short) if d.kind == "CASH" else
             replace(d, debit=d.debit - short) if d.kind == "RECV" else d
             for d in invoice.distributions]
    fixed = replace(invoice, payments=pays, distributions=[d for d in dists
                                                           if d.debit or d.credit])
    try:
        ctx.gateway.update_sales_invoice(fixed)
        again = ctx.gateway.find_sales_invoice(invoice.number)
    except GPError as exc:
        change(ctx, order, "tax_payment_failed", f"invoice {invoice.number} carries a payment "
               f"of {woo_total - short}, WooCommerce's customer paid {woo_total}: GP did not take "
               f"the rest ({short}, the tax GP computed): {gp_message(exc)}. Enter it on the "
               "invoice in GP", data={"short": str(short), "woo_total": str(woo_total)})
        return None
    if again is not None:
        change(ctx, order, "tax_paid", f"payment on invoice {invoice.number} raised by {short} "
               f"to {woo_total}, what the customer paid, now that GP has computed its tax",
               data={"short": str(short), "woo_total": str(woo_total)})
    return again
