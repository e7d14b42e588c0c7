"""One order, from "WooCommerce says it changed" to exactly one verified GP invoice.

fetch fresh (REST = truth) -> eligible? -> customer -> lines + GL -> totals -> number recorded
-> GP read -> create -> read back -> posted -> verified; then refunds and status changes.
Every GP call happens outside a database transaction; every state change commits with its audit.
"""
from __future__ import annotations

import logging
from dataclasses import replace

from core.clock import trusted_for_ordering
from core.errors import GPError, GPRefused, WooError
from core.intake.inbox import customer_key, customer_name
from core.mapping import Held, MappedInvoice, Rejected, map_invoice
from core.replay import ORDER_JOB, order_job_key
from core.store import audit, queue
from core.store.db import database
from core.store.models import Order, OrderSku
from core.store.sent import record_sent
from core.store.states import INVOICE_DONE, DocState
from core.woo.views import OrderView

from .after import OrderInvoice, after_posting, settle_invoice
from .changes import change, fail_order, hold_order, record_number
from .context import PipelineContext, crash_point
from .currency_gate import currency_hold
from .documents import post
from .eligibility import invoiceable, skip_text
from .gp_tax import expected_tax
from .gpdoc import gp_message
from .policy_gate import policy_hold
from .post_refund import discover_refunds
from .prepare import apply_customer, invoice_inputs, plan_customer
from .result import StepResult

log = logging.getLogger("ml_connector.pipeline")

def store_fresh(ctx: PipelineContext, order: Order, payload: dict) -> Order:
    """Keep the REST copy when it is at least as new as the stored snapshot (never older)."""
    view = OrderView.from_payload(payload)
    if order.modified_gmt and view.date_modified and view.date_modified < order.modified_gmt \
            and trusted_for_ordering(order.modified_gmt, ctx.clock.now()):
        return order  # (a stored date in the far future orders nothing: REST is the truth)
    if order.modified_gmt == view.date_modified and order.payload == payload:
        return order
    with database.atomic("IMMEDIATE"):
        if order.modified_gmt != view.date_modified:
            audit.record("order", order.woo_id, "received", f"order {view.number} re-read from "
                         f"WooCommerce REST (status {view.status})", actor=ctx.actor,
                         clock=ctx.clock, data={"source": "rest", "status": view.status,
                                                "modified_gmt": payload.get("date_modified_gmt")})
        Order.update(payload=payload, status=view.status, number=view.number,
                     customer_key=customer_key(payload), customer_name=customer_name(payload),
                     total=view.total, currency=view.currency,
                     payment_method=view.payment_method or None,
                     date_paid_gmt=view.date_paid, modified_gmt=view.date_modified,
                     updated_at=ctx.clock.now()).where(Order.id == order.id).execute()
        keys = {li.sku or f"(no sku) product {li.variation_id or li.product_id}":
                li.display_name or li.name
                for li in view.line_items}
        OrderSku.delete().where(OrderSku.order == order.id).execute()
        if keys:
            OrderSku.insert_many([{"order": order.id, "sku": k, "product_name": n}
                                  for k, n in keys.items()]).execute()
    return Order.get_by_id(order.id)


def process_order(ctx: PipelineContext, woo_id: int) -> StepResult:
    order = Order.get_or_none(Order.woo_id == woo_id)
    if order is None:
        return StepResult.done()  # intake creates rows; a job without one has nothing to do
    try:
        payload = ctx.woo.get_order(woo_id)
    except WooError as exc:
        if exc.status == 404:
            return _gone(ctx, order)
        return StepResult.later(f"WooCommerce could not be read: {exc}")
    order = store_fresh(ctx, order, payload)
    view = OrderView.from_payload(payload)
    if order.state not in INVOICE_DONE and order.gp_doc_number:
        # A number was committed earlier: the invoice may already be in GP (crash, lost
        # response, replay). Read GP before deciding anything else.
        try:
            found = ctx.gateway.find_sales_invoice(order.gp_doc_number)
        except GPError as exc:
            return StepResult.later(f"GP could not be read: {gp_message(exc)}", cause=exc)
        if found is not None:
            order = settle_invoice(ctx, order, view, found, created=False, reads=[
                "on resume: found"])
            if order.state in INVOICE_DONE:
                return after_posting(ctx, order, view)
            return StepResult.done()
    if order.state in INVOICE_DONE:
        return after_posting(ctx, order, view)
    eligible = ctx.settings.posting.eligible_statuses
    if not invoiceable(view.status, view.date_paid, eligible):
        text = skip_text(view.status, eligible)
        if order.state != DocState.SKIPPED or order.hold_detail != text:
            change(ctx, order, "skipped", f"order {order.number} not invoiced: {text}",
                   state=DocState.SKIPPED, hold_reason=None, hold_detail=text,
                   data={"status": view.status})
        return StepResult.done()
    return _post(ctx, order, view)


