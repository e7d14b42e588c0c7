"""`ml-connector status`: what the sync is doing, read from the state database only.

Queues, held reasons, failures, last poll, webhook health and the lease holder. Nothing here
touches the network, so it answers in well under a second even when GP or the shop is down,
and works from any process (a second terminal, a monitoring script) while the worker runs.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from peewee import fn

from core import queries
from core.clock import SYSTEM_CLOCK, Clock
from core.intake.drift import drift_attention
from core.intake.spool import Spool, spool_dir_for
from core.store.db import spool_anchor
from core.store.models import AuditEvent, Order, Refund, Setting, WebhookDelivery
from core.worker.lease import last_run, read_lease


def group_counts(query: Any) -> dict[str, int]:
    """{key: count} from a two-column GROUP BY query."""
    return {str(k): int(v) for k, v in query.tuples()}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def webhook_health(clock: Clock = SYSTEM_CLOCK, *, reported: Any = None) -> dict[str, Any]:
    """What reached the receiver in the last 24 h, plus what the worker last learnt from
    WooCommerce about its webhooks (`reported`, e.g. {"order.updated": "disabled"})."""
    since = clock.now() - timedelta(hours=24)
    rows = group_counts(
        WebhookDelivery.select(WebhookDelivery.verdict, fn.COUNT(WebhookDelivery.id))
        .where(WebhookDelivery.received_at >= since).group_by(WebhookDelivery.verdict))
    last = (WebhookDelivery.select(fn.MAX(WebhookDelivery.received_at))
            .where(WebhookDelivery.verdict == "accepted").scalar())
    if isinstance(last, str):  # MAX() of a text column comes back as stored
        last = WebhookDelivery.received_at.python_value(last)
    refused = (WebhookDelivery.select(WebhookDelivery.reject_reason, WebhookDelivery.source)
               .where((WebhookDelivery.received_at >= since)
                      & (WebhookDelivery.verdict == "rejected"))
               .order_by(WebhookDelivery.id.desc()).first())
    out: dict[str, Any] = {
        # Why the last one was refused (a shop no pair has, a wrong secret ...): the receiver
        # of every pair records the refusals no pair owns with the first pair's.
        "last_refused": None if refused is None else " ".join(
            str(part) for part in (refused.reject_reason, refused.source and
                                   f"(source {refused.source})") if part),
        "accepted_24h": rows.get("accepted", 0),
        "rejected_24h": rows.get("rejected", 0),
        "pings_24h": rows.get("ping", 0),
        "last_accepted_at": _iso(last) if last else None,
    }
    if reported:
        out["woocommerce"] = reported
        text = str(reported).lower()
        if "disabled" in text:
            out["health"] = "disabled in WooCommerce: polling keeps orders coming; re-activate it"
        elif "paused" in text:
            out["health"] = "paused in WooCommerce: polling keeps orders coming"
    if "health" not in out:
        if out["rejected_24h"] and not out["accepted_24h"]:
            out["health"] = "only rejected deliveries in 24 h: check the webhook secret"
        elif out["accepted_24h"]:
            out["health"] = "ok"
        else:
            out["health"] = "no deliveries in 24 h (polling only)"
    return out


def _reported_webhooks() -> dict[str, str] | None:
    """WooCommerce's own view of our webhooks, as the worker last read it (every 5 minutes)."""
    row = Setting.get_or_none(Setting.key == "intake.webhooks")
    if row is None or not isinstance(row.value, dict):
        return None
    hooks = {f"{h.get('topic', '?')} #{h.get('id', '?')}": str(h.get("status", "?"))
             for h in row.value.get("webhooks", []) if isinstance(h, dict)}
    if hooks and row.value.get("checked_at"):
        hooks["checked_at"] = str(row.value["checked_at"])
    return hooks or None


# What each count in `status` counts, printed with --json so a script never has to guess.
COUNT_MEANINGS = {
    "orders": "WooCommerce orders the connector took in, by the connector's state for each",
    "refunds": "WooCommerce refunds taken in, by the connector's state for each",
    "in_gp.invoices": "orders whose GP invoice the connector created (or found) and read back: "
                      "state posted or verified",
    "in_gp.credit_memos": "GP credit documents the connector created: one per refund, plus one "
                          "per cancelled or refunded order credited by status (WCC...)",
    "worker.jobs_done": "posting jobs the running worker finished since it started, whatever "
                        "their outcome (created, held, skipped, found already in GP): not a "
                        "count of GP documents",
    "posted_today": "invoices created in GP today (store's day)",
    "spool.waiting": "signed webhook deliveries the receiver acknowledged (200) while the "
                     "database was busy, kept in fsync'd files beside it and not yet imported; "
                     "the running receiver imports them as soon as the database frees",
}
SPOOL_STUCK_S = 120.0  # a spooled delivery older than this: the database has been busy too long


