"""The durable job table: lease-based, with the next run time stored on the row.

A worker claims due jobs with a guarded UPDATE inside BEGIN IMMEDIATE, so two workers (or the
console's embedded worker and a headless one) never hold the same job. A lease that expires
(the worker was `kill -9`ed) makes the job claimable again: the pipeline's read-before-post makes
the second attempt safe.

On PostgreSQL (many workers on many hosts) each due row is taken with FOR UPDATE SKIP LOCKED
inside its guarded UPDATE: a row another worker is claiming right now is passed over, not waited
for, and never claimed twice; only the rows claimed are locked.
A customer group's one-job-in-flight rule holds across hosts through a per-group advisory lock
taken before the group's live leases are re-read.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import Case, fn

from core.clock import SYSTEM_CLOCK, Clock
from core.store.db import database, on_postgres, tuples
from core.store.locks import lock_group
from core.store.models import Job
from core.store.states import JOB_LIFECYCLE, JobStatus, move

BASE_DELAY_S = 5.0
MAX_DELAY_S = 15 * 60.0  # capped: an hour-long GP outage is retried every 15 minutes at worst
MAX_ATTEMPTS = 50  # transient failures; validation failures stop at once


JITTER_FLOOR = 0.1  # never retry sooner than 10% of the ceiling


def next_delay(attempts: int, error: BaseException | None = None, *,
               transient: bool | None = None, rng: random.Random | None = None) -> float | None:
    """Seconds until the next try after `attempts` failures, or None to stop retrying.

    `error` (a GPError / WooError) says whether the failure is worth retrying through its
    `transient` flag (a GPUnknownOutcome is transient too), unless `transient` is given.
    Capped exponential backoff with full jitter above a 10% floor: retries from many jobs
    spread out (coefficient of variation ~0.47) but never collapse to an
    immediate retry.
    """
    if transient is None:
        transient = True if error is None else bool(getattr(error, "transient", False))
    if not transient or attempts >= MAX_ATTEMPTS:
        return None
    ceiling = min(MAX_DELAY_S, BASE_DELAY_S * (2 ** max(0, attempts - 1)))
    r = (rng or random).random()
    return ceiling * (JITTER_FLOOR + (1 - JITTER_FLOOR) * r)


# A wait inside a job (a WooCommerce 429's Retry-After, a backoff between attempts) must end well
# inside the job's lease, or another thread or worker re-claims the job while it still runs.
# Longer waits belong to the queue's own backoff (retry at one layer only, reliability.md §3.4).
WOO_ATTEMPTS = 4  # core.woo.client.WooClient's default max_attempts


def woo_wait_cap_s(lease_ttl_s: float) -> float:
    """Longest single wait between two tries of one WooCommerce request, inside a job."""
    return max(1.0, lease_ttl_s / 4)


def job_lease_s(lease_ttl_s: float, gp_timeout_s: float, woo_timeout_s: float) -> float:
    """A job's lease: longer than its slowest GP call several times over and than one
    WooCommerce request with every retry and capped wait; renewed before every GP write."""
    woo_worst = WOO_ATTEMPTS * woo_timeout_s + (WOO_ATTEMPTS - 1) * woo_wait_cap_s(lease_ttl_s)
    return max(float(lease_ttl_s), 4 * float(gp_timeout_s), 2 * woo_worst)


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    key: str
    attempts: int
    group_key: str | None


def enqueue(kind: str, key: str, *, clock: Clock = SYSTEM_CLOCK, run_at: datetime | None = None,
            group_key: str | None = None) -> None:
    """Ask for `kind` work on `key`. Idempotent: an existing job is made due again (not
    duplicated); a leased job is left to its holder, which re-checks the latest state anyway.
    Call inside the caller's transaction when the job belongs to a state change."""
    now = clock.now()
    when = run_at or now
    existing = Job.get_or_none((Job.kind == kind) & (Job.key == key))
    if existing is None:
        Job.create(kind=kind, key=key, group_key=group_key, status=JobStatus.QUEUED, run_at=when,
                   created_at=now, updated_at=now)
        return
    if existing.status == JobStatus.LEASED:
        # The holder finishes with the state it read; ask for one more pass afterwards.
        Job.update(rerun=True, updated_at=now).where(Job.id == existing.id).execute()
        return
    again = existing.status in (JobStatus.DONE, JobStatus.DEAD, JobStatus.FAILED)
    move(Job, existing.id, JOB_LIFECYCLE, JobStatus.QUEUED, what=f"job {kind} {key}",
         column="status", run_at=when, attempts=0 if again else existing.attempts,
         group_key=group_key or existing.group_key, updated_at=now)


