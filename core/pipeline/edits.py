"""Orders edited in WooCommerce after their invoice exists (a line added, a price changed).

WooCommerce sends the edit as an ordinary `order.updated`; the invoice does not follow by
itself. What an accountant expects:

- GP's invoice still unposted (in its batch, "work"): bring it in line, exactly once. The
  invoice is mapped again from the shop's order and updated in GP under the same number, then
  read back; a crash after the update is harmless because GP is read first (its total already
  equals the new one: only the record is written).
- GP's invoice posted ("history"): never changed silently. The order is held as "changed"
  with both figures and the document to raise in GP: a credit memo for a decrease, an
  additional invoice (or a debit memo, `[posting] changed_increase_document`) for an increase.
  When the accountant has raised it, replaying the order acknowledges that version of the
  order (audited); a later edit is caught again.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from core.errors import GPError, GPRefused
from core.gp.gateway import GPUnsupported
from core.mapping import MappedInvoice, map_invoice
from core.store import audit
from core.store.db import database
from core.store.models import AuditEvent, Order
from core.store.sent import record_sent
from core.store.states import DocState
from core.woo.views import OrderView

from .changes import change, hold_order
from .context import PipelineContext
from .gpdoc import gp_message
from .prepare import invoice_inputs, plan_customer
from .result import StepResult
from .ship_to_edits import follow_ship_to

CHANGED = "changed"  # hold reason: edited in WooCommerce after the invoice was posted in GP
UNPOSTED = "work"


def _acknowledged(ctx: PipelineContext, order: Order, live: Decimal) -> bool:
    """Has the accountant dealt with this version (the order total `live`)? Either an
    acknowledgement was recorded, or the order was replayed after being held for it."""
    events = (AuditEvent.select(AuditEvent.kind, AuditEvent.data)
              .where((AuditEvent.entity == "order") & (AuditEvent.entity_id == str(order.woo_id))
                     & AuditEvent.kind.in_(("held", "replayed", "edit_acknowledged")))
              .order_by(AuditEvent.id.desc()).limit(20))
    replayed = False
    for ev in events:
        data: dict[str, Any] = ev.data if isinstance(ev.data, dict) else {}
        raw = data.get("figures")
        figures: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if ev.kind == "edit_acknowledged":
            return str(data.get("woo_total")) == str(live)
        if ev.kind == "replayed":
            replayed = True
        elif ev.kind == "held" and data.get("reason") == CHANGED:
            if replayed and str(figures.get("woo_total")) == str(live):
                with database.atomic("IMMEDIATE"):
                    audit.record("order", order.woo_id, "edit_acknowledged",
                                 f"order {order.number}: the change after posting (now "
                                 f"{live}) was dealt with in GP, as the replay says",
                                 actor=ctx.actor, clock=ctx.clock,
                                 data={"woo_total": str(live)})
                return True
            return False
    return False


def follow_edit(ctx: PipelineContext, order: Order, view: OrderView) -> StepResult | None:
    """None when GP's invoice matches the shop's order (or the difference was dealt with);
    otherwise what was done about it."""
    expected = order.gp_total
    if expected is None or not order.gp_doc_number:
        return None
    if view.total == expected:
        return follow_ship_to(ctx, order, view)  # the same money; perhaps another address
    if _acknowledged(ctx, order, view.total):
        return None
    try:
        doc = ctx.gateway.find_sales_invoice(order.gp_doc_number)
    except GPError as exc:
        return StepResult.later(f"GP could not be read: {gp_message(exc)}", cause=exc)
    if doc is None or doc.state == "void":
        return None
    if doc.state == UNPOSTED:
        return _update_unposted(ctx, order, view, expected, doc.total)
    return _hold_posted(ctx, order, view, expected, f"{order.gp_doc_number} is posted")


def _update_unposted(ctx: PipelineContext, order: Order, view: OrderView, expected: Decimal,
                     in_gp: Decimal) -> StepResult:
    try:
        plan = plan_customer(ctx, view)
        inputs = invoice_inputs(ctx, view, plan, ctx.clock.now().date())
    except GPError as exc:
        return StepResult.later(f"GP could not be read: {gp_message(exc)}", cause=exc)
    result = map_invoice(view, inputs)
    if not isinstance(result, MappedInvoice):
        return _hold_posted(ctx, order, view, expected, "the edited order cannot be mapped "
                            f"({result.detail})")
    number = order.gp_doc_number or result.invoice.number
    invoice = replace(result.invoice, number=number, batch=order.gp_batch or
                      result.invoice.batch)
    if in_gp != result.expected_total:  # not already updated by an attempt that crashed
        try:
            ctx.gateway.update_sales_invoice(invoice)
        except GPUnsupported as exc:
            return _hold_posted(ctx, order, view, expected, f"this GP route cannot update "
                                f"invoices ({exc})")
        except GPRefused as exc:
            return _hold_posted(ctx, order, view, expected, f"GP refused the update: "
                                f"{gp_message(exc)}")
        except GPError as exc:
            return StepResult.later(f"GP invoice update: {gp_message(exc)}", cause=exc)
        try:
            found = ctx.gateway.find_sales_invoice(number)
        except GPError as exc:
            return StepResult.later(f"GP could not be read: {gp_message(exc)}", cause=exc)
        if found is None or found.total != result.expected_total:
            return _hold_posted(ctx, order, view, expected, f"GP shows "
                                f"{found.total if found else 'no invoice'} after the update")
    with database.atomic("IMMEDIATE"):
        record_sent(invoice, order_woo_id=order.woo_id, clock=ctx.clock)
        _updated(ctx, order, number, expected, result, invoice)
    return StepResult.done()


def _updated(ctx: PipelineContext, order: Order, number: str, expected: Decimal,
             result: MappedInvoice, invoice: Any) -> None:
    change(ctx, order, "updated_in_gp", f"order {order.number} edited in WooCommerce after "
           f"invoicing: unposted invoice {number} updated in GP, {expected} -> "
           f"{result.expected_total}", state=DocState.VERIFIED, gp_total=result.expected_total,
           hold_reason=None, hold_detail=None,
           data={"number": number, "before": str(expected), "after":
                 str(result.expected_total), "lines": len(invoice.lines)})


def _hold_posted(ctx: PipelineContext, order: Order, view: OrderView, expected: Decimal,
                 why: str) -> StepResult:
    diff = view.total - expected
    if diff < 0:
        todo = f"raise a credit memo for {-diff} against {order.gp_doc_number} in GP"
    else:
        kind = ("a debit memo" if ctx.settings.posting.changed_increase_document == "debit_memo"
                else "an additional invoice")
        todo = f"raise {kind} for {diff} for customer {order.gp_customer_id} in GP"
    detail = (f"changed after posting: WooCommerce now {view.total}, GP invoice "
              f"{order.gp_doc_number} {expected} ({why}), difference {diff:+}; {todo}, then "
              "replay the order to mark it dealt with")
    if order.state == DocState.HELD and order.hold_reason == CHANGED and \
            order.hold_detail == detail:
        return StepResult.done()
    hold_order(ctx, order, CHANGED, detail,
               figures={"woo_total": str(view.total), "gp_total": str(expected),
                        "difference": str(diff)})
    return StepResult.done()
