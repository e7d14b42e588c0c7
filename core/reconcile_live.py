"""Reconciliation against the live systems: what the shop says now, against what GP holds now.

The stored copy is not evidence: a refund deleted in WooCommerce sends no webhook and does not
move the order's modified time, and an order restored out of trash may never be announced, so
comparing GP with the connector's own rows would report "13 refunds = 13 credit memos" while
the shop has 12. Here:

- WooCommerce side: every order created in the period, read from the shop (trash included, so
  an invoice for a trashed order shows), and every refund created in the period (`/refunds`).
  An order counts as sold when the pipeline invoices it (core.pipeline.eligibility), or when it
  was paid, invoiced and then cancelled: then its cancellation counts as a credit, like a
  refund, so GP's cancellation credit memo (WCC…) has its WooCommerce counterpart.
- GP side: each document the connector's numbering says should exist, looked up in GP by its
  number (invoice, refund credit memo or return, cancellation credit memo): work, history and
  void are told apart; a void document counts as nothing.

The result is a core.reconcile.ReconReport, so the console and the CLI show it as before.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from core.config import PostingSettings
from core.connections import gp_gateway, woo_client, workspace_folder
from core.errors import ConnectorError
from core.gp.gateway import GPDocument, GPGateway
from core.mapping.documents import invoice_number
from core.mapping.refunds import refund_number, status_memo_number
from core.pipeline.eligibility import invoiceable
from core.reconcile import (
    NO_METHOD,
    ZERO,
    Explanation,
    ReconReport,
    ReconRow,
    _bounds,
    reconcile,
)
from core.secrets.vault import open_vault
from core.store.db import tuples
from core.store.models import Order, Refund
from core.woo.client import WooClient, format_gmt, gmt
from core.woo.views import OrderView

CANCELLED = "cancelled"


@dataclass(frozen=True)
class GPLookup:
    """A document found in GP (None when absent), and what it counts for."""

    doc: GPDocument | None

    @property
    def amount(self) -> Decimal:
        return self.doc.total if self.doc is not None and self.doc.state != "void" else ZERO

    @property
    def counts(self) -> bool:
        return self.doc is not None and self.doc.state != "void"

    def text(self) -> str:
        if self.doc is None:
            return "not in GP"
        return f"{self.doc.number} ({self.doc.state}, {self.doc.total})"


def _pages(woo: WooClient, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for page in woo.iter_pages(path, params):
        yield from page.items


def shop_orders(woo: WooClient, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Orders created in [start, end) as the shop has them now, trash included."""
    params = {"after": format_gmt(start), "before": format_gmt(end), "dates_are_gmt": "true",
              "orderby": "date", "order": "asc", "per_page": 100}
    seen: dict[int, dict[str, Any]] = {}
    for status in ("any", "trash"):
        for o in _pages(woo, "orders", {**params, "status": status}):
            seen[int(o["id"])] = o
    return [seen[k] for k in sorted(seen)]


def shop_refunds(woo: WooClient, start: datetime, end: datetime) -> list[dict[str, Any]]:
    params = {"after": format_gmt(start), "before": format_gmt(end), "dates_are_gmt": "true",
              "per_page": 100}
    return list(_pages(woo, "refunds", params))


def _find_credit(gateway: GPGateway, number: str, prefer_return: bool) -> GPLookup:
    finders = [gateway.find_credit_memo, gateway.find_sales_return]
    for find in (reversed(finders) if prefer_return else finders):
        doc = find(number)
        if doc is not None:
            return GPLookup(doc)
    return GPLookup(None)