def spool_report(clock: Clock = SYSTEM_CLOCK) -> dict[str, Any]:
    """The receiver's spool beside the database: how many deliveries wait and since when."""
    folder = spool_dir_for(spool_anchor())
    spool = Spool(folder)
    oldest = spool.oldest_at()
    return {"waiting": spool.pending(), "oldest_at": _iso(oldest), "folder": str(folder),
            "age_s": round(max(0.0, (clock.now() - oldest).total_seconds()), 1)
            if oldest else None}


def spool_attention(spool: dict[str, Any], worker_alive: bool) -> list[str]:
    """What the accountant is told about deliveries waiting in the spool, if anything."""
    n = spool["waiting"]
    if not n:
        return []
    head = (f"{n} webhook deliveries acknowledged to WooCommerce wait in the spool "
            f"({spool['folder']}, oldest {spool['oldest_at']}): they are not in the database "
            "yet and WooCommerce will not send them again.")
    if not worker_alive:
        return [head + " No worker is running to import them: start it (`ml-connector worker`);"
                " it imports them first. Do not delete the folder."]
    if (spool["age_s"] or 0) > SPOOL_STUCK_S:
        return [head + f" The database has been busy for {spool['age_s']:.0f} s: find the "
                "process holding it (a backup, a long console query) and let it finish."]
    return []


def documents_in_gp() -> dict[str, int]:
    """GP documents the connector made, counted from the state database (see COUNT_MEANINGS)."""
    invoices = Order.select().where(Order.gp_doc_number.is_null(False)
                                    & Order.state.in_(("posted", "verified"))).count()
    memos = Refund.select().where(Refund.gp_doc_number.is_null(False)
                                  & Refund.state.in_(("posted", "verified"))).count()
    status_memos = (AuditEvent.select(fn.COUNT(fn.DISTINCT(AuditEvent.entity_id)))
                    .where((AuditEvent.entity == "order") & (AuditEvent.kind == "credit_memo"))
                    .scalar() or 0)
    return {"invoices": invoices, "credit_memos": memos + int(status_memos)}


def status_report(clock: Clock = SYSTEM_CLOCK, *, failures: int = 10) -> dict[str, Any]:
    """Everything `status` shows, as plain JSON-able data."""
    now = clock.now()
    board = queries.dashboard(clock)
    lease = read_lease()
    worker: dict[str, Any] | None = None
    reported = _reported_webhooks()
    if lease is not None:
        st = lease.status or {}
        worker = {
            "holder": lease.holder, "host": lease.host, "pid": lease.pid, "mode": lease.mode,
            "alive": lease.alive(now),
            "started_at": _iso(lease.started_at), "heartbeat_at": _iso(lease.heartbeat_at),
            "heartbeat_age_s": round(max(0.0, (now - lease.heartbeat_at).total_seconds()), 1),
            **{k: v for k, v in st.items() if k != "webhooks"},
        }
    orders = group_counts(Order.select(Order.state, fn.COUNT(Order.id)).group_by(Order.state))
    refunds = group_counts(Refund.select(Refund.state, fn.COUNT(Refund.id)).group_by(Refund.state))
    failed_rows = [p for p in queries.problems("failed", limit=failures)]
    spool = spool_report(clock)
    attention = list(board.attention) + drift_attention()
    attention += spool_attention(spool, bool(worker and worker["alive"]))
    if worker is not None and not worker["alive"] and attention and \
            attention[0].startswith("No worker"):
        attention[0] = (f"The worker on {lease.host} (pid {lease.pid}) stopped sending "  # type: ignore[union-attr]
                        f"heartbeats {worker['heartbeat_age_s']:.0f} s ago: nothing is being "
                        "posted to GP.")
    return {
        "at": _iso(now),
        "worker": worker,
        "orders": orders,
        "refunds": refunds,
        "held": board.held,
        "failed": board.failed,
        "failures": [{"kind": p.kind, "woo_id": p.woo_id, "number": p.number,
                      "gp_message": p.gp_message, "detail": p.detail,
                      "since": _iso(p.updated_at)} for p in failed_rows],
        "posted_today": board.posted_today,
        "credit_memos_today": board.credit_memos_today,
        "flagged_skus": board.flagged_skus,
        "open_conflicts": board.open_conflicts,
        "jobs": board.jobs,
        "in_gp": documents_in_gp(),
        "last_run": last_run() if worker is None else None,
        "definitions": COUNT_MEANINGS,
        "webhooks": webhook_health(clock, reported=reported),
        "spool": spool,
        "attention": attention,
    }


