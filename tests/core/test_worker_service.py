"""The Worker's life cycle: lease, one pass, the schedule driving polls, graceful stop with a GP
call in flight (finished, or abandoned after the bound), and the lease released on exit.

The parts here are small real ones over the real job queue; the end-to-end runs against the
stand-ins are in tests/reliability/test_sigterm*.py and tests/sandbox/test_demo*.py.
"""
from __future__ import annotations

import threading

from core.clock import ManualClock
from core.config import Settings, Workspace, dump_settings
from core.store import queue
from core.store.db import thread_connection
from core.store.models import Job
from core.worker.components import Components
from core.worker.lease import Lease, read_lease
from core.worker.options import EXIT_LEASE_HELD, EXIT_OK, WorkerOptions
from core.worker.service import Worker

WAIT_S = 20


class SlowPoster:
    """Claims due jobs from the real queue; each 'GP call' waits until released."""

    def __init__(self, clock, *, block: bool) -> None:
        self.clock = clock
        self.block = block
        self.in_flight = threading.Event()
        self.release = threading.Event()
        self.posted: list[str] = []
        self.started: list[str] = []

    def __call__(self, stop: threading.Event) -> int:
        done = 0
        while not stop.is_set():
            jobs = queue.claim("w", limit=1, clock=self.clock)
            if not jobs:
                return done
            job = jobs[0]
            self.started.append(job.key)
            if self.block:
                self.in_flight.set()
                self.release.wait(WAIT_S)
            self.posted.append(job.key)
            queue.complete(job.id, "w", clock=self.clock)
            done += 1
        return done


def _workspace(tmp_path, settings: Settings | None = None) -> Workspace:
    ws = Workspace.at(tmp_path / "ws")
    ws.config_path.parent.mkdir(parents=True, exist_ok=True)
    ws.config_path.write_text(dump_settings(settings or Settings()))
    return ws


def _factory(poster, polls: list[int], polled: threading.Event | None = None):
    def build(ws, settings, *, clock, options, state):
        def poll() -> int:
            polls.append(1)
            if polled is not None:
                polled.set()
            return 0
        return Components(listen=None, poll=poll, post_until_idle=poster)
    return build


def test_once_runs_one_pass_and_releases_the_lease(tmp_path, state_db):
    clock = ManualClock()
    ws = _workspace(tmp_path)
    from core.store.db import init_db
    init_db(ws.db_path)
    for n in range(3):
        queue.enqueue("post_order", f"order:{n}", clock=clock)
    poster = SlowPoster(clock, block=False)
    polls: list[int] = []
    worker = Worker(ws, Settings(), WorkerOptions(once=True), clock=clock,
                    components=_factory(poster, polls))
    assert worker.run() == EXIT_OK
    assert sorted(poster.posted) == ["order:0", "order:1", "order:2"]
    assert polls == [1]
    assert read_lease() is None
    assert Job.select().where(Job.status == "done").count() == 3


def test_second_worker_is_refused_with_exit_3(tmp_path, state_db):
    clock = ManualClock()
    ws = _workspace(tmp_path)
    from core.store.db import init_db
    init_db(ws.db_path)
    Lease(ttl_s=60, clock=clock, host="gp-server", pid=4242).acquire()
    worker = Worker(ws, Settings(), WorkerOptions(once=True), clock=clock,
                    components=_factory(SlowPoster(clock, block=False), []))
    assert worker.run() == EXIT_LEASE_HELD
    assert read_lease().host == "gp-server"  # untouched


def test_stop_waits_for_the_gp_call_in_flight_then_releases(tmp_path, state_db):
    clock = ManualClock()
    ws = _workspace(tmp_path)
    from core.store.db import init_db
    init_db(ws.db_path)
    queue.enqueue("post_order", "order:1", clock=clock)
    queue.enqueue("post_order", "order:2", clock=clock)
    poster = SlowPoster(clock, block=True)
    worker = Worker(ws, Settings(), WorkerOptions(watch_config=False, drain_timeout_s=WAIT_S),
                    clock=clock, components=_factory(poster, []))
    result: list[int] = []
    t = threading.Thread(target=lambda: result.append(worker.run()))
    t.start()
    assert poster.in_flight.wait(WAIT_S)
    with thread_connection():
        assert read_lease() is not None
    worker.request_stop("SIGTERM (test)")
    # The in-flight call is allowed to finish; nothing new is claimed after the stop.
    poster.release.set()
    t.join(WAIT_S)
    assert result == [EXIT_OK]
    assert poster.posted == ["order:1"]
    with thread_connection():
        assert read_lease() is None
        assert Job.get(Job.key == "order:2").status == "queued"


def test_a_call_that_never_returns_is_abandoned_within_the_bound(tmp_path, state_db):
    clock = ManualClock()
    ws = _workspace(tmp_path)
    from core.store.db import init_db
    init_db(ws.db_path)
    queue.enqueue("post_order", "order:1", clock=clock)
    poster = SlowPoster(clock, block=True)
    worker = Worker(ws, Settings(), WorkerOptions(watch_config=False, drain_timeout_s=0.2),
                    clock=clock, components=_factory(poster, []))
    result: list[int] = []
    t = threading.Thread(target=lambda: result.append(worker.run()))
    t.start()
    assert poster.in_flight.wait(WAIT_S)
    worker.request_stop("SIGTERM (test)")
    t.join(WAIT_S)
    assert result == [EXIT_OK] and not t.is_alive()
    assert poster.posted == []  # abandoned mid-call
    with thread_connection():
        assert read_lease() is None
    poster.release.set()


def test_heartbeat_publishes_the_schedule_in_the_lease(tmp_path, state_db):
    clock = ManualClock()  # 2026-11-27 12:00 UTC, a Friday: business hours in UTC
    ws = _workspace(tmp_path)
    from core.store.db import init_db
    init_db(ws.db_path)
    polls: list[int] = []
    polled = threading.Event()
    worker = Worker(ws, Settings(), WorkerOptions(watch_config=False), clock=clock,
                    components=_factory(SlowPoster(clock, block=False), polls, polled))
    t = threading.Thread(target=worker.run)
    t.start()
    try:
        assert polled.wait(WAIT_S) and worker.polled.wait(WAIT_S)
        worker.heartbeat.beat()
        with thread_connection():
            status = read_lease().status
        assert status["poll_reason"] == "business hours"
        assert status["next_poll_at"] == "2026-11-27T12:02:00+00:00"
    finally:
        worker.request_stop("test over")
        t.join(WAIT_S)
    assert polls == [1]  # the clock did not move: no second poll
