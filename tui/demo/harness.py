"""The demo: both stand-ins, a fresh workspace in a temporary folder, the worker, and a shop that
keeps selling — so the accountant's whole job can be tried live (fix the flagged SKU, watch the
replay, reconcile) without any credentials.

The caller starts the stand-ins (core never imports sandbox) and passes their endpoints:
tui/commands/demo.py for `ml-connector demo`, the tests for their own runs.

    session = DemoSession.start(endpoints, root)       # workspace + worker + webhooks
    stream = ActivityStream(session.control); stream.start()   # the live shop
    ...console...
    session.stop()

    summary = run_headless(endpoints, root, orders=500)   # `demo --headless`: JSON summary
"""
from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from peewee import fn

from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings, Workspace
from core.errors import ConnectorError
from core.pipeline.eligibility import invoiceable
from core.store.db import thread_connection
from core.store.models import Job, Order, Refund
from core.store.states import (
    IN_FLIGHT,
    POSTED_STATES,
    REPLAYABLE,
    DocState,
    JobStatus,
)
from core.worker.options import WorkerOptions
from core.worker.service import Worker
from core.worker.status import group_counts
from tui.demo.setup import (
    DemoEndpoints,
    SandboxControl,
    install_webhooks,
    prepare_workspace,
)

log = logging.getLogger("ml_connector.demo")

POSTED = POSTED_STATES


class DemoError(ConnectorError):
    pass


@dataclass
class DemoSession:
    workspace: Workspace
    settings: Settings
    worker: Worker
    control: SandboxControl
    thread: threading.Thread
    webhook_url: str = ""
    exit_codes: list[int] = field(default_factory=list)

    @classmethod
    def start(cls, ep: DemoEndpoints, root: Path, *, clock: Clock = SYSTEM_CLOCK,
              webhooks: bool = True, startup_timeout_s: float = 60.0) -> DemoSession:
        """Prepare the workspace, start the worker in this process, point the shop's webhooks
        at its receiver."""
        ws, settings = prepare_workspace(root, ep, clock=clock)
        worker = Worker(ws, settings, WorkerOptions(mode="headless", drain_timeout_s=10.0),
                        clock=clock)
        codes: list[int] = []
        thread = threading.Thread(target=lambda: codes.append(worker.run()), name="demo-worker",
                                  daemon=True)
        thread.start()
        deadline = time.monotonic() + startup_timeout_s
        while not worker.started.wait(0.05):
            if not thread.is_alive() or time.monotonic() > deadline:
                raise DemoError(f"the worker did not start (exit {codes[0] if codes else '?'}); "
                                "see the log above")
        session = cls(ws, settings, worker, SandboxControl(ep), thread, exit_codes=codes)
        listen = worker.components.listen if worker.components else None
        if webhooks and listen:
            session.webhook_url = f"{listen}/webhooks/woocommerce"
            install_webhooks(ws, settings, session.webhook_url, clock=clock)
        return session

    def stop(self, timeout_s: float = 30.0) -> int | None:
        self.worker.request_stop("the demo ended")
        self.thread.join(timeout_s)
        self.control.close()
        return self.exit_codes[0] if self.exit_codes else None


class ActivityStream:
    """The shop keeps selling: a small burst every `every_s` seconds — new orders, status
    changes, partial and full refunds, and (once, early) an order for a product GP lacks."""

    PATTERN: tuple[dict[str, int], ...] = (
        {"orders": 3},
        {"orders": 1, "unknown_sku_orders": 1, "status_changes": 1},
        {"orders": 2, "refunds": 1},
        {"orders": 1, "status_changes": 2},
        {"orders": 2, "refunds": 1, "price_changes": 1},
        {"orders": 2, "status_changes": 1, "stock_changes": 1},
    )

    def __init__(self, control: SandboxControl, *, every_s: float = 8.0,
                 unknown_sku_every: int = 12) -> None:
        self.control = control
        self.every_s = every_s
        self.unknown_sku_every = unknown_sku_every
        self.bursts = 0
        self.stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-activity", daemon=True)

    def next_burst(self) -> dict[str, int]:
        burst = dict(self.PATTERN[self.bursts % len(self.PATTERN)])
        # The unknown SKU appears in the second burst, then only now and then.
        if "unknown_sku_orders" in burst and self.bursts > 1 and \
                self.bursts % self.unknown_sku_every != 1:
            burst.pop("unknown_sku_orders")
        return burst

    def _run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.control.activity(**self.next_burst())
            except Exception as exc:  # the shop went away (demo ending): stop quietly
                log.debug("activity stream: %s", exc)
            self.bursts += 1
            self.stopped.wait(self.every_s)

    def start(self) -> ActivityStream:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self._thread.join(5)


