"""What happens once GP holds the invoice: posted, verified (or held with both figures), then
status changes and refunds for that invoice."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.errors import GPError
from core.gp.gateway import GPDocument, GPLine, SalesInvoice, ShipToAddress
from core.mapping.ship_to import order_ship_to
from core.store.models import Order
from core.store.states import INVOICE_DONE, DocState
from core.woo.views import OrderView

from .changes import fail_order, hold_order
from .context import PipelineContext
from .documents import INVOICE, Event, GPDocType, settle
from .edits import follow_edit
from .gp_tax import bring_in_line, distribution_differences, expected_tax, pay_in_full
from .gpdoc import Verification, gp_message
from .post_refund import discover_refunds
from .result import StepResult
from .status_changes import apply_status

_HOLD_FOR = {"price": "price", "totals": "totals", "customer": "customer", "void": "status",
             "tax": "tax", "address": "customer", "currency": "currency"}


@dataclass(frozen=True)
class OrderInvoice:
    """The order's side of its GP invoice (documents.Side)."""

    view: OrderView
    lines: list[GPLine] | None = None
    gp: GPDocType = INVOICE
    expected_tax: Decimal | None = None  # WooCommerce's tax when GP computes its own
    invoice: SalesInvoice | None = None  # as sent (to bring a tax rounding in line)
    rounding_account: str = ""
    accounts: Mapping[str, str | None] | None = None  # the GL mapping used for this invoice
    ship_to: ShipToAddress | None = None  # the order's ship-to GP must hold (None: not checked)
    # Another customer's document under this number, or a voided one: never recorded as ours.
    hold_first: frozenset[str] = frozenset({"customer", "void"})

    @property
    def currency(self) -> str:
        """The currency GP must hold the invoice in: the order's."""
        return self.view.currency

    def expected(self, order: Order, doc: GPDocument) -> tuple[str, Decimal]:
        # gp_total stays what WooCommerce says GP must show: a replay re-checks against it.
        total: Decimal = order.gp_total if order.gp_total is not None else self.view.total
        return order.gp_customer_id or doc.customer_id, total

    def sent_lines(self) -> list[GPLine] | None:
        return self.lines

    def sending(self, order: Order, number: str) -> Event:
        return Event(f"GP has no invoice {number} (work, history): creating it",
                     {"number": number, "found": False})

    def dedupe(self, order: Order, label: str, doc: GPDocument, reads: list[str]) -> Event:
        return Event(f"GP already holds {label} ({doc.state}): not created again",
                     {"number": doc.number, "found": True, "reads": reads})

    def posted(self, order: Order, label: str, doc: GPDocument, created: bool,
               reads: list[str]) -> Event:
        data: dict[str, Any] = {"number": doc.number, "gp_total": str(doc.total),
                                "state": doc.state, "created": created, "reads": reads}
        return Event(f"order {order.number} posted to GP as {label} (batch "
                     f"{doc.batch or order.gp_batch}, total {doc.total})", data)

    def verified(self, order: Order, label: str, doc: GPDocument) -> Event:
        differ = distribution_differences(doc, self.accounts) if self.accounts else []
        text = (f"{label} read back from GP: customer {doc.customer_id}, total {doc.total} "
                "matches WooCommerce to the cent")
        if differ:
            text += ("; GP's distributions differ from the GL mapping: " + "; ".join(differ)
                     + " (GP distributes by its own posting accounts: change them in GP or the "
                     "GL mapping)")
        return Event(text, {"number": doc.number, "total": str(doc.total),
                            "distribution_differences": differ or None})

    def adjust(self, ctx: PipelineContext, order: Order, doc: GPDocument, v: Verification
               ) -> GPDocument | None:
        """GP computed the tax (tax_mode "gp"): a rounding difference brought in line, then
        the payment raised to what the customer paid. None: nothing changed in GP."""
        invoice = self.invoice
        changed = None
        if not v.ok:
            brought = bring_in_line(ctx, order, invoice, self.rounding_account, doc, v)
            if brought is None:
                return None
            changed, invoice = brought
        paid = pay_in_full(ctx, order, invoice, changed or doc, self.expected(order, doc)[1])
        return paid or changed

    def hold(self, ctx: PipelineContext, order: Order, v: Verification) -> Order:
        return hold_order(ctx, order, _HOLD_FOR[v.reason], v.detail, figures=v.figures)

    def fail(self, ctx: PipelineContext, order: Order, number: str, error: str,
             reads: list[str]) -> Order:
        return fail_order(ctx, order, f"GP rejected invoice {number}: {error}",
                          data={"reads": reads})


def settle_invoice(ctx: PipelineContext, order: Order, view: OrderView, doc: GPDocument, *,
                   created: bool, reads: list[str]) -> Order:
    """GP holds the order's invoice: record posted (and the dedupe result), then verify it."""
    return settle(ctx, OrderInvoice(view, expected_tax=expected_tax(ctx, view),
                                     ship_to=order_ship_to(view)[0]), order, doc,
                  created=created, reads=reads)


def after_posting(ctx: PipelineContext, order: Order, view: OrderView) -> StepResult:
    """Verification left over from a crash, then status changes, then refunds."""
    if order.state == DocState.POSTED and order.gp_doc_number:
        try:
            found = ctx.gateway.find_sales_invoice(order.gp_doc_number)
        except GPError as exc:
            return StepResult.later(f"GP could not be read: {gp_message(exc)}", cause=exc)
        if found is not None:
            order = settle_invoice(ctx, order, view, found, created=False,
                                   reads=["verify: found"])
    if order.state not in INVOICE_DONE:
        return StepResult.done()
    if order.state != DocState.VOID and view.status in ctx.settings.posting.eligible_statuses:
        edited = follow_edit(ctx, order, view)  # core.pipeline.edits
        if edited is not None:
            if edited.retry:
                return edited
            order = Order.get_by_id(order.id)
            if order.state not in INVOICE_DONE:  # held as changed after posting
                return discover_refunds(ctx, order, view)
    result = apply_status(ctx, order, view)
    if result.retry:
        return result
    return discover_refunds(ctx, Order.get_by_id(order.id), view)
