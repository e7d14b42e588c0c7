"""The posting loop: claim due jobs from the durable queue and run them with bounded concurrency.

One customer's documents run one at a time and in order (the queue skips a customer group with a
job in flight). Outcomes: done -> job complete; transient -> capped, jittered backoff stored on the
job row (attempts and next try shown on the order); a job that keeps failing ends "failed" with
the last error. `run_until_idle()` returns when nothing is due and nothing is in flight.

`python -m core.pipeline.runner --workspace DIR` runs it as its own process (the kill -9 tests).
"""
from __future__ import annotations

import logging
import queue as queue_mod
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings
from core.dryrun import check_order, format_report
from core.errors import LeaseLost
from core.gp.fenced import FencedGateway
from core.gp.gateway import GPGateway
from core.owners import Owner, make_owner
from core.replay import ORDER_JOB, REFUND_JOB
from core.store import audit, queue
from core.store.db import database, thread_connection
from core.store.models import Job, Order
from core.store.states import DocState, JobStatus, move

from .changes import ORDERS, REFUNDS
from .context import PipelineContext, WooSource, crash_point
from .post_order import process_order, verify_order
from .post_refund import process_refund
from .result import StepResult

log = logging.getLogger("ml_connector.pipeline")
KINDS = (ORDER_JOB, REFUND_JOB)


def recover_orphans(clock: Clock = SYSTEM_CLOCK) -> int:
    """Give back jobs leased by a process on this host that no longer exists (kill -9, power
    cut), without waiting for their lease to expire. Only one worker runs per database (the
    worker lease), so a dead owner cannot come back; reading GP before any create keeps the
    second attempt safe whatever the first one did."""
    freed = 0
    with database.atomic("IMMEDIATE"):
        for job in Job.select().where(Job.status == JobStatus.LEASED):
            owner = Owner.parse(job.lease_owner or "")
            if owner is not None and owner.is_dead_here:
                # Guarded: on PostgreSQL another process may have freed and re-claimed it since.
                freed += Job.update(status=JobStatus.QUEUED, lease_owner=None,
                                    lease_expires_at=None, run_at=clock.now(),
                                    updated_at=clock.now()).where(
                    (Job.id == job.id) & (Job.status == JobStatus.LEASED)
                    & (Job.lease_owner == job.lease_owner)).execute()
    return freed


@dataclass
class RunStats:
    done: int = 0
    retried: int = 0