# --- headless --------------------------------------------------------------------------------


def headless_activity(orders: int) -> tuple[list[dict[str, int]], list[dict[str, int]]]:
    """Two phases. First the N orders, in bursts of up to 25, one of them for a product GP
    lacks (its SKU gets flagged). Then, once those are posted, what happens to orders later:
    status changes (pending -> processing -> completed) and refunds, alternately partial and
    full, which must become credit memos against the posted invoices."""
    first: list[dict[str, int]] = []
    left = orders
    while left > 0:
        n = min(25, left)
        burst = {"orders": n}
        if not first:
            burst = {"orders": n - 1, "unknown_sku_orders": 1} if n > 1 else \
                {"unknown_sku_orders": 1}
        first.append(burst)
        left -= n
    changes = max(1, orders // 10)
    second = [{"status_changes": changes}, {"refunds": max(2, orders // 10)}]
    return first, second


def local_counts() -> dict[str, Any]:
    orders = group_counts(Order.select(Order.state, fn.COUNT(Order.id)).group_by(Order.state))
    refunds = group_counts(Refund.select(Refund.state, fn.COUNT(Refund.id)).group_by(Refund.state))
    # Posting jobs only: product-sync hints wait for the next product pass by design.
    jobs = group_counts(Job.select(Job.status, fn.COUNT(Job.id))
                   .where(Job.kind.in_(("post_order", "post_refund"))).group_by(Job.status))
    return {"orders": orders, "refunds": refunds, "jobs": jobs}


def is_idle(woo: dict[str, Any], local: dict[str, Any]) -> bool:
    """Everything the shop did is in our database and nothing is left to do."""
    known = sum(local["orders"].values())
    shop_orders = len([o for o in woo.get("orders", []) if not str(o.get("status", ""))
                       .endswith("draft")])
    busy_orders = sum(local["orders"].get(s, 0) for s in IN_FLIGHT)
    busy_refunds = sum(local["refunds"].get(s, 0) for s in IN_FLIGHT)
    busy_jobs = local["jobs"].get(JobStatus.QUEUED, 0) + local["jobs"].get(JobStatus.LEASED, 0)
    return (known >= shop_orders and not busy_orders and not busy_refunds and not busy_jobs
            and not woo.get("pending_deliveries"))


def wait_until_idle(session: DemoSession, *, timeout_s: float, settle_s: float = 6.0) -> bool:
    """Wait until the shop's activity is fully processed (twice in a row, `settle_s` apart, so
    a poll in between has had its chance)."""
    deadline = time.monotonic() + timeout_s
    streak = 0
    with thread_connection():
        while time.monotonic() < deadline:
            if session.thread is not None and not session.thread.is_alive():
                raise DemoError(f"the worker stopped (exit {session.exit_codes})")
            try:
                idle = is_idle(session.control.woo_state(), local_counts())
            except Exception as exc:  # a busy database or a slow shop: look again
                log.debug("idle check: %s", exc)
                idle = False
            streak = streak + 1 if idle else 0
            if streak >= 2:
                return True
            session.worker.wake()
            session.worker.stop_requested.wait(settle_s if idle else 1.0)
    return False


def summarize(session: DemoSession, *, elapsed_s: float, orders_asked: int,
              idle: bool) -> dict[str, Any]:
    """Orders by final state, GP documents, duplicates (must be 0), totals matched."""
    woo = session.control.woo_state()
    gp = session.control.gp_state()
    invoices = gp.get("invoices", [])
    memos = gp.get("credit_memos", [])
    returns = gp.get("returns", [])
    by_number = Counter(str(d.get("number")) for d in invoices + memos + returns)
    by_po = Counter(str(d.get("po")) for d in invoices if d.get("state") != "void")
    duplicates = sorted([n for n, c in by_number.items() if c > 1]
                        + [f"PO {p}" for p, c in by_po.items() if c > 1 and p])
    gp_totals = {str(d.get("number")): Decimal(str(d.get("total"))) for d in invoices}
    woo_orders = {int(o["id"]): o for o in woo.get("orders", [])}
    with thread_connection():
        rows: list[Any] = list(Order.select(
            Order.woo_id, Order.number, Order.status, Order.state, Order.hold_reason,
            Order.gp_doc_number, Order.total).tuples())
        flagged = [o for o in rows if o[3] == DocState.HELD and o[4] == "sku"]
        refund_rows: list[Any] = list(Refund.select(Refund.state).tuples())
        refund_states = Counter(r[0] for r in refund_rows)
        problem_rows: list[Any] = list(Refund.select(
            Refund.woo_id, Order.number, Refund.state, Refund.hold_reason, Refund.last_error)
            .join(Order).where(Refund.state.in_(REPLAYABLE)).tuples())
        refund_problems = [f"refund {w} of order {n} ({st}): {err or hold or ''}"[:300]
                           for w, n, st, hold, err in problem_rows]
    states = Counter(("held: " + r[4]) if r[3] == DocState.HELD and r[4] else r[3] for r in rows)
    # Postable: invoiceable by configuration now (or already in GP, e.g. since refunded), and
    # not waiting on the accountant (a flagged SKU is the demo's deliberate exception).
    eligible = session.settings.posting.eligible_statuses

    def is_invoiceable(woo_id: int, status: str) -> bool:
        o = woo_orders.get(woo_id, {})
        return invoiceable(str(o.get("status", status)), o.get("date_paid_gmt"), eligible)

    postable = [r for r in rows
                if (is_invoiceable(r[0], r[2]) or r[3] in POSTED)
                and not (r[3] == DocState.HELD and r[4] == "sku")]
    posted = [r for r in postable if r[3] in POSTED]
    not_posted = [f"{r[1]} ({r[3]}{': ' + r[4] if r[4] else ''})" for r in postable
                  if r[3] not in POSTED]
    mismatched = []
    for _woo_id, number, _status, state, _hold, doc, total in rows:
        if state in POSTED_STATES and doc:
            gp_total = gp_totals.get(doc)
            if gp_total is None or total is None or gp_total != Decimal(total):
                mismatched.append(f"{number}: Woo {total} GP {gp_total}")
    return {
        "orders_requested": orders_asked,
        "orders_in_shop": len(woo_orders),
        "refunds_in_shop": len(woo.get("refunds", [])),
        "orders_by_state": dict(sorted(states.items())),
        "refunds_by_state": dict(sorted(refund_states.items())),
        "refund_problems": refund_problems[:20],
        "postable_orders": len(postable),
        "postable_posted": len(posted),
        "postable_not_posted": not_posted[:20],
        "every_postable_order_posted": not not_posted,
        "flagged_sku_orders": len(flagged),
        "gp": {"invoices": len(invoices), "credit_memos": len(memos), "returns": len(returns)},
        "duplicates": len(duplicates),
        "duplicate_documents": duplicates[:20],
        "totals_matched": not mismatched,
        "total_mismatches": mismatched[:20],
        "idle": idle,
        "elapsed_s": round(elapsed_s, 2),
        "workspace": str(session.workspace.config_path.parent),
    }


def run_headless(ep: DemoEndpoints, root: Path, *, orders: int, timeout_s: float = 600.0,
                 settle_s: float = 6.0, clock: Clock = SYSTEM_CLOCK) -> dict[str, Any]:
    """`ml-connector demo --headless --orders N`: the whole flow to completion, summarised."""
    started = time.monotonic()
    session = DemoSession.start(ep, root, clock=clock)
    try:
        idle = True
        for phase in headless_activity(orders):
            for burst in phase:
                session.control.activity(**burst)
                session.worker.wake()
            left = timeout_s - (time.monotonic() - started)
            idle = wait_until_idle(session, timeout_s=max(10.0, left),
                                   settle_s=settle_s) and idle
        elapsed = time.monotonic() - started
        return summarize(session, elapsed_s=elapsed, orders_asked=orders, idle=idle)
    finally:
        session.stop()


__all__ = ["DemoEndpoints", "DemoSession", "ActivityStream", "run_headless", "summarize",
           "headless_activity"]
