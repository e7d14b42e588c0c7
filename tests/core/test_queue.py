"""The durable job queue on real SQLite: leases, attempts, run_at, groups, backoff."""
from __future__ import annotations

import random
import statistics
import threading

import pytest

from core.clock import ManualClock
from core.errors import GPRefused, GPTransient, GPUnknownOutcome
from core.store import queue
from core.store.models import Job


def test_enqueue_is_idempotent_and_reopens_finished_jobs(state_db) -> None:
    clock = ManualClock()
    queue.enqueue("post_order", "order:1", clock=clock, group_key="id:1")
    queue.enqueue("post_order", "order:1", clock=clock, group_key="id:1")
    assert Job.select().count() == 1
    [job] = queue.claim("w1", clock=clock)
    assert job.attempts == 1 and job.group_key == "id:1"
    assert queue.complete(job.id, "w1", clock=clock)
    assert Job.get_by_id(job.id).status == "done"
    queue.enqueue("post_order", "order:1", clock=clock)
    row = Job.get_by_id(job.id)
    assert row.status == "queued" and row.attempts == 0 and row.group_key == "id:1"


def test_a_lease_keeps_others_out_until_it_expires(state_db) -> None:
    clock = ManualClock()
    queue.enqueue("post_order", "order:1", clock=clock)
    [job] = queue.claim("w1", lease_s=60, clock=clock)
    assert queue.claim("w2", lease_s=60, clock=clock) == []
    clock.advance(seconds=61)  # w1 was kill -9ed: its lease runs out
    [again] = queue.claim("w2", lease_s=60, clock=clock)
    assert again.id == job.id and again.attempts == 2
    assert not queue.complete(job.id, "w1", clock=clock)  # w1 no longer holds it
    assert queue.complete(job.id, "w2", clock=clock)


def test_one_customer_group_at_a_time_in_order(state_db) -> None:
    clock = ManualClock()
    for n, group in ((1, "id:7"), (2, "id:7"), (3, "id:8")):
        queue.enqueue("post_order", f"order:{n}", clock=clock, group_key=group)
        clock.advance(seconds=1)
    first = queue.claim("w1", limit=5, clock=clock)
    assert [j.key for j in first] == ["order:1", "order:3"]
    assert queue.claim("w2", limit=5, clock=clock) == []  # order:2 waits behind order:1
    queue.complete(first[0].id, "w1", clock=clock)
    assert [j.key for j in queue.claim("w2", limit=5, clock=clock)] == ["order:2"]
    queue.enqueue("post_order", "order:4", clock=clock, group_key="id:9")
    assert queue.claim("w3", clock=clock, busy_groups={"id:9"}) == []


def test_claim_completes_the_finished_job_first_in_one_transaction(state_db) -> None:
    """claim(done=...) marks the finished job done before leasing: the next job of the same
    customer is free at once, and a fence that refuses the claim still lets the completion in."""
    clock = ManualClock()
    for n in (1, 2, 3):
        queue.enqueue("post_order", f"order:{n}", clock=clock, group_key="id:7")
        clock.advance(seconds=1)
    [first] = queue.claim("w1", clock=clock)
    [second] = queue.claim("w1", clock=clock, done=first.id)
    assert (Job.get_by_id(first.id).status, second.key) == ("done", "order:2")

    class Lost(Exception):
        pass

    def refuse() -> None:
        raise Lost("the worker lease was lost")

    with pytest.raises(Lost):
        queue.claim("w1", clock=clock, done=second.id, fence=refuse)
    assert Job.get_by_id(second.id).status == "done"
    assert Job.get(Job.key == "order:3").status == "queued"  # nothing claimed past the fence


def test_retry_later_backs_off_and_stops_for_non_transient_errors(state_db) -> None:
    clock = ManualClock()
    queue.enqueue("post_order", "order:1", clock=clock)
    [job] = queue.claim("w1", clock=clock)
    when = queue.retry_later(job.id, "w1", "GP down", transient=True, clock=clock,
                             rng=random.Random(1))
    row = Job.get_by_id(job.id)
    assert row.status == "queued" and row.last_error == "GP down" and row.run_at == when
    delay = (when - clock.now()).total_seconds()
    assert 0.1 * queue.BASE_DELAY_S <= delay <= queue.BASE_DELAY_S
    assert queue.claim("w1", clock=clock) == []  # not due yet
    clock.advance(seconds=delay)
    [job] = queue.claim("w1", clock=clock)
    assert queue.retry_later(job.id, "w1", "bad item", transient=False, clock=clock) is None
    assert Job.get_by_id(job.id).status == "failed"


def test_new_information_while_leased_runs_once_more_at_once(state_db) -> None:
    clock = ManualClock()
    queue.enqueue("post_order", "order:1", clock=clock)
    [job] = queue.claim("w1", clock=clock)
    queue.enqueue("post_order", "order:1", clock=clock)  # a newer snapshot arrived
    assert Job.get_by_id(job.id).rerun
    queue.complete(job.id, "w1", clock=clock)
    row = Job.get_by_id(job.id)
    assert row.status == "queued" and not row.rerun and row.run_at == clock.now()
    [job] = queue.claim("w1", clock=clock)
    queue.release(job.id, "w1", clock=clock)
    assert Job.get_by_id(job.id).status == "queued" and Job.get_by_id(job.id).attempts == 0


def test_next_delay_is_capped_jittered_and_classifies_errors() -> None:
    rng = random.Random(7)
    ceilings = [queue.next_delay(n, transient=True, rng=rng) for n in range(1, 40)]
    assert all(d is not None and d <= queue.MAX_DELAY_S for d in ceilings)
    assert queue.next_delay(1, GPRefused("validation")) is None
    assert queue.next_delay(1, GPUnknownOutcome("lost")) is not None
    assert queue.next_delay(1, GPTransient("timeout")) is not None
    assert queue.next_delay(queue.MAX_ATTEMPTS, transient=True) is None
    # Documents retried at the same attempt are spread out, not synchronised.
    at_cap = [queue.next_delay(12, transient=True, rng=rng) for _ in range(2000)]
    cv = statistics.pstdev(at_cap) / statistics.mean(at_cap)
    assert cv > 0.3 and min(at_cap) >= 0.1 * queue.MAX_DELAY_S


def test_concurrent_claims_never_hand_out_a_job_twice(state_db, tmp_path) -> None:
    from core.store.db import thread_connection

    clock = ManualClock()
    for n in range(60):
        queue.enqueue("post_order", f"order:{n}", clock=clock)
    taken: list[str] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        with thread_connection():
            while jobs := queue.claim(name, limit=3, clock=clock):
                with lock:
                    taken.extend(j.key for j in jobs)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == sorted(f"order:{n}" for n in range(60))
