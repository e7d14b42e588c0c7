"""The accountant's daily digest: yesterday in the books, and what waits and why.

Its figures are the same computations the accountant can run by hand, so they always agree:
yesterday's totals are `reconcile` for that day (in the store's time zone), the waiting work is
`status`. The digest is sent once per store day (the ledger row "digest" remembers the day).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.clock import SYSTEM_CLOCK, Clock
from core.money import currency_decimals, to_cents
from core.reconcile import ReconReport, reconcile
from core.worker.status import status_report

Reconciler = Callable[[date, date, str], ReconReport]


def stored_reconciler(eligible: tuple[str, ...]) -> Reconciler:
    return lambda d1, d2, tz: reconcile(d1, d2, timezone=tz, eligible_statuses=eligible)


@dataclass
class Digest:
    day: date
    timezone: str
    woo_orders: tuple[int, str]
    woo_refunds: tuple[int, str]
    gp_invoices: tuple[int, str]
    gp_credit_memos: tuple[int, str]
    difference: str
    held: dict[str, int]
    failed: int
    attention: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)

    @property
    def subject(self) -> str:
        flag = "" if self.difference == "0.00" and not self.failed else " — needs a look"
        return (f"Daily digest for {self.day:%a %d %b %Y}: {self.gp_invoices[0]} invoices, "
                f"{self.gp_credit_memos[0]} credit memos{flag}")

    @property
    def text(self) -> str:
        lines = [
            f"ml-connector daily digest for {self.day.isoformat()} ({self.timezone})",
            "",
            "Yesterday in the books (orders by their WooCommerce date):",
            f"  WooCommerce orders     {self.woo_orders[0]:>6}  {self.woo_orders[1]:>14}",
            f"  WooCommerce refunds    {self.woo_refunds[0]:>6}  {self.woo_refunds[1]:>14}",
            f"  GP invoices            {self.gp_invoices[0]:>6}  {self.gp_invoices[1]:>14}",
            f"  GP credit memos        {self.gp_credit_memos[0]:>6}  {self.gp_credit_memos[1]:>14}",
            f"  Difference (Woo - GP)          {self.difference:>14}",
        ]
        lines += [f"    {u}" for u in self.unexplained[:20]]
        lines += ["", "Waiting now:"]
        held = ", ".join(f"{n} {r}" for r, n in sorted(self.held.items())) or "nothing held"
        lines.append(f"  Held: {held}; failed: {self.failed}")
        lines += [f"  - {a}" for a in self.attention]
        if self.difference != "0.00":
            lines += ["", "What to do: open Reconciliation (key 6) in the console, or run "
                      f"`ml-connector reconcile --from {self.day} --to {self.day}`."]
        return "\n".join(lines)

    def payload(self) -> dict[str, Any]:
        return {"type": "digest", "day": self.day.isoformat(), "timezone": self.timezone,
                "woo_orders": {"count": self.woo_orders[0], "total": self.woo_orders[1]},
                "woo_refunds": {"count": self.woo_refunds[0], "total": self.woo_refunds[1]},
                "gp_invoices": {"count": self.gp_invoices[0], "total": self.gp_invoices[1]},
                "gp_credit_memos": {"count": self.gp_credit_memos[0],
                                    "total": self.gp_credit_memos[1]},
                "difference": self.difference, "held": self.held, "failed": self.failed,
                "attention": self.attention, "text": self.text}


def store_yesterday(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)


def build_digest(day: date, timezone: str, reconciler: Reconciler, *,
                 clock: Clock = SYSTEM_CLOCK) -> Digest:
    report = reconciler(day, day, timezone)
    total = report.total()
    status = status_report(clock)
    # Money adds up within one currency: several currencies are listed one by one.
    totals = total.parts or [total]
    several = len(totals) > 1

    def money(side: str) -> str:
        return "; ".join(str(to_cents(getattr(t, side).total if side else t.difference,
                                      currency_decimals(t.currency)))
                         + (f" {t.currency}" if several else "") for t in totals)

    return Digest(
        day=day, timezone=timezone,
        woo_orders=(total.woo_orders.count, money("woo_orders")),
        woo_refunds=(total.woo_refunds.count, money("woo_refunds")),
        gp_invoices=(total.gp_invoices.count, money("gp_invoices")),
        gp_credit_memos=(total.gp_credit_memos.count, money("gp_credit_memos")),
        difference=money(""),
        held=dict(status["held"]), failed=int(status["failed"]),
        attention=list(status["attention"]),
        unexplained=[f"{e.kind} {e.number}: {e.reason}" for e in report.explanations])
