"""The worker's periodic chores and its way out, kept apart from the loop that schedules them.

verify / sync_products: one pass each, whose failures are logged and retried at the next turn
(a product pass that meets a lost lease raises LeaseLost to the worker, which stops).
hourly: prune webhook bodies past their retention and checkpoint the WAL.
shut_down: the one stopping path (see core/worker/service.py's docstring for the order).
"""
from __future__ import annotations

import logging
from typing import Any

from core.clock import Clock
from core.config import Settings
from core.errors import ConnectorError, LeaseLost
from core.intake.retention import prune_deliveries
from core.store.db import checkpoint

log = logging.getLogger("ml_connector.worker")


def verify(c: Any, state: Any, clock: Clock) -> None:
    """Re-read posted-but-unverified documents in GP."""
    try:
        n = c.verify() if c.verify else 0
        state.last_verify_at = clock.now()
        if n:
            log.info("verified %d posted document(s) in GP", n)
    except ConnectorError as exc:
        log.warning("GP verification skipped: %s", exc)
    except Exception:
        log.exception("GP verification failed")


def sync_products(c: Any, state: Any, clock: Clock) -> None:
    """One product pass both ways; LeaseLost goes up to the worker."""
    try:
        report = c.sync_products() if c.sync_products else None
        state.last_product_sync_at = clock.now()
        state.last_product_sync_error = None
        if report is not None:
            log.info("product sync: %s", report)
    except LeaseLost:
        raise
    except ConnectorError as exc:
        state.last_product_sync_error = str(exc)
        log.warning("product sync failed: %s (retried at the next scan)", exc)
    except Exception as exc:
        state.last_product_sync_error = f"{type(exc).__name__}: {exc}"
        log.exception("product sync failed")


def hourly(settings: Settings, clock: Clock) -> None:
    try:
        pruned = prune_deliveries(settings.worker.delivery_retention_days, clock)
        if pruned:
            log.info("dropped %d webhook delivery bodies older than %d days (retention)",
                     pruned, settings.worker.delivery_retention_days)
    except Exception as exc:  # a busy database: the next hour prunes
        log.warning("pruning old webhook deliveries skipped: %s", type(exc).__name__)
    try:
        checkpoint()
    except Exception as exc:  # readers hold it back: next hour
        log.debug("WAL checkpoint skipped: %s", exc)


def shut_down(worker: Any) -> None:
    """Stop taking work, let the GP call in flight finish (bounded), close, release the lease."""
    worker.state.stopping = True
    worker.stop_requested.set()
    worker._wake_posting.set()
    if worker.stop_reason:
        log.info("stopping: %s", worker.stop_reason)
    if worker._watcher is not None:
        worker._watcher.stop()
    c = worker.components
    if c is not None:
        try:
            c.stop_intake()  # no new webhooks or polls
        except Exception:
            log.exception("stopping the receiver failed")
    if worker._posting_thread is not None:
        worker._posting_thread.join(timeout=worker.options.drain_timeout_s)
        if worker._posting_thread.is_alive():
            log.warning("a GP call was still in flight after %.0f s: abandoned. Its "
                        "document number is recorded, so the next run reads GP before "
                        "posting it again (no duplicate).", worker.options.drain_timeout_s)
    if c is not None:
        try:
            c.close()
        except Exception:
            log.exception("closing connections failed")
    if worker.heartbeat is not None:
        worker.heartbeat.stop()
    try:
        if worker.lease.held and worker.lease.release(worker.state.as_status(),
                                                  reason=worker.stop_reason or "stopped"):
            log.info("lease released")
    except Exception:
        log.exception("releasing the lease failed; it expires in %.0f s",
                      worker.lease.ttl_s)