def claim(owner: str, *, limit: int = 1, lease_s: float = 120.0, clock: Clock = SYSTEM_CLOCK,
          kinds: tuple[str, ...] | None = None, busy_groups: set[str] | None = None,
          fence: Callable[[], None] | None = None,
          done: int | None = None) -> list[ClaimedJob]:
    """Lease up to `limit` due jobs (queued and due, or leased with an expired lease).

    `busy_groups`: customer groups with a job in flight in this worker; their other jobs wait so
    one customer's documents post in order.
    `fence`: the worker lease's check (raises LeaseLost), run inside the claim's own
    transaction, so a worker that lost its lease cannot claim between the check and the claim.
    `done`: a job this owner has just finished, completed (`complete`) in the same transaction
    before the claim: one write transaction (one fsync) between two jobs instead of two. Its
    completion is committed even when the fence then refuses the claim, as `complete` alone
    would have been.
    """
    now = clock.now()
    until = now + timedelta(seconds=lease_s)
    claimed: list[ClaimedJob] = []
    refused: BaseException | None = None
    with database.atomic("IMMEDIATE"):
        if done is not None:
            complete(done, owner, clock=clock)
        if fence is not None:
            try:
                fence()
            except BaseException as exc:  # noqa: BLE001 - raised once the completion commits
                refused = exc
        if refused is None:
            claimed = _lease_due(owner, limit, now, until, kinds, busy_groups)
    if refused is not None:
        raise refused
    return claimed


def _lease_due(owner: str, limit: int, now: datetime, until: datetime,
               kinds: tuple[str, ...] | None, busy_groups: set[str] | None) -> list[ClaimedJob]:
    claimed: list[ClaimedJob] = []
    # The guard of the queued -> leased move (and of leased -> leased, a lease taken over).
    due = ((Job.status == JobStatus.QUEUED) & (Job.run_at <= now)) | (
        (Job.status == JobStatus.LEASED) & (Job.lease_expires_at < now))
    query = Job.select().where(due)
    if kinds:
        query = query.where(Job.kind.in_(kinds))
    groups = set(busy_groups or ())
    leased_groups = {g for (g,) in tuples(Job.select(Job.group_key).where(
        (Job.status == JobStatus.LEASED) & (Job.lease_expires_at >= now)
        & Job.group_key.is_null(False)))}
    groups |= leased_groups
    pg = on_postgres()
    for job in query.order_by(Job.run_at, Job.id).limit(limit * 4 + 16):
        if len(claimed) >= limit:
            break
        if job.group_key and job.group_key in groups:
            continue
        if pg and job.group_key and not _group_free(job.group_key, now):
            groups.add(job.group_key)
            continue
        this = (Job.id == job.id) & due
        if pg:  # only this row, and only when no other claimer holds it: skipped, not awaited
            this = Job.id.in_(Job.select(Job.id).where(this).for_update(skip_locked=True))
        took = (Job.update(status=JobStatus.LEASED, lease_owner=owner, lease_expires_at=until,
                           attempts=Job.attempts + 1, updated_at=now).where(this).execute())
        if took:
            if job.group_key:
                groups.add(job.group_key)
            claimed.append(ClaimedJob(job.id, job.kind, job.key, job.attempts + 1,
                                      job.group_key))
    return claimed


