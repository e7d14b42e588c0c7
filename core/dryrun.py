"""Dry run: map an order and check it against GP without creating anything.

The safe first run on a customer's real systems: for each order it says what would be posted
(customer, lines, totals, batch, number), or why not (held / rejected / already in GP), after
checking GP for the customer, each item, each GL account and the document number. Nothing is
written: no state change, no flag, no audit event, nothing in GP.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import GPError, WooError
from core.gp.gateway import SalesInvoice
from core.mapping import Held, MappedInvoice, Rejected, map_invoice
from core.pipeline.context import PipelineContext
from core.pipeline.eligibility import invoiceable, skip_text
from core.pipeline.gpdoc import gp_message
from core.pipeline.prepare import invoice_inputs, plan_customer
from core.store.models import Order
from core.woo.views import OrderView


@dataclass
class DryRunReport:
    woo_id: int
    number: str
    outcome: str  # would_post | exists | held | rejected | skipped | error
    detail: str
    invoice: SalesInvoice | None = None
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_order(ctx: PipelineContext, order: Order) -> DryRunReport:
    number = order.number
    try:
        view = OrderView.from_payload(ctx.woo.get_order(order.woo_id))
    except WooError as exc:
        return DryRunReport(order.woo_id, number, "error", f"WooCommerce: {exc}")
    eligible = ctx.settings.posting.eligible_statuses
    if not invoiceable(view.status, view.date_paid, eligible):
        return DryRunReport(order.woo_id, view.number, "skipped",
                            f"not invoiced: {skip_text(view.status, eligible)}")
    try:
        return _check(ctx, order, view)
    except GPError as exc:
        return DryRunReport(order.woo_id, view.number, "error", f"GP: {gp_message(exc)}")


def _check(ctx: PipelineContext, order: Order, view: OrderView) -> DryRunReport:
    gw = ctx.gateway
    plan = plan_customer(ctx, view)
    checks: list[str] = []
    problems: list[str] = []
    if plan.customer is not None:
        exists = gw.get_customer(plan.customer.customer_id) is not None
        checks.append(f"customer {plan.customer.customer_id}: "
                      + ("exists in GP" if exists else "would be created"))
    inputs = invoice_inputs(ctx, view, plan, ctx.clock.now().date())
    for sku, item in inputs.items.items():
        checks.append(f"SKU {sku or '(none)'} -> " + (f"GP item {item}" if item else "unknown"))
    result = map_invoice(view, inputs)
    if isinstance(result, Held):
        return DryRunReport(order.woo_id, view.number, "held", f"would be held "
                            f"({result.reason}): {result.detail}", checks=checks)
    if isinstance(result, Rejected):
        return DryRunReport(order.woo_id, view.number, "rejected", result.detail, checks=checks)
    assert isinstance(result, MappedInvoice)
    inv = result.invoice
    number = order.gp_doc_number or inv.number
    for account in sorted({d.account for d in inv.distributions}):
        try:
            known = gw.account_exists(account)
        except Exception:  # noqa: BLE001 - a route that cannot answer must not stop the run
            known = None
        if known is False:
            problems.append(f"GL account {account} does not exist in GP")
        checks.append(f"account {account}: " + {True: "exists", False: "MISSING",
                                                 None: "cannot be checked on this route"}[known])
    found = gw.find_sales_invoice(number)
    if found is not None:
        return DryRunReport(order.woo_id, view.number, "exists", f"GP already holds invoice "
                            f"{number} ({found.state}, total {found.total}): nothing to create",
                            inv, checks, problems)
    text = (f"would post invoice {number} for {inv.customer_id}: {len(inv.lines)} line(s), "
            f"total {inv.total} {inv.currency}, batch {inv.batch}"
            + (f", paid {inv.payments[0].amount}" if inv.payments else ", open"))
    return DryRunReport(order.woo_id, view.number, "would_post" if not problems else "rejected",
                        text if not problems else text + "; but " + "; ".join(problems),
                        inv, checks, problems)


def format_report(r: DryRunReport) -> str:
    return f"order {r.number}: {r.detail}"