def live_reconcile(woo: WooClient, gateway: GPGateway, date_from: date, date_to: date, *,
                   posting: PostingSettings, timezone: str = "UTC",
                   stored_refunds: Iterable[StoredRefund] = ()) -> ReconReport:
    """Compare the live shop with the live GP for date_from..date_to (the store's days).
    `stored_refunds`: the refunds the connector took in for the period; one the shop no
    longer has, whose credit document stands in GP, was deleted in WooCommerce."""
    if date_to < date_from:
        raise ValueError(f"the range ends ({date_to}) before it starts ({date_from})")
    tz = ZoneInfo(timezone)
    start, end = _bounds(date_from, date_to, tz)
    eligible = tuple(posting.eligible_statuses)
    rows: dict[tuple[date, str, str], ReconRow] = {}
    explanations: list[Explanation] = []

    def row_for(day: date, method: str, currency: str) -> ReconRow:
        # Money adds up within one currency only: the order's (its GP documents carry it).
        return rows.setdefault((day, currency, method), ReconRow(day, method, currency))

    def day_of(value: str | None) -> date:
        moment = gmt(value) or start
        return moment.astimezone(tz).date()

    parents: dict[int, OrderView] = {}
    for payload in shop_orders(woo, start, end):
        view = OrderView.from_payload(payload)
        parents[view.id] = view
        _order(view, payload, gateway, posting, eligible, day_of, row_for, explanations)
    live_ids: set[int] = set()
    for refund in shop_refunds(woo, start, end):
        live_ids.add(int(refund["id"]))
        parent_id = int(refund.get("parent_id") or 0)
        if parent_id not in parents:  # a refund in the period on an older order
            parents[parent_id] = OrderView.from_payload(woo.get_order(parent_id))
        _refund(parents[parent_id], refund, gateway, posting, day_of, row_for, explanations)
    for gone in stored_refunds:
        if gone.refund_id in live_ids or not start <= gone.created < end:
            continue
        memo = _find_credit(gateway, gone.number,
                            prefer_return=posting.refund_document != "credit_memo")
        if not memo.counts:
            continue
        day = gone.created.astimezone(tz).date()
        method = gone.payment_method or NO_METHOD
        row_for(day, method, gone.currency).gp_credit_memos.add(memo.amount)
        explanations.append(Explanation(
            day, method, "refund", gone.refund_id, f"{gone.order_number}/R{gone.refund_id}",
            ZERO, -memo.amount, "deleted in WooCommerce",
            f"refund {gone.refund_id} was deleted in WooCommerce (no webhook is sent for that), "
            f"but GP still holds {memo.text()}: void or reverse it in GP, or re-enter the "
            "refund in WooCommerce", gone.currency))
    ordered = [rows[k] for k in sorted(rows)]
    return ReconReport(date_from, date_to, timezone, ordered, explanations)


@dataclass(frozen=True)
class StoredRefund:
    """A refund as the connector took it in (for spotting the ones the shop deleted)."""

    refund_id: int
    order_number: str
    payment_method: str
    created: datetime
    number: str  # its GP credit document number
    currency: str = ""  # its order's


def stored_refunds() -> list[StoredRefund]:
    """Every refund with a GP credit document, from the state database."""
    rows = (Refund.select(Refund.woo_id, Refund.date_created_gmt, Refund.gp_doc_number,
                          Order.number, Order.payment_method, Order.currency)
            .join(Order).where(Refund.gp_doc_number.is_null(False)))
    return [StoredRefund(int(rid), str(number), str(method or ""), created, str(doc),
                         str(currency or ""))
            for rid, created, doc, number, method, currency in tuples(rows)
            if created is not None]


def _order(view: OrderView, payload: dict[str, Any], gateway: GPGateway,
           posting: PostingSettings, eligible: Iterable[str], day_of: Any, row_for: Any,
           explanations: list[Explanation]) -> None:
    method = view.payment_method or NO_METHOD
    day = day_of(payload.get("date_created_gmt"))
    number = invoice_number(view, posting)
    invoice = GPLookup(gateway.find_sales_invoice(number))
    paid = payload.get("date_paid_gmt")
    sold = invoiceable(view.status, paid, eligible)
    cancelled_after_sale = view.status == CANCELLED and bool(paid) and invoice.counts
    if not sold and not cancelled_after_sale and not invoice.counts:
        return
    row = row_for(day, method, view.currency)
    woo_amount = view.total if (sold or cancelled_after_sale) else ZERO
    if sold or cancelled_after_sale:
        row.woo_orders.add(woo_amount)
    if invoice.counts:
        row.gp_invoices.add(invoice.amount)
    reason = None
    if woo_amount and not invoice.counts:
        reason = f"no invoice {number} in GP" + (" (voided there)" if invoice.doc else "")
    elif invoice.counts and not woo_amount:
        reason = f"in GP as {invoice.text()}, but WooCommerce says {view.status}"
    elif woo_amount != invoice.amount:
        reason = f"GP invoice {invoice.text()} differs from WooCommerce's {woo_amount}"
    if reason:
        explanations.append(Explanation(day, method, "order", view.id, view.number, woo_amount,
                                        invoice.amount, view.status, reason, view.currency))
    if cancelled_after_sale:
        _cancellation(view, payload, gateway, day, row, method, explanations)