class Runner:
    def __init__(self, settings: Settings, *, gateway: GPGateway, woo: WooSource,
                 clock: Clock = SYSTEM_CLOCK, dry_run: bool = False,
                 concurrency: int | None = None, owner: str | None = None,
                 lease_s: float | None = None, rng: random.Random | None = None,
                 actor: str = "worker",
                 gateway_factory: Callable[[], GPGateway] | None = None,
                 fence: Callable[[], None] | None = None) -> None:
        """`gateway_factory`: open one more gateway. The GP gateway serialises its exchanges
        (NTLM binds a handshake to its connection), so concurrent posting needs a gateway per
        worker thread; without a factory every thread shares `gateway`, one call at a time.

        `fence`: the worker lease's check (core.worker.lease.Lease.fence). Given, it runs in the
        transaction of every claim and, with the job's own lease renewed, before every GP write:
        a worker that lost its lease claims and sends nothing more (LeaseLost ends the run)."""
        self.settings = settings
        self.clock = clock
        self.dry_run = dry_run
        self.concurrency = max(1, concurrency or settings.posting.concurrency)
        self.owner = owner or make_owner()
        # Long enough for a few slow GP calls; an expired lease lets another worker take over.
        self.lease_s = lease_s or queue.job_lease_s(settings.worker.lease_ttl_s,
                                                    settings.gp.timeout_s,
                                                    settings.woocommerce.timeout_s)
        self.rng = rng or random.Random()
        self.fence = fence
        self._current = threading.local()  # the job this thread runs, for the write fence
        self.lost: LeaseLost | None = None
        if fence is not None:
            gateway = self._fenced(gateway)
        self.ctx = PipelineContext(settings, gateway, woo, clock=clock, actor=actor, rng=self.rng)
        self.stats = RunStats()
        self.reports: list[Any] = []  # dry run: what would be posted
        self._reported: dict[int, Any] = {}
        self._cond = threading.Condition()
        self._busy = 0
        self._factory = gateway_factory
        self._spare: queue_mod.SimpleQueue[GPGateway] = queue_mod.SimpleQueue()
        self._opened: list[GPGateway] = []
        if gateway_factory is not None:
            self._spare.put(self.ctx.gateway)

    def _fenced(self, gateway: GPGateway) -> GPGateway:
        return FencedGateway(gateway, self._fence_write)

    def _fence_write(self) -> None:
        """Before a GP write: the worker lease is still ours and this thread's job lease is
        renewed, in one transaction, so nobody else can have claimed the job meanwhile."""
        assert self.fence is not None
        job_id = getattr(self._current, "job_id", None)
        with database.atomic("IMMEDIATE"):
            self.fence()
            if job_id is not None and not queue.extend_lease(job_id, self.owner, self.lease_s,
                                                             clock=self.clock):
                raise LeaseLost(f"the lease on job {job_id} ran out and another worker thread "
                                "or process claimed it; not sending")

    def _borrow(self) -> PipelineContext:
        """A context for one worker thread: its own gateway when a factory was given."""
        if self._factory is None:
            return self.ctx
        try:
            gw = self._spare.get_nowait()
        except queue_mod.Empty:
            gw = self._factory()
            self._opened.append(gw)
            if self.fence is not None:
                gw = self._fenced(gw)
        return replace(self.ctx, gateway=gw)  # shares the settings and the item cache

    def _give_back(self, ctx: PipelineContext) -> None:
        if self._factory is not None:
            self._spare.put(ctx.gateway)

    def close(self) -> None:
        """Close the extra gateways this runner opened (not the one it was given)."""
        for gw in self._opened:
            try:
                gw.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                log.warning("closing a GP gateway failed", exc_info=True)
        self._opened.clear()

    def reconfigure(self, settings: Settings) -> None:
        self.settings = settings
        self.ctx.settings = settings

    # --- one job --------------------------------------------------------------------------

    def run_job(self, job: queue.ClaimedJob, ctx: PipelineContext | None = None) -> StepResult:
        ctx = ctx or self.ctx
        woo_id = int(job.key.split(":", 1)[1])
        self._current.job_id = job.id
        try:
            if job.kind == ORDER_JOB:
                result = process_order(ctx, woo_id)
            elif job.kind == REFUND_JOB:
                result = process_refund(ctx, woo_id)
            else:
                result = StepResult.done()
        except LeaseLost:
            raise  # fenced: touch nothing more, not even this job's row
        except Exception as exc:  # noqa: BLE001 - a bug in one document must not stop the rest
            log.exception("posting %s failed unexpectedly", job.key)
            result = StepResult.later(f"{type(exc).__name__}: {exc}")
        if result.retry:
            self._retry(job, woo_id, result)
        else:
            crash_point("before_complete")
            if getattr(self._current, "chain", False):
                # Completed in the next claim's transaction (queue.claim(done=...)): one write
                # transaction between two jobs. A crash before it leaves the job leased, as a
                # crash before a complete of its own would: run again after the lease expires.
                self._current.done_job = job.id
            else:
                with database.atomic("IMMEDIATE"):
                    queue.complete(job.id, self.owner, clock=self.clock)
        with self._cond:
            if result.retry:
                self.stats.retried += 1
            else:
                self.stats.done += 1
        return result

    def _retry(self, job: queue.ClaimedJob, woo_id: int, result: StepResult) -> None:
        dk = ORDERS if job.kind == ORDER_JOB else REFUNDS
        model, entity = dk.model, dk.entity
        with database.atomic("IMMEDIATE"):
            when = queue.retry_later(job.id, self.owner, result.error, transient=result.transient,
                                     clock=self.clock, rng=self.rng,
                                     retry_after=result.retry_after)
            row = model.get_or_none(model.woo_id == woo_id)
            if row is None:
                return
            what = f"{entity} {woo_id}"
            if when is None:
                move(model, row.id, dk.lifecycle, DocState.FAILED, what=what,
                     last_error=result.error[:2000], attempts=model.attempts + 1,
                     next_attempt_at=None, updated_at=self.clock.now())
                audit.record(entity, woo_id, "failed", f"{entity} {woo_id} failed after "
                             f"{job.attempts} attempts: {result.error}", actor=self.ctx.actor,
                             clock=self.clock)
                return
            # "posting" goes back to "ready": nothing is in flight any more, and the next attempt
            # reads GP before it creates anything.
            move(model, row.id, dk.lifecycle,
                 DocState.READY if row.state == DocState.POSTING else None, what=what,
                 attempts=model.attempts + 1, next_attempt_at=when,
                 last_error=result.error[:2000], updated_at=self.clock.now())
            audit.record(entity, woo_id, "retried", f"attempt {job.attempts} did not finish: "
                         f"{result.error}; next try at {when:%Y-%m-%d %H:%M:%S} UTC",
                         actor=self.ctx.actor, clock=self.clock,
                         data={"attempt": job.attempts, "next": when.isoformat()})

    # --- the loop -------------------------------------------------------------------------

    def _claim(self) -> queue.ClaimedJob | None:
        """The next due job, completing the one this thread just finished in the same
        transaction."""
        done, self._current.done_job = getattr(self._current, "done_job", None), None
        self._current.chain = True
        jobs = queue.claim(self.owner, limit=1, lease_s=self.lease_s, clock=self.clock,
                           kinds=KINDS, fence=self.fence, done=done)
        return jobs[0] if jobs else None

    def _complete_pending(self) -> None:
        """A loop that stops without claiming again completes its last job on its own."""
        done, self._current.done_job = getattr(self._current, "done_job", None), None
        self._current.chain = False
        if done is not None:
            with database.atomic("IMMEDIATE"):
                queue.complete(done, self.owner, clock=self.clock)

    def _worker(self, stop: threading.Event) -> None:
        try:
            ctx = self._borrow()
        except Exception as exc:  # noqa: BLE001 - GP went away: the other threads carry on
            log.warning("a posting thread could not open its own GP connection (%s); "
                        "posting continues with fewer threads", exc)
            return
        try:
            self._work(stop, ctx)
        except LeaseLost as exc:
            with self._cond:
                self.lost = self.lost or exc
                self._cond.notify_all()
        finally:
            self._give_back(ctx)

    def _work(self, stop: threading.Event, ctx: PipelineContext) -> None:
        with thread_connection():
            try:
                self._work_loop(stop, ctx)
            finally:
                self._complete_pending()

    def _work_loop(self, stop: threading.Event, ctx: PipelineContext) -> None:
        while not stop.is_set() and self.lost is None:
            job = self._claim()
            if job is None:
                with self._cond:
                    if self._busy == 0:
                        self._cond.notify_all()
                        return
                    # Another thread may free a customer group or queue a refund.
                    self._cond.wait(timeout=1.0)
                continue
            with self._cond:
                self._busy += 1
            try:
                self.run_job(job, ctx)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def run_until_idle(self, stop: threading.Event | None = None) -> int:
        """Run every due job (and what they queue) until none is due; returns jobs finished."""
        if self.dry_run:
            return self.dry_run_pass()
        stop = stop or threading.Event()
        before = self.stats.done
        self.lost = None
        if self.fence is not None:
            self.fence()  # a worker that lost its lease frees nobody's jobs either
        recover_orphans(self.clock)
        if self.concurrency == 1:
            with thread_connection():
                try:
                    while not stop.is_set():
                        job = self._claim()
                        if job is None:
                            break
                        self.run_job(job)
                finally:
                    self._complete_pending()
        else:
            threads = [threading.Thread(target=self._worker, args=(stop,), daemon=True,
                                        name=f"post-{i}") for i in range(self.concurrency)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if self.lost is not None:
                raise self.lost
        return self.stats.done - before

    def verify_posted(self) -> int:
        """Re-read invoices posted but not yet verified (e.g. GP was down for the read-back)."""
        n = 0
        for order in list(Order.select().where(Order.state == DocState.POSTED)):
            try:
                n += verify_order(self.ctx, order)
            except Exception as exc:  # noqa: BLE001 - verification is retried next pass
                log.warning("verification of order %s failed: %s", order.number, exc)
        return n

    def dry_run_pass(self) -> int:
        """Map every queued order and check it against GP, creating nothing."""
        now = self.clock.now()
        jobs = list(Job.select().where((Job.kind == ORDER_JOB) & (Job.status == JobStatus.QUEUED)
                                       & (Job.run_at <= now)).order_by(Job.run_at, Job.id))
        fresh = 0
        for job in jobs:
            if self._reported.get(job.id) == job.updated_at:
                continue
            self._reported[job.id] = job.updated_at
            order = Order.get_or_none(Order.woo_id == int(job.key.split(":", 1)[1]))
            if order is None:
                continue
            report = check_order(self.ctx, order)
            self.reports.append(report)
            log.info("dry run: %s", format_report(report))
            fresh += 1
        return fresh
