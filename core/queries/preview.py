"""The GP document for one order, built by the pure mapping from the local state only."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.clock import SYSTEM_CLOCK, Clock
from core.console_settings import mapping_posting
from core.gl import gateway_account, resolve_account, tax_detail_for
from core.mapping import customers as cust
from core.mapping.documents import Held, InvoiceInputs, MappedInvoice, map_invoice
from core.mapping.lines import sku_keys
from core.store.models import GL_ACCOUNT_KINDS, CustomerLink, GpItem, Order, SkuMap
from core.store.sent import sent_invoice
from core.store.states import INVOICE_DONE
from core.woo.views import OrderView

# --- the GP document for one order ----------------------------------------------------------


@dataclass(frozen=True)
class DocumentPreview:
    """The GP invoice for an order exactly as the mapping builds it from today's state (SKU map,
    GP item cache, GL mapping, settings), or why it cannot be built."""

    outcome: str  # mapped / held / rejected / unavailable / posted (invoice = as sent)
    invoice: Any = None  # core.gp.gateway.SalesInvoice when mapped
    detail: str = ""
    figures: dict[str, str] | None = None
    notes: tuple[str, ...] = ()
    at: Any = None  # when a posted document was sent to GP (UTC)


def _item_for(sku: str) -> str | None:
    mapped = SkuMap.get_or_none(SkuMap.woo_sku == sku)
    if mapped:
        return mapped.gp_item
    hit = GpItem.get_or_none(GpItem.item_number == sku)
    return hit.item_number if hit else None


def gp_document_preview(order: Order, settings: Any, clock: Clock = SYSTEM_CLOCK
                        ) -> DocumentPreview:
    """Map `order`'s stored payload with the pure mapping (core.mapping). Reads only the local
    database: the GP item cache stands in for GP's item list, so it never blocks on the network.

    A document already in GP is shown as it was sent (lines, accounts, GL distribution), never
    re-mapped from today's settings: a GL account changed since must not rewrite it."""
    if order.state in INVOICE_DONE and order.gp_doc_number:
        sent = sent_invoice(order.gp_doc_number)
        if sent is None:
            return DocumentPreview("posted", detail=(
                f"{order.gp_doc_number} was posted before ml-connector kept documents as sent: "
                "its lines and GL distribution are in GP (Sales Transaction Inquiry)"))
        invoice, sent_at = sent
        return DocumentPreview("posted", invoice, detail="as sent to GP", at=sent_at)
    if not order.payload:
        return DocumentPreview("unavailable", detail="no WooCommerce payload stored yet")

    posting = mapping_posting(settings.posting)  # the console's saved tolerance, as posting
    view = OrderView.from_payload(order.payload)
    link = CustomerLink.get_or_none(CustomerLink.woo_key == cust.link_key(view,
                                                                          posting.guest_policy))
    gp_id = link.gp_customer_id if link else cust.gp_customer_id_for(
        view, policy=posting.guest_policy, shared_id=posting.shared_customer_id,
        prefix=posting.customer_id_prefix)
    customer_class = (link.customer_class if link and link.customer_class
                      else posting.customer_class)
    customer = None if gp_id is None else (
        cust.shared_customer(gp_id, customer_class=customer_class)
        if posting.guest_policy == "shared" and view.is_guest
        else cust.build_customer(view, gp_id, customer_class=customer_class))
    accounts = {kind: resolve_account(kind, customer_id=gp_id, customer_class=customer_class)
                for kind in GL_ACCOUNT_KINDS}
    accounts["cash"] = gateway_account(view.payment_method) or accounts.get("cash")
    inputs = InvoiceInputs(
        posting=posting, customer=customer,
        items={key: _item_for(key) for key in sku_keys(view.line_items)},
        accounts=accounts, today=clock.now().date(),
        tax_details={t.rate_id: tax_detail_for(t.rate_id) for t in view.tax_lines},
        customer_problem="a guest without an e-mail address: choose the GP customer")
    result = map_invoice(view, inputs)
    if isinstance(result, MappedInvoice):
        return DocumentPreview("mapped", result.invoice, figures=result.figures.as_dict(),
                               notes=result.notes)
    if isinstance(result, Held):
        return DocumentPreview("held", detail=f"{result.reason}: {result.detail}",
                               figures=dict(result.figures) if result.figures else None)
    return DocumentPreview("rejected", detail=result.detail)
