"""Reconciliation: does what WooCommerce sold match what reached GP, per day, currency and
payment method?

WooCommerce side: orders the pipeline invoices (core.pipeline.eligibility: an eligible status,
or "refunded" after being paid, which was sold before it was refunded) and their refunds. GP
side: the invoices and credit memos the connector posted (their GP total as read back). All
figures come from the state database: this module never calls either system, so it runs in a
second on a month of orders.

The difference is (Woo orders − Woo refunds) − (GP invoices − GP credit memos). Each non-zero
difference is explained by a drill-down list: documents not (yet) in GP, documents in GP whose
WooCommerce status is no longer invoiceable, and GP totals that differ from WooCommerce's.

Money is only ever added up within one currency (the order's, which its GP documents carry):
each row is one day, currency and payment method; `totals()` gives one total per currency, and a
range with several currencies has no single money total (`total()` then only says whether every
currency matches).
"""
from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from core.money import currency_decimals, to_cents
from core.pipeline.eligibility import invoiceable
from core.store.db import tuples
from core.store.models import Order, Refund
from core.store.states import POSTED_STATES, DocState

ZERO = Decimal("0")
POSTED = POSTED_STATES
DEFAULT_ELIGIBLE = ("processing", "completed")
NO_METHOD = "(none)"


@dataclass
class Side:
    count: int = 0
    total: Decimal = ZERO

    def add(self, amount: Decimal) -> None:
        self.count += 1
        self.total += amount


SIDES = ("woo_orders", "woo_refunds", "gp_invoices", "gp_credit_memos")
MIXED = "mixed"  # the currency of a total over several currencies (no money sum)


@dataclass
class ReconRow:
    """One day (and payment method, or "all"), in one currency."""

    day: date
    payment_method: str
    currency: str = ""
    woo_orders: Side = field(default_factory=Side)
    woo_refunds: Side = field(default_factory=Side)
    gp_invoices: Side = field(default_factory=Side)
    gp_credit_memos: Side = field(default_factory=Side)
    # A total over several currencies: one total per currency; its own money sums mean nothing
    # and its difference is the sum of each currency's difference, unsigned (0 only when every
    # currency matches, so a EUR surplus never hides a USD shortfall).
    parts: list[ReconRow] = field(default_factory=list)

    @property
    def woo_net(self) -> Decimal:
        return self.woo_orders.total - self.woo_refunds.total

    @property
    def gp_net(self) -> Decimal:
        return self.gp_invoices.total - self.gp_credit_memos.total

    @property
    def difference(self) -> Decimal:
        if self.parts:
            return sum((abs(p.difference) for p in self.parts), ZERO)
        return self.woo_net - self.gp_net

    @property
    def count_difference(self) -> int:
        if self.parts:
            return sum(abs(p.count_difference) for p in self.parts)
        return (self.woo_orders.count - self.gp_invoices.count) + (
            self.woo_refunds.count - self.gp_credit_memos.count)

    @property
    def matches(self) -> bool:
        return self.difference == ZERO and self.count_difference == 0


@dataclass(frozen=True)
class Explanation:
    """One document that makes a day's figures differ."""

    day: date
    payment_method: str
    kind: str  # order / refund
    woo_id: int
    number: str
    woo_amount: Decimal  # what WooCommerce counts (0 when it does not count it)
    gp_amount: Decimal  # what GP holds (0 when not in GP)
    state: str  # the connector's state (held: sku, failed, posted ...)
    reason: str  # in the accountant's words
    currency: str = ""  # the document's (its order's)

    @property
    def difference(self) -> Decimal:
        return self.woo_amount - self.gp_amount


