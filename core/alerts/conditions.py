"""What needs a person, decided from the state database alone.

`evaluate(snapshot, settings)` is pure: the snapshot is read by `read_snapshot()` (any process can
read it: the worker, `ml-connector alerts check` from cron, a test), so the same rules decide in
every place. Each Condition says what happened, the figures and what to do, in the accountant's
words; its `key` stays the same while the condition lasts, so the ledger can tell a new problem
from one it has already reported.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.config_alerts import AlertSettings


@dataclass(frozen=True)
class Condition:
    key: str  # stable while the condition lasts: "held_orders", "gp_unreachable", ...
    title: str  # one line: what happened
    detail: str  # the figures and what to do
    severity: str = "warning"  # warning | critical
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass
class Snapshot:
    """The facts the rules look at (read_snapshot fills it from the database)."""

    now: datetime
    held: dict[str, int] = field(default_factory=dict)  # hold reason -> orders + refunds held
    oldest_held_at: datetime | None = None
    oldest_held_number: str | None = None
    failed: int = 0
    failed_examples: list[str] = field(default_factory=list)
    webhooks_disabled: list[str] = field(default_factory=list)  # "order.updated #12"
    worker_alive: bool | None = None  # None: no worker has ever run
    worker_host: str = ""
    worker_heartbeat_age_s: float = 0.0
    gp_down_since: datetime | None = None
    gp_last_error: str = ""
    lease_lost_by: str = ""  # set by the worker that lost it
    audit_broken: str = ""  # "" = intact or not checked
    recon_day: str = ""
    recon_difference: str = ""  # Decimal as text; "" = not computed or zero
    recon_count_difference: int = 0


WORKER_DOWN_AFTER_S = 600.0  # a stopped worker is an alert after 10 minutes (from `alerts check`)


def evaluate(s: Snapshot, a: AlertSettings) -> list[Condition]:
    """The conditions true now, most urgent first."""
    out: list[Condition] = []
    if s.lease_lost_by:
        out.append(Condition(
            "lease_lost", "The worker lost its lease and stopped",
            f"The worker {s.lease_lost_by} was frozen or cut off longer than its lease and "
            "another worker took over; it stopped posting (exit 5). Nothing was posted twice. "
            "What to do: check the server's load and clock, then `ml-connector status` shows "
            "who holds the lease now.", "critical", {"worker": s.lease_lost_by}))
    if s.worker_alive is False and s.worker_heartbeat_age_s >= WORKER_DOWN_AFTER_S:
        minutes = int(s.worker_heartbeat_age_s // 60)
        out.append(Condition(
            "worker_down", f"No worker has run for {minutes} minutes",
            f"The worker on {s.worker_host} stopped sending heartbeats {minutes} minutes ago: "
            "no order reaches GP. What to do: start the service (`systemctl start ml-connector`) "
            "or run `ml-connector worker`, then check `ml-connector status`.", "critical",
            {"minutes": minutes, "host": s.worker_host}))
    if s.gp_down_since is not None:
        down = s.now - s.gp_down_since
        if down >= timedelta(minutes=a.gp_down_minutes):
            minutes = int(down.total_seconds() // 60)
            out.append(Condition(
                "gp_unreachable", f"GP has been unreachable for {minutes} minutes",
                f"Since {s.gp_down_since:%Y-%m-%d %H:%M} UTC GP does not answer "
                f"({s.gp_last_error or 'no answer'}). Orders wait in the queue and post when GP "
                "is back; nothing is lost. What to do: check that the GP Web Services service "
                "runs and the server is reachable; `ml-connector check` tests the connection.",
                "critical", {"minutes": minutes}))
    if s.audit_broken:
        out.append(Condition(
            "audit_chain_broken", "The audit trail failed its integrity check",
            f"{s.audit_broken}. Someone or something changed the audit trail outside "
            "ml-connector. What to do: keep a copy of state.db, run `ml-connector audit verify` "
            "and tell whoever runs the server.", "critical"))
    failed = s.failed
    if failed >= a.failed_threshold:
        examples = ", ".join(s.failed_examples[:5])
        out.append(Condition(
            "failed_documents", f"{failed} document(s) failed in GP",
            f"GP refused {failed} document(s) ({examples}). They are not in GP. What to do: "
            "open the console's Held & failed screen (key 7), read GP's message, fix the cause "
            "and replay.", "critical", {"failed": failed}))
    held_total = sum(s.held.values())
    too_many = held_total > a.held_threshold
    too_old = (s.oldest_held_at is not None
               and s.now - s.oldest_held_at >= timedelta(minutes=a.held_max_age_minutes))
    if held_total and (too_many or too_old):
        reasons = ", ".join(f"{n} {r}" for r, n in sorted(s.held.items()))
        age = ""
        if s.oldest_held_at is not None:
            hours = (s.now - s.oldest_held_at).total_seconds() / 3600
            age = f"; the oldest ({s.oldest_held_number}) has waited {hours:.1f} h"
        out.append(Condition(
            "held_orders", f"{held_total} order(s) or refund(s) are held",
            f"Held by reason: {reasons}{age}. They are not in GP until fixed. What to do: open "
            "the console — Flagged SKUs (key 3) for unknown SKUs, GL mapping (key 5) for "
            "accounts, Held & failed (key 7) for the rest — fix and replay.", "warning",
            {"held": held_total, **{f"held_{r}": n for r, n in s.held.items()}}))
    if s.webhooks_disabled:
        names = ", ".join(s.webhooks_disabled)
        out.append(Condition(
            "webhook_disabled", "WooCommerce disabled the connector's webhooks",
            f"WooCommerce reports {names} as disabled (after failed deliveries). Orders still "
            "arrive by polling, only later. What to do: `ml-connector webhooks install --url "
            "...` re-activates them; check the office's address is reachable from the shop.",
            "warning", {"webhooks": len(s.webhooks_disabled)}))
    if s.recon_difference:
        out.append(Condition(
            "reconciliation_difference",
            f"Reconciliation of {s.recon_day}: WooCommerce and GP differ by {s.recon_difference}",
            f"For {s.recon_day} WooCommerce's net and GP's net differ by {s.recon_difference} "
            f"({s.recon_count_difference:+d} documents). What to do: open Reconciliation "
            f"(key 6) or run `ml-connector reconcile --from {s.recon_day} --to {s.recon_day}` "
            "for the documents behind the difference.", "warning",
            {"day": s.recon_day, "difference": s.recon_difference}))
    return out