def _spool_line(spool: dict[str, Any]) -> str:
    if spool.get("waiting"):
        return (f"Spool:     {spool['waiting']} acknowledged deliveries not yet in the database "
                f"(oldest {spool['oldest_at']}); imported when the database frees")
    return "Spool:     empty (every acknowledged delivery is in the database)"


def _health_lines(hooks: dict[str, Any]) -> list[str]:
    lines = [f"Webhook health: {hooks['health']} (24 h: {hooks['accepted_24h']} accepted, "
             f"{hooks['rejected_24h']} rejected; last {hooks['last_accepted_at'] or 'never'})"]
    if hooks.get("last_refused"):
        lines.append(f"Last refused: {hooks['last_refused']}")
    return lines


def format_status(report: dict[str, Any]) -> str:
    """The human-readable `status` screen."""
    lines: list[str] = []
    w = report["worker"]
    last = report.get("last_run")
    if w is None and last:
        lines.append(f"Worker:    not running — the last one ({last.get('mode')} on "
                     f"{last.get('host')}, pid {last.get('pid')}) ran {last.get('started_at')} "
                     f"to {last.get('stopped_at')} and stopped cleanly "
                     f"({last.get('reason') or 'stopped'}); it finished "
                     f"{last.get('jobs_done', 0)} posting job(s)")
        if last.get("last_poll_at"):
            lines.append(f"Last poll: {last['last_poll_at']} "
                         f"({last.get('last_poll_orders', 0)} orders)")
    elif w is None:
        lines.append("Worker:    none has run on this database")
    else:
        state = "running" if w["alive"] else "NOT RUNNING (lease expired)"
        lines.append(f"Worker:    {state} — {w['mode']} on {w['host']} (pid {w['pid']}), "
                     f"heartbeat {w['heartbeat_age_s']:.0f} s ago")
        if w.get("dry_run"):
            lines.append("           DRY RUN: nothing is created in GP")
        if w.get("last_poll_at"):
            lines.append(f"Last poll: {w['last_poll_at']} ({w.get('last_poll_orders', 0)} orders)"
                         + (f", next {w['next_poll_at']} ({w.get('poll_reason', '')})"
                            if w.get("next_poll_at") else ""))
        if w.get("listen"):
            lines.append(f"Webhooks:  listening on {w['listen']}")
    hooks = report["webhooks"]
    lines += _health_lines(hooks)
    lines.append(_spool_line(report.get("spool") or {}))
    seen = dict(hooks.get("woocommerce") or {})
    when = seen.pop("checked_at", None)
    if seen:
        lines.append("In WooCommerce: " + ", ".join(f"{k} {v}" for k, v in sorted(seen.items()))
                     + (f" (as the worker read it at {when})" if when else ""))
    if w is not None and w.get("webhooks_down"):
        lines.append("           a webhook is not active: polling at the business interval until "
                     "it is back (re-activated when the receiver runs; WooCommerce keeps its "
                     "failure count)")
    orders = report["orders"]
    order_text = ", ".join(f"{k} {v}" for k, v in sorted(orders.items())) or "none yet"
    lines.append(f"Orders:    {order_text}")
    if report["refunds"]:
        lines.append("Refunds:   " + ", ".join(f"{k} {v}" for k, v in
                                               sorted(report["refunds"].items())))
    held = report["held"]
    lines.append("Held:      " + (", ".join(f"{k} {v}" for k, v in held.items()) or "none"))
    lines.append(f"Failed:    {report['failed']}")
    for f in report["failures"]:
        lines.append(f"  {f['kind']} {f['number']}: {f['gp_message'] or f['detail']}")
    if w is not None:
        lines.append(f"This run:  {w.get('jobs_done', 0)} posting job(s) finished (any outcome; "
                     "not GP documents)")
    gp = report["in_gp"]
    lines.append(f"In GP:     {gp['invoices']} invoice(s) and {gp['credit_memos']} credit "
                 "document(s) created by the connector")
    lines.append(f"Today:     {report['posted_today']} invoices, {report['credit_memos_today']} "
                 f"credit memos posted")
    jobs = report["jobs"]
    lines.append("Jobs:      " + (", ".join(f"{k} {v}" for k, v in sorted(jobs.items())) or "none"))
    if report["flagged_skus"]:
        lines.append(f"Flagged SKUs: {report['flagged_skus']}")
    if report["open_conflicts"]:
        lines.append(f"Product conflicts: {report['open_conflicts']}")
    if report["attention"]:
        lines.append("")
        lines.append("Needs attention:")
        lines.extend(f"  - {a}" for a in report["attention"])
    return "\n".join(lines)