def _group_free(group: str, now: datetime) -> bool:
    """PostgreSQL: whether this transaction may claim `group`'s next job. Another claimer
    holding the group's lock, or a live lease on it committed since this claim began, says no."""
    if not lock_group(group):
        return False
    return not Job.select(Job.id).where(
        (Job.group_key == group) & (Job.status == JobStatus.LEASED)
        & (Job.lease_expires_at >= now)).exists()


def complete(job_id: int, owner: str, *, clock: Clock = SYSTEM_CLOCK) -> bool:
    """Mark done, unless someone asked for another pass while it ran (then requeue now).
    Returns False when this worker no longer holds the lease."""
    now = clock.now()
    job = Job.get_or_none(Job.id == job_id)
    if job is None or job.lease_owner != owner or job.status != JobStatus.LEASED:
        return False
    what = f"job {job.kind} {job.key}"
    if job.rerun:
        move(Job, job_id, JOB_LIFECYCLE, JobStatus.QUEUED, what=what, column="status", run_at=now,
             attempts=0, last_error=None, lease_owner=None, lease_expires_at=None, rerun=False,
             updated_at=now)
    else:
        move(Job, job_id, JOB_LIFECYCLE, JobStatus.DONE, what=what, column="status", attempts=0,
             lease_owner=None, lease_expires_at=None, last_error=None, updated_at=now)
    return True


def retry_later(job_id: int, owner: str, error: str, *, transient: bool,
                clock: Clock = SYSTEM_CLOCK, rng: random.Random | None = None,
                retry_after: float | None = None) -> datetime | None:
    """Record a failure: requeue with backoff (returns when), or mark failed (returns None).
    `retry_after`: the seconds GP asked for (HTTP Retry-After); never sooner than that."""
    now = clock.now()
    job = Job.get_or_none(Job.id == job_id)
    if job is None or job.lease_owner != owner:
        return None
    delay = next_delay(job.attempts, transient=transient, rng=rng)
    if delay is None:
        move(Job, job_id, JOB_LIFECYCLE, JobStatus.FAILED, what=f"job {job.kind} {job.key}",
             column="status", lease_owner=None, lease_expires_at=None, last_error=error,
             updated_at=now)
        return None
    when = now + timedelta(seconds=max(delay, retry_after or 0.0))
    if job.rerun:  # new information arrived meanwhile: try again now, not after backoff
        when = now
    move(Job, job_id, JOB_LIFECYCLE, JobStatus.QUEUED, what=f"job {job.kind} {job.key}",
         column="status", run_at=when, lease_owner=None, lease_expires_at=None,
         last_error=error, rerun=False, updated_at=now)
    return when


def release(job_id: int, owner: str, *, clock: Clock = SYSTEM_CLOCK) -> None:
    """Give a job back untouched (shutdown before the GP call started)."""
    now = clock.now()
    Job.update(status=JobStatus.QUEUED,
               attempts=Case(None, [(Job.attempts > 0, Job.attempts - 1)], 0), lease_owner=None,
               lease_expires_at=None, updated_at=now).where(
        (Job.id == job_id) & (Job.lease_owner == owner)).execute()


def extend_lease(job_id: int, owner: str, lease_s: float, *, clock: Clock = SYSTEM_CLOCK) -> bool:
    until = clock.now() + timedelta(seconds=lease_s)
    return bool(Job.update(lease_expires_at=until).where(
        (Job.id == job_id) & (Job.lease_owner == owner)
        & (Job.status == JobStatus.LEASED)).execute())


def counts() -> dict[str, int]:
    return {status: n for status, n in
            tuples(Job.select(Job.status, fn.COUNT(Job.id)).group_by(Job.status))}


def next_due(clock: Clock = SYSTEM_CLOCK) -> datetime | None:
    row = Job.select(fn.MIN(Job.run_at)).where(Job.status == JobStatus.QUEUED).scalar()
    return Job.run_at.python_value(row) if isinstance(row, str) else row