def _cancellation(view: OrderView, payload: dict[str, Any], gateway: GPGateway, day: date,
                  row: ReconRow, method: str, explanations: list[Explanation]) -> None:
    """A paid, invoiced order cancelled in WooCommerce: the part not refunded is credited."""
    refunded = sum((-Decimal(str(r.get("total") or "0")) for r in payload.get("refunds") or []),
                   ZERO)
    owed = view.total - refunded
    number = status_memo_number(view)
    memo = _find_credit(gateway, number, prefer_return=False)
    if owed:
        row.woo_refunds.add(owed)
    if memo.counts:
        row.gp_credit_memos.add(memo.amount)
    if owed != memo.amount:
        why = (f"cancelled in WooCommerce: credit memo {number} for {owed} is not in GP"
               if not memo.counts else
               f"cancellation credit memo {memo.text()} differs from {owed}")
        explanations.append(Explanation(day, method, "cancellation", view.id,
                                        f"{view.number}/{number}", -owed, -memo.amount,
                                        view.status, why, view.currency))


def _refund(view: OrderView, refund: dict[str, Any], gateway: GPGateway,
            posting: PostingSettings, day_of: Any, row_for: Any,
            explanations: list[Explanation]) -> None:
    rid = int(refund["id"])
    amount = Decimal(str(refund.get("amount") or "0"))
    method = view.payment_method or NO_METHOD
    day = day_of(refund.get("date_created_gmt"))
    row = row_for(day, method, view.currency)
    row.woo_refunds.add(amount)
    number = refund_number(rid, view, posting)
    memo = _find_credit(gateway, number,
                        prefer_return=posting.refund_document != "credit_memo")
    if memo.counts:
        row.gp_credit_memos.add(memo.amount)
    reason = None
    if not memo.counts:
        reason = f"no credit document {number} in GP for this refund"
    elif memo.amount != amount:
        reason = f"GP credit document {memo.text()} differs from the refund {amount}"
    if reason:
        explanations.append(Explanation(day, method, "refund", rid, f"{view.number}/R{rid}",
                                        -amount, -memo.amount, view.status, reason,
                                        view.currency))


def reconcile_for(workspace: Any, settings: Any, date_from: date, date_to: date, *,
                  live: bool = True) -> tuple[ReconReport, str]:
    """The console's and the CLI's reconciliation: (report, where its figures come from).

    Live (the shop and GP as they are now) whenever both are configured and answer; otherwise
    the connector's stored copy, said plainly, because it cannot see what the shop changed
    without telling (deleted refunds, restored orders). The state database must be open."""
    tz = settings.worker.schedule.timezone
    why = "asked for the stored copy"
    if live and workspace is not None and settings.woocommerce.url and (
            settings.gp.soap_url or settings.gp.sba_url):
        try:
            vault = open_vault(workspace)
            woo = woo_client(settings, vault)
            try:
                gateway = gp_gateway(settings, vault, workspace_folder(workspace))
                try:
                    report = live_reconcile(woo, gateway, date_from, date_to,
                                            posting=settings.posting, timezone=tz,
                                            stored_refunds=stored_refunds())
                finally:
                    gateway.close()
            finally:
                woo.close()
            return report, "live: read from WooCommerce and GP just now"
        except ConnectorError as exc:
            why = f"the live systems could not be read ({exc})"
    elif live:
        why = "WooCommerce or GP is not configured"
    report = reconcile(date_from, date_to, timezone=tz,
                       eligible_statuses=settings.posting.eligible_statuses)
    return report, (f"STORED COPY, not evidence ({why}): refunds deleted or orders restored "
                    "in the shop without a webhook are not seen")
