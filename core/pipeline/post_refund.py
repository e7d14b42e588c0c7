"""Refunds: discovered through REST once their invoice exists, each posted exactly once as its
own GP credit document (RM credit memo, or SOP return for restocked lines when configured)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from core import gl
from core.console_settings import mapping_posting
from core.errors import GPError, WooError
from core.gp.gateway import GPCustomer, GPDocument, GPLine
from core.mapping import Held, MappedRefund, RefundInputs, Rejected, map_refund
from core.mapping.lines import sku_keys
from core.replay import REFUND_JOB, refund_job_key
from core.store import audit, queue
from core.store.db import database
from core.store.models import Order, Refund
from core.store.states import INVOICE_DONE, REFUND_DONE, DocState
from core.woo.views import OrderView, RefundView

from .changes import change, hold_refund, record_number
from .context import PipelineContext
from .documents import CREDIT_MEMO, RETURN, Event, GPDocType, post, settle
from .gpdoc import Verification, gp_message
from .prepare import resolve_accounts, resolve_items
from .result import StepResult

WAITS_FOR_INVOICE = "invoice"  # hold reason: the refund's order is itself held


def restocked(refund: RefundView, order: OrderView) -> bool:
    """Did the refunded lines go back to stock? WooCommerce marks the order's line with
    `_restock_refunded_items` when it restocked them."""
    for li in refund.line_items:
        original = order.line_by_id(li.refunded_item_id or 0)
        if original is not None and original.restocked_quantity > 0:
            return True
    return False


def discover_refunds(ctx: PipelineContext, order: Order, view: OrderView) -> StepResult:
    """Create Refund rows for refunds WooCommerce lists on the order and queue their posting;
    re-queue refunds that were waiting for this invoice."""
    known = {r.woo_id for r in Refund.select(Refund.woo_id).where(Refund.order == order.id)}
    missing = [s for s in view.refunds if s.id not in known]
    payloads: dict[int, dict] = {}
    if missing:
        try:
            for p in ctx.woo.list_refunds(order.woo_id):
                payloads[int(p.get("id") or 0)] = p
        except WooError as exc:
            return StepResult.later(f"WooCommerce refunds could not be read: {exc}")
    # New refunds, and refunds held while their order was held: once the invoice is in GP
    # they are queued again (issue 13 item 13: they posted only if a new refund came along).
    waiting = Refund.state == DocState.NEW
    if order.state in INVOICE_DONE:
        waiting = waiting | ((Refund.state == DocState.HELD)
                             & (Refund.hold_reason == WAITS_FOR_INVOICE))
    if not payloads and not Refund.select(Refund.id).where(
            (Refund.order == order.id) & waiting).exists():
        # Nothing to add or queue (every order without refunds): no write transaction, so the
        # posting threads do not queue for SQLite's write lock for nothing.
        return StepResult.done()
    now = ctx.clock.now()
    with database.atomic("IMMEDIATE"):
        for s in missing:
            payload = payloads.get(s.id)
            if payload is None:
                continue  # listed on the order but not served yet: the next pass finds it
            rv = RefundView.from_payload(payload, order_id=order.woo_id)
            Refund.insert(woo_id=rv.id, order=order.id, amount=rv.amount, reason=rv.reason,
                          restock=restocked(rv, view), payload=payload,
                          date_created_gmt=rv.date_created, state=DocState.NEW, created_at=now,
                          updated_at=now).on_conflict_ignore().execute()
            audit.record("refund", rv.id, "received", f"refund {rv.id} of order {order.number} "
                         f"({rv.amount}) found through WooCommerce REST", actor=ctx.actor,
                         clock=ctx.clock, data={"order": order.woo_id, "amount": str(rv.amount)})
        for r in Refund.select().where((Refund.order == order.id) & waiting):
            queue.enqueue(REFUND_JOB, refund_job_key(r.woo_id), clock=ctx.clock,
                          group_key=order.customer_key)
    return StepResult.done()


@dataclass(frozen=True)
class RefundCredit:
    """The refund's side of its GP credit memo or return (documents.Side)."""

    order: Order
    gp: GPDocType
    # A credit document is recorded as posted first, then held with both figures.
    hold_first: frozenset[str] = frozenset()

    @property
    def currency(self) -> str:
        """The currency GP must hold the credit in: the credited order's."""
        return self.order.currency or ""

    def expected(self, refund: Refund, doc: GPDocument) -> tuple[str, Decimal]:
        total: Decimal = refund.gp_total if refund.gp_total is not None else refund.amount
        return self.order.gp_customer_id or "", total

    def sent_lines(self) -> list[GPLine] | None:
        return None

    def sending(self, refund: Refund, number: str) -> Event:
        return Event(f"GP has no {self.gp.name} {number}: creating it",
                     {"number": number, "found": False})

    def dedupe(self, refund: Refund, label: str, doc: GPDocument, reads: list[str]) -> Event:
        return Event(f"GP already holds {label}: not created again",
                     {"number": doc.number, "found": True})

    def posted(self, refund: Refund, label: str, doc: GPDocument, created: bool,
               reads: list[str]) -> Event:
        order = self.order
        return Event(f"refund {refund.woo_id} of order {order.number} posted to GP as {label} "
                     f"({doc.total}) against invoice {order.gp_doc_number}",
                     {"number": doc.number, "total": str(doc.total), "created": created,
                      "reads": reads, "invoice": order.gp_doc_number}, kind="credit_memo")

    def verified(self, refund: Refund, label: str, doc: GPDocument) -> Event:
        return Event(f"{label} read back from GP: total {doc.total} matches the refund",
                     fields={"gp_total": doc.total})

    def hold(self, ctx: PipelineContext, refund: Refund, v: Verification) -> Refund:
        reason = v.reason if v.reason in ("price", "currency") else "totals"
        return hold_refund(ctx, refund, reason, v.detail, figures=v.figures)

    def fail(self, ctx: PipelineContext, refund: Refund, number: str, error: str,
             reads: list[str]) -> Refund:
        return change(ctx, refund, "failed", f"GP rejected {self.gp.name} {number}: {error}",
                      state=DocState.FAILED, last_error=error, attempts=Refund.attempts + 1)