@dataclass
class ReconReport:
    date_from: date
    date_to: date
    timezone: str
    rows: list[ReconRow]  # per day and payment method, in order
    explanations: list[Explanation]

    def days(self) -> list[ReconRow]:
        """The rows folded per day and currency (all payment methods together)."""
        merged: dict[tuple[date, str], ReconRow] = {}
        for row in self.rows:
            _fold(merged.setdefault((row.day, row.currency),
                                    ReconRow(row.day, "all", row.currency)), row)
        return [merged[k] for k in sorted(merged)]

    def currencies(self) -> list[str]:
        return sorted({row.currency for row in self.rows})

    def totals(self) -> list[ReconRow]:
        """One total per currency (never a sum across currencies)."""
        out: dict[str, ReconRow] = {}
        for row in self.rows:
            _fold(out.setdefault(row.currency, ReconRow(self.date_from, "total", row.currency)),
                  row)
        return [out[c] for c in sorted(out)] or [ReconRow(self.date_from, "total")]

    def total(self) -> ReconRow:
        """The range's total: with one currency, its figures; with several, a row whose
        `matches`/`difference` speak for every currency and whose money sums are not shown
        (currency "mixed", `parts` holds each currency's total)."""
        totals = self.totals()
        if len(totals) == 1:
            return totals[0]
        out = ReconRow(self.date_from, "total", MIXED, parts=totals)
        for t in totals:
            for name in SIDES:
                getattr(out, name).count += getattr(t, name).count
        return out

    def explain(self, day: date | None = None, payment_method: str | None = None,
                currency: str | None = None) -> list[Explanation]:
        """The drill-down for one day (and method, and currency), or all of them."""
        return [e for e in self.explanations
                if (day is None or e.day == day)
                and (payment_method in (None, "all", "total")
                     or e.payment_method == payment_method)
                and (currency in (None, MIXED) or e.currency == currency)]


def _fold(into: ReconRow, row: ReconRow) -> None:
    for name in SIDES:
        side, add = getattr(into, name), getattr(row, name)
        side.count += add.count
        side.total += add.total


