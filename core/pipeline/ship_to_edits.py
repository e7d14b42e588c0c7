"""An order's ship-to changed in WooCommerce after its invoice was sent (same total).

The invoice carries the order's own address (core.mapping.ship_to); the comparison is with the
invoice as this database sent it (core.store.sent), so an order update costs no GP read unless
the address really moved.

- GP's invoice unposted: the invoice is updated in GP with the new ship-to, read back, and the
  kept copy follows, exactly once (GP read first: an update a crash interrupted is not sent
  twice). GP refusing it holds the order for a person ("customer": the address).
- GP's invoice posted: GP does not change a posted document. The order's event says once, for
  each new address, that the posted invoice keeps the address it was posted with; no money
  moves, so nothing is held.
An invoice sent before invoices carried a ship-to (no ship-to in the kept copy) is left alone.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace

from core.errors import GPError, GPRefused
from core.gp.gateway import GPUnsupported, SalesInvoice, ShipToAddress
from core.mapping.ship_to import order_ship_to, ship_to_differences
from core.store import audit
from core.store.db import database
from core.store.models import AuditEvent, Order
from core.store.sent import record_sent, sent_invoice
from core.woo.views import OrderView

from .changes import change, hold_order
from .context import PipelineContext
from .gpdoc import gp_message
from .result import StepResult

POSTED_NOTE = "ship_to_after_posting"


def _fingerprint(ship_to: ShipToAddress | None) -> str:
    body = json.dumps(asdict(ship_to) if ship_to else None, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def follow_ship_to(ctx: PipelineContext, order: Order, view: OrderView) -> StepResult | None:
    """None when the invoice's ship-to is the order's (or cannot be compared)."""
    number = order.gp_doc_number
    sent = sent_invoice(number) if number else None
    if sent is None or sent[0].ship_to is None:
        return None
    now_to, cut = order_ship_to(view)
    if now_to == sent[0].ship_to:
        return None
    try:
        doc = ctx.gateway.find_sales_invoice(number or "")
    except GPError as exc:
        return StepResult.later(f"GP could not be read: {gp_message(exc)}", cause=exc)
    if doc is None or doc.state == "void":
        return None
    if doc.state != "work":
        _note_posted(ctx, order, now_to)
        return None
    invoice = replace(sent[0], ship_to=now_to)
    # Sent unless GP already holds exactly this (an attempt that crashed after the update).
    if doc.ship_to != now_to:
        try:
            ctx.gateway.update_sales_invoice(invoice)
        except (GPUnsupported, GPRefused) as exc:
            return _hold(ctx, order, f"GP did not take the new ship-to on unposted invoice "
                         f"{number}: {gp_message(exc)}")
        except GPError as exc:
            return StepResult.later(f"GP invoice update: {gp_message(exc)}", cause=exc)
        try:
            found = ctx.gateway.find_sales_invoice(number or "")
        except GPError as exc:
            return StepResult.later(f"GP could not be read: {gp_message(exc)}", cause=exc)
        if found is None or ship_to_differences(now_to, found.ship_to):
            return _hold(ctx, order, f"GP shows another ship-to on invoice {number} after "
                         "the update")
    _recorded(ctx, order, invoice, cut)
    return StepResult.done()


def _recorded(ctx: PipelineContext, order: Order, invoice: SalesInvoice,
              cut: tuple[str, ...]) -> None:
    with database.atomic("IMMEDIATE"):
        record_sent(invoice, order_woo_id=order.woo_id, clock=ctx.clock)
        change(ctx, order, "updated_in_gp", f"order {order.number}: its ship-to address was "
               f"changed in WooCommerce; unposted invoice {invoice.number} updated in GP with "
               "the new ship-to" + ("; " + "; ".join(cut) if cut else ""),
               data={"number": invoice.number, "ship_to": _fingerprint(invoice.ship_to)})


def _hold(ctx: PipelineContext, order: Order, why: str) -> StepResult:
    hold_order(ctx, order, "customer", why + ": correct the ship-to address on the document in "
               "GP (Sales Transaction Entry, Ship To Address), then replay")
    return StepResult.done()


def _note_posted(ctx: PipelineContext, order: Order, ship_to: ShipToAddress | None) -> None:
    mark = _fingerprint(ship_to)
    last = (AuditEvent.select(AuditEvent.data)
            .where((AuditEvent.entity == "order") & (AuditEvent.entity_id == str(order.woo_id))
                   & (AuditEvent.kind == POSTED_NOTE))
            .order_by(AuditEvent.id.desc()).first())
    if last is not None and isinstance(last.data, dict) and last.data.get("ship_to") == mark:
        return
    with database.atomic("IMMEDIATE"):
        audit.record("order", order.woo_id, POSTED_NOTE, f"order {order.number}: its ship-to "
                     f"address was changed in WooCommerce after invoice {order.gp_doc_number} "
                     "was posted in GP; the posted invoice keeps the address it was posted "
                     "with (GP does not change posted documents): ship to the new address, "
                     "the invoice needs nothing", actor=ctx.actor, clock=ctx.clock,
                     data={"number": order.gp_doc_number, "ship_to": mark})