def _gp_type(code: str | None) -> GPDocType:
    return RETURN if code == "return" else CREDIT_MEMO


def process_refund(ctx: PipelineContext, woo_id: int) -> StepResult:
    refund = Refund.get_or_none(Refund.woo_id == woo_id)
    if refund is None or refund.state in REFUND_DONE:
        return StepResult.done()
    order = Order.get_by_id(refund.order_id)
    if order.state == DocState.VOID:
        change(ctx, refund, "skipped", f"refund {woo_id} not posted: invoice "
               f"{order.gp_doc_number} was voided, nothing is owed", state=DocState.SKIPPED,
               hold_detail="invoice voided")
        return StepResult.done()
    if order.state not in INVOICE_DONE or not order.gp_doc_number:
        text = f"waits for the invoice of order {order.number} (now {order.state})"
        if order.state == DocState.HELD and refund.state != DocState.HELD:
            # Its order waits on a person: so does the refund (shown as held, not in flight).
            hold_refund(ctx, refund, WAITS_FOR_INVOICE, text)
        elif refund.hold_detail != text:
            change(ctx, refund, None, "", hold_detail=text)
        return StepResult.done()  # posting the invoice queues this refund again
    payload = refund.payload
    if not payload:
        try:
            payload = ctx.woo.get_refund(order.woo_id, woo_id)
        except WooError as exc:
            return StepResult.later(f"WooCommerce refund could not be read: {exc}")
    rview = RefundView.from_payload(payload, order_id=order.woo_id)
    oview = OrderView.from_payload(order.payload or {})
    if refund.gp_doc_number and refund.gp_doc_type:
        side = RefundCredit(order, _gp_type(refund.gp_doc_type))
        try:
            found = side.gp.find(ctx.gateway, refund.gp_doc_number)
        except GPError as exc:
            return StepResult.later(f"GP could not be read: {gp_message(exc)}", cause=exc)
        if found is not None:
            settle(ctx, side, refund, found, created=False, reads=["on resume: found"])
            return StepResult.done()
    customer = GPCustomer(order.gp_customer_id or "", "", ctx.settings.posting.customer_class)
    try:
        items = (resolve_items(ctx, sku_keys(rview.line_items))
                 if ctx.settings.posting.refund_document == "return_when_restocked" else {})
    except GPError as exc:
        return StepResult.later(f"GP could not be read: {gp_message(exc)}", cause=exc)
    inputs = RefundInputs(mapping_posting(ctx.settings.posting), order.gp_customer_id or "",
                          order.gp_doc_number,
                          resolve_accounts(customer, ""), ctx.clock.now().date(), items=items,
                          restocked=refund.restock,
                          tax_details={t.rate_id: gl.tax_detail_for(t.rate_id)
                                       for t in oview.tax_lines},
                          functional_currency=ctx.settings.gp.functional_currency)
    result = map_refund(rview, oview, inputs)
    if isinstance(result, Held):
        hold_refund(ctx, refund, result.reason, result.detail, figures=result.figures,
                    text=f"refund {woo_id} held ({result.reason}): {result.detail}")
        return StepResult.done()
    if isinstance(result, Rejected):
        change(ctx, refund, "failed", f"refund {woo_id} failed: {result.detail}",
               state=DocState.FAILED, last_error=result.detail)
        return StepResult.done()
    assert isinstance(result, MappedRefund)
    return _post(ctx, refund, order, result)


def _post(ctx: PipelineContext, refund: Refund, order: Order, mapped: MappedRefund
          ) -> StepResult:
    doc = mapped.document
    number = refund.gp_doc_number or doc.number
    if number != doc.number:
        doc = replace(doc, number=number)
    gp = _gp_type(refund.gp_doc_type or mapped.doc_type)
    recorded = record_number(
        ctx, refund, number=number, message=f"refund {refund.woo_id} of order {order.number} "
        f"mapped to {gp.name} {number} ({mapped.expected_total}) against invoice "
        f"{order.gp_doc_number}",
        data={"figures": mapped.figures.as_dict(), "number": number, "type": gp.code},
        gp_doc_type=gp.code, gp_total=mapped.expected_total)
    if isinstance(recorded, str):
        change(ctx, refund, "failed", f"refund {refund.woo_id} failed: {recorded}",
               state=DocState.FAILED, last_error=recorded, attempts=Refund.attempts + 1)
        return StepResult.done()
    posted = post(ctx, RefundCredit(order, gp), recorded, doc, number)
    return posted if isinstance(posted, StepResult) else StepResult.done()