def _gone(ctx: PipelineContext, order: Order) -> StepResult:
    if order.state not in INVOICE_DONE:
        change(ctx, order, "skipped", f"order {order.number} no longer exists in WooCommerce "
               "(deleted permanently)", state=DocState.SKIPPED,
               hold_detail="deleted in WooCommerce")
    return StepResult.done()


def _post(ctx: PipelineContext, order: Order, view: OrderView) -> StepResult:
    today = ctx.clock.now().date()
    try:
        plan = plan_customer(ctx, view)
        inputs = invoice_inputs(ctx, view, plan, today)
    except GPError as exc:
        return StepResult.later(f"GP could not be read: {gp_message(exc)}", cause=exc)
    result = map_invoice(view, inputs)
    if isinstance(result, Held):
        held = hold_order(ctx, order, result.reason, result.detail, figures=result.figures,
                          unknown=result.unknown_skus)
        # Its refunds are taken in now, waiting for the invoice, so status and reconciliation
        # show them while the order is held (not only once it posts).
        return discover_refunds(ctx, held, view) if view.refunds else StepResult.done()
    if isinstance(result, Rejected):
        fail_order(ctx, order, result.detail)
        return StepResult.done()
    assert isinstance(result, MappedInvoice)
    try:
        gate = policy_hold(ctx, tax=result.figures.tax) or currency_hold(ctx, view.currency)
    except GPError as exc:
        return StepResult.later(f"GP's policy or currencies could not be read: "
                                f"{gp_message(exc)}", cause=exc)
    if gate is not None:
        hold_order(ctx, order, gate[0], gate[1], figures=result.figures.as_dict())
        return StepResult.done()
    invoice = result.invoice
    if order.gp_doc_number and order.gp_doc_number != invoice.number:
        # The number of attempt 1 is the number forever, even if the template changed since.
        invoice = replace(invoice, number=order.gp_doc_number)
        result = replace(result, invoice=invoice)
    recorded = record_number(
        ctx, order, number=invoice.number, gp_batch=invoice.batch,
        gp_customer_id=invoice.customer_id, gp_total=result.expected_total,
        message=f"order {order.number} mapped to invoice {invoice.number} for "
        f"{invoice.customer_id}, total {invoice.total} in batch {invoice.batch}"
        + ("; " + "; ".join(result.notes) if result.notes else ""),
        data={"figures": result.figures.as_dict(), "number": invoice.number,
              "paid": result.paid, "lines": len(invoice.lines)})
    if isinstance(recorded, str):
        fail_order(ctx, order, recorded)
        return StepResult.done()
    order = recorded

    def customer_first() -> StepResult | None:
        try:
            apply_customer(ctx, plan, order_woo_id=order.woo_id)
        except GPRefused as exc:
            fail_order(ctx, order, f"GP refused customer {invoice.customer_id}: "
                       f"{gp_message(exc)}")
            return StepResult.done()
        except GPError as exc:
            return StepResult.later(f"GP customer {invoice.customer_id}: {gp_message(exc)}",
                                    cause=exc)
        return None

    side = OrderInvoice(view, list(invoice.lines), expected_tax=expected_tax(ctx, view),
                        invoice=invoice, rounding_account=inputs.accounts.get("rounding") or "",
                        accounts=inputs.accounts, ship_to=invoice.ship_to)
    # The invoice as sent is kept with the attempt (same commit as "creating it"): once
    # posted, the console shows this GL distribution, not one from a mapping changed since.
    posted = post(ctx, side, order, invoice, invoice.number, before_send=customer_first,
                  on_send=lambda: record_sent(invoice, order_woo_id=order.woo_id,
                                              clock=ctx.clock))
    if isinstance(posted, StepResult):
        return posted
    if posted.state in INVOICE_DONE:
        crash_point("after_posted")
        return after_posting(ctx, posted, view)
    return StepResult.done()


def verify_order(ctx: PipelineContext, order: Order) -> bool:
    """Re-read a posted-but-unverified invoice (the worker's verification pass)."""
    if order.state != DocState.POSTED or not order.gp_doc_number:
        return False
    found = ctx.gateway.find_sales_invoice(order.gp_doc_number)
    if found is None:
        return False
    view = OrderView.from_payload(order.payload or {})
    settled = settle_invoice(ctx, order, view, found, created=False, reads=[])
    return settled.state == DocState.VERIFIED


def enqueue_order(ctx: PipelineContext, order: Order) -> None:
    with database.atomic("IMMEDIATE"):
        queue.enqueue(ORDER_JOB, order_job_key(order.woo_id), clock=ctx.clock,
                      group_key=order.customer_key)
