"""Resolve what the pure mapping needs: the GP customer (created or updated first), which SKUs
GP knows, the GL accounts and tax detail ids. Database reads are local; GP calls happen only for
customers and for SKUs not seen before.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date

from core import gl
from core.console_settings import mapping_posting
from core.errors import GPRefused, GPUnknownOutcome, WooError
from core.gp.gateway import GPCustomer
from core.mapping import InvoiceInputs
from core.mapping.customers import (
    build_customer,
    fingerprint,
    gp_customer_id_for,
    link_key,
    shared_customer,
)
from core.mapping.lines import sku_keys
from core.skus import NO_SKU_PREFIX, gp_item_for
from core.store import audit
from core.store.db import database
from core.store.models import GL_ACCOUNT_KINDS, CustomerLink, GlMapping, GpItem
from core.woo.views import AddressView, OrderView

from .context import PipelineContext

log = logging.getLogger(__name__)
@dataclass(frozen=True)
class CustomerPlan:
    """The GP customer for an order and what must happen in GP before the invoice."""

    customer: GPCustomer | None
    link_key: str
    action: str  # none | create | update | check (shared: create if missing) | link (matched)
    problem: str = ""
    fingerprint: str = ""


def plan_customer(ctx: PipelineContext, order: OrderView) -> CustomerPlan:
    posting = ctx.settings.posting
    policy = posting.guest_policy
    key = link_key(order, policy)
    if order.is_guest and policy == "shared":
        c = shared_customer(gp_customer_id_for(order, policy="shared",
                                               shared_id=posting.shared_customer_id) or "",
                            customer_class=posting.customer_class)
        link = CustomerLink.get_or_none(CustomerLink.woo_key == key)
        return CustomerPlan(c, key, "none" if link else "check", fingerprint=fingerprint(c))
    if order.is_guest and policy == "match" and order.email:
        # An existing GP customer with this e-mail takes the order; its own addresses apply
        # (empty address ids: GP defaults them from the customer). We never edit its record.
        link = CustomerLink.get_or_none(CustomerLink.woo_key == key)
        found = link.gp_customer_id if link else ctx.gateway.find_customer_by_email(order.email)
        if found:
            matched = GPCustomer(found, order.billing.full_name or found,
                                 class_id=link.customer_class or "" if link else "",
                                 bill_to_address_id="", ship_to_address_id="")
            return CustomerPlan(matched, key, "none" if link else "link")
    gp_id = gp_customer_id_for(order, policy=policy, shared_id=posting.shared_customer_id,
                               prefix=posting.customer_id_prefix)
    if gp_id is None:
        return CustomerPlan(None, key, "none", problem=(
            f"guest order {order.number} has no e-mail, and the guest policy {policy!r} needs one:"
            " add the e-mail in WooCommerce or switch [posting] guest_policy to \"shared\""))
    link = CustomerLink.get_or_none(CustomerLink.woo_key == key)
    record = None if order.is_guest else customer_record(ctx, order)
    if record is None and link and link.gp_customer_id == gp_id:
        # The customer master follows the WooCommerce customer record, never one order: a
        # guest's (or an unreadable record's) later orders leave it as it is. The order's own
        # addresses belong to its invoice.
        customer = build_customer(order, gp_id, customer_class=posting.customer_class)
        return CustomerPlan(customer, key, "none", fingerprint=link.fingerprint or "")
    customer = build_customer(record or order, gp_id, customer_class=posting.customer_class)
    fp = fingerprint(customer)
    if link and link.gp_customer_id == gp_id and link.fingerprint == fp:
        return CustomerPlan(customer, key, "none", fingerprint=fp)
    return CustomerPlan(customer, key, "update" if link else "create", fingerprint=fp)


def customer_record(ctx: PipelineContext, order: OrderView) -> OrderView | None:
    """A registered buyer's addresses as their WooCommerce customer record holds them (the
    order's view with the record's billing and shipping); None when it cannot be read."""
    read = getattr(ctx.woo, "get_customer", None)
    if read is None:
        return None
    try:
        data = read(order.customer_id)
    except WooError as exc:
        log.info("customer %s of order %s cannot be read (%s): the GP customer is left as it "
                 "is", order.customer_id, order.number, exc)
        return None
    billing = AddressView.from_payload(data.get("billing"))
    if not billing.email:
        billing = replace(billing, email=str(data.get("email") or order.billing.email))
    return replace(order, billing=billing, shipping=AddressView.from_payload(data.get("shipping")))


def apply_customer(ctx: PipelineContext, plan: CustomerPlan, *, order_woo_id: int) -> None:
    """Create or update the customer in GP (before the invoice that references it), then record
    the link and fingerprint with its audit event. Safe to repeat after a crash."""
    c = plan.customer
    if c is None or plan.action == "none":
        return
    kind = ""
    if plan.action == "create":
        # A customer never linked before is almost always new to GP: create first (one round
        # trip); only when GP refuses, look: it may exist already (a crash after the create,
        # or a customer keyed by hand), and then it is updated instead.
        kind = _create(ctx, c, update_if_exists=True)
    elif plan.action in ("update", "check"):
        if ctx.gateway.get_customer(c.customer_id) is None:
            # Another thread may create the shared customer at the same moment: _create copes.
            kind = _create(ctx, c, update_if_exists=False)
        elif plan.action == "update":
            ctx.gateway.update_customer(c)
            kind = "customer_updated"
    now = ctx.clock.now()
    with database.atomic("IMMEDIATE"):
        CustomerLink.insert(woo_key=plan.link_key, gp_customer_id=c.customer_id,
                            fingerprint=plan.fingerprint or None,
                            customer_class=c.class_id or None, updated_at=now).on_conflict(
            conflict_target=[CustomerLink.woo_key],
            update={CustomerLink.gp_customer_id: c.customer_id,
                    CustomerLink.fingerprint: plan.fingerprint or None,
                    CustomerLink.updated_at: now}).execute()
        if kind:
            verb = "created" if kind == "customer_created" else "updated"
            audit.record("order", order_woo_id, kind, f"GP customer {c.customer_id} {verb} "
                         f"({c.name})", actor=ctx.actor, clock=ctx.clock,
                         data={"customer": c.customer_id, "link": plan.link_key})


def _create(ctx: PipelineContext, c: GPCustomer, *, update_if_exists: bool) -> str:
    """Create the customer; if GP refuses because it is already there, update it (or leave it).
    Returns the audit kind, "" when nothing changed."""
    try:
        ctx.gateway.create_customer(c)
        return "customer_created"
    except (GPRefused, GPUnknownOutcome):
        # Refused as already there, or the answer was lost: GP's own record decides.
        if ctx.gateway.get_customer(c.customer_id) is None:
            raise
    if update_if_exists:
        ctx.gateway.update_customer(c)
        return "customer_updated"
    return ""


def resolve_items(ctx: PipelineContext, keys: list[str]) -> dict[str, str | None]:
    """sku key -> GP item: the SKU map first, then an exact match (local cache, GP's item list
    copy, and finally GP itself)."""
    out: dict[str, str | None] = {}
    for key in keys:
        mapped = gp_item_for(key)
        if mapped:
            out[key] = mapped
            continue
        if not key or key.startswith(NO_SKU_PREFIX):
            out[key] = None
            continue
        hit, item = ctx.cached_item(key)
        if hit:
            out[key] = item
            continue
        row = GpItem.get_or_none(GpItem.item_number == key)
        if row is not None:
            item = row.item_number
        else:
            info = ctx.gateway.get_item(key)
            item = info.item_number if info is not None else None
        ctx.remember_item(key, item)
        out[key] = item
    return out


def resolve_accounts(customer: GPCustomer | None, gateway: str) -> dict[str, str | None]:
    """Every account kind for this customer, by gl's rule (customer -> class -> company; the
    payment gateway's own cash account first), from one read of the mapping table."""
    cid = customer.customer_id if customer else None
    cls = customer.class_id if customer else None
    rows = {(r.scope, r.scope_key, r.account_kind): r.account for r in GlMapping.select().where(
        GlMapping.scope.in_(("customer", "customer_class", "company", "gateway")))}
    accounts: dict[str, str | None] = {}
    for kind in GL_ACCOUNT_KINDS:
        accounts[kind] = next((rows[(scope, key, kind)] for scope, key in (
            ("customer", cid), ("customer_class", cls), ("company", "")) if key is not None
            and (scope, key, kind) in rows), None)
    if gateway and ("gateway", gateway, "cash") in rows:
        accounts["cash"] = rows[("gateway", gateway, "cash")]
    return accounts


def invoice_inputs(ctx: PipelineContext, order: OrderView, plan: CustomerPlan, today: date
                   ) -> InvoiceInputs:
    items = resolve_items(ctx, sku_keys(order.line_items))
    tax_details = {t.rate_id: gl.tax_detail_for(t.rate_id) for t in order.tax_lines}
    return InvoiceInputs(mapping_posting(ctx.settings.posting), plan.customer, items,
                         resolve_accounts(plan.customer, order.payment_method), today,
                         tax_details=tax_details, customer_problem=plan.problem,
                         functional_currency=ctx.settings.gp.functional_currency)