def _bounds(date_from: date, date_to: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(date_from, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def _state_label(state: str, hold_reason: str | None) -> str:
    return f"held: {hold_reason}" if state == DocState.HELD and hold_reason else state


def _order_difference(counts_in_woo: bool, in_gp: bool, woo_amount: Decimal,
                      gp_amount: Decimal, *, label: str, doc: str | None,
                      status: str) -> str | None:
    """Why an order's two sides differ, in the accountant's words; None when they agree."""
    if counts_in_woo and not in_gp:
        return f"not in GP yet ({label})"
    if in_gp and not counts_in_woo:
        return f"in GP as {doc}, but WooCommerce says {status}"
    if woo_amount != gp_amount:
        return f"GP total {gp_amount} differs from WooCommerce {woo_amount}"
    return None


def _refund_difference(in_gp: bool, amount: Decimal, gp_amount: Decimal, *,
                       label: str) -> str | None:
    if not in_gp:
        return f"credit memo not in GP yet ({label})"
    if gp_amount != amount:
        return f"GP credit memo {gp_amount} differs from the refund {amount}"
    return None


def reconcile(date_from: date, date_to: date, *, timezone: str = "UTC",
              eligible_statuses: Iterable[str] = DEFAULT_ELIGIBLE) -> ReconReport:
    """Compare WooCommerce and GP for the days date_from..date_to (inclusive) in `timezone`
    (the store's), per day and payment method."""
    if date_to < date_from:
        raise ValueError(f"the range ends ({date_to}) before it starts ({date_from})")
    tz = ZoneInfo(timezone)
    start, end = _bounds(date_from, date_to, tz)
    eligible = tuple(eligible_statuses)
    rows: dict[tuple[date, str, str], ReconRow] = {}
    explanations: list[Explanation] = []

    def row_for(day: date, method: str, currency: str) -> ReconRow:
        return rows.setdefault((day, currency, method), ReconRow(day, method, currency))

    orders = (Order.select(Order.woo_id, Order.number, Order.status, Order.state,
                           Order.hold_reason, Order.payment_method, Order.date_created_gmt,
                           Order.total, Order.gp_total, Order.gp_doc_number,
                           Order.date_paid_gmt, Order.currency)
              .where((Order.date_created_gmt >= start) & (Order.date_created_gmt < end))
              .order_by(Order.date_created_gmt, Order.id))
    for (woo_id, number, status, state, hold, method, created, total, gp_total, doc,
         paid, currency) in tuples(orders):
        day = created.astimezone(tz).date()
        method = method or NO_METHOD
        counts_in_woo = invoiceable(status, paid, eligible)
        in_gp = state in POSTED and bool(doc)
        woo_amount = (total or ZERO) if counts_in_woo else ZERO
        gp_amount = (gp_total if gp_total is not None else total or ZERO) if in_gp else ZERO
        if not counts_in_woo and not in_gp:
            continue
        row = row_for(day, method, currency)
        if counts_in_woo:
            row.woo_orders.add(woo_amount)
        if in_gp:
            row.gp_invoices.add(gp_amount)
        label = _state_label(state, hold)
        reason = _order_difference(counts_in_woo, in_gp, woo_amount, gp_amount, label=label,
                                   doc=doc, status=status)
        if reason:
            explanations.append(Explanation(day, method, "order", woo_id, number, woo_amount,
                                            gp_amount, label, reason, currency))

    refunds = (Refund.select(Refund.woo_id, Order.number, Order.payment_method,
                             Refund.state, Refund.hold_reason, Refund.date_created_gmt,
                             Refund.amount, Refund.gp_total, Refund.gp_doc_number,
                             Order.currency)
               .join(Order)
               .where((Refund.date_created_gmt >= start) & (Refund.date_created_gmt < end))
               .order_by(Refund.date_created_gmt, Refund.id))
    for (woo_id, number, method, state, hold, created, amount, gp_total, doc,
         currency) in tuples(refunds):
        day = created.astimezone(tz).date()
        method = method or NO_METHOD
        row = row_for(day, method, currency)
        amount = amount or ZERO
        # A refund is money WooCommerce paid back: it counts whatever the order's status now.
        row.woo_refunds.add(amount)
        in_gp = state in POSTED and bool(doc)
        gp_amount = (gp_total if gp_total is not None else amount) if in_gp else ZERO
        if in_gp:
            row.gp_credit_memos.add(gp_amount)
        label = _state_label(state, hold)
        reason = _refund_difference(in_gp, amount, gp_amount, label=label)
        if reason:
            # Sign as the refund moves the net: a missing credit memo makes Woo's net lower.
            explanations.append(Explanation(day, method, "refund", woo_id, f"{number}/R{woo_id}",
                                            -amount, -gp_amount, label, reason, currency))
    ordered = [rows[k] for k in sorted(rows)]
    return ReconReport(date_from, date_to, timezone, ordered, explanations)


# --- export ---------------------------------------------------------------------------------

SUMMARY_COLUMNS = ("day", "payment_method", "currency", "woo_orders", "woo_orders_total",
                   "woo_refunds", "woo_refunds_total", "gp_invoices", "gp_invoices_total",
                   "gp_credit_memos", "gp_credit_memos_total", "difference", "count_difference")
DETAIL_COLUMNS = ("day", "payment_method", "currency", "kind", "woo_id", "number", "woo_amount",
                  "gp_amount", "difference", "state", "reason")


def _amount(value: Decimal, currency: str = "") -> str:
    """Money in a CSV: always the currency's decimals (0.00, 12.50; 1500 for JPY), no thousands
    separator, so every amount column reads and sorts alike in a spreadsheet."""
    return str(to_cents(Decimal(value), currency_decimals(currency)))


def _summary_line(row: ReconRow) -> list[str]:
    c = row.currency
    return [row.day.isoformat() if row.payment_method != "total" else "total",
            row.payment_method, c, str(row.woo_orders.count), _amount(row.woo_orders.total, c),
            str(row.woo_refunds.count), _amount(row.woo_refunds.total, c),
            str(row.gp_invoices.count), _amount(row.gp_invoices.total, c),
            str(row.gp_credit_memos.count), _amount(row.gp_credit_memos.total, c),
            _amount(row.difference, c), str(row.count_difference)]


def write_csv(report: ReconReport, out: TextIO, *, details: bool = False) -> int:
    """Write the per-day/method summary (and a total line), or with details=True the documents
    that explain the differences. Returns the number of data rows written."""
    writer = csv.writer(out, lineterminator="\n")
    if details:
        writer.writerow(DETAIL_COLUMNS)
        for e in report.explanations:
            c = e.currency
            writer.writerow([e.day.isoformat(), e.payment_method, c, e.kind, e.woo_id, e.number,
                             _amount(e.woo_amount, c), _amount(e.gp_amount, c),
                             _amount(e.difference, c), e.state, e.reason])
        return len(report.explanations)
    writer.writerow(SUMMARY_COLUMNS)
    for row in report.rows:
        writer.writerow(_summary_line(row))
    totals = report.totals()
    for total in totals:  # one total line per currency
        writer.writerow(_summary_line(total))
    return len(report.rows) + len(totals)


def export_csv(report: ReconReport, path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write `path` (summary) and `<stem>-details.csv` beside it; returns both paths.
    Written through a temporary file so a half-written export never looks complete."""
    target = Path(path)
    details = target.with_name(f"{target.stem}-details{target.suffix or '.csv'}")
    for where, want_details in ((target, False), (details, True)):
        buf = io.StringIO()
        write_csv(report, buf, details=want_details)
        tmp = where.with_name(where.name + ".tmp")
        tmp.write_text(buf.getvalue(), encoding="utf-8", newline="")
        os.replace(tmp, where)
    return target, details
