"""The headless worker with its state on PostgreSQL: the lease, a pass, the spool's folder."""
from __future__ import annotations

from core.clock import ManualClock
from core.config import Settings
from core.store import queue
from core.store.db import init_db, on_postgres, spool_anchor
from core.store.models import Job
from core.worker.lease import Lease, read_lease
from core.worker.options import EXIT_LEASE_HELD, EXIT_OK, WorkerOptions
from core.worker.service import Worker
from core.worker.status import spool_report
from tests.core.test_worker_service import SlowPoster, _factory, _workspace


def _on_postgresql(pg_url: str) -> Settings:
    s = Settings()
    s.store.database_url = pg_url
    return s


def test_a_worker_pass_runs_on_the_configured_postgresql_and_releases_its_lease(tmp_path,
                                                                                pg_url):
    clock = ManualClock()
    settings = _on_postgresql(pg_url)
    ws = _workspace(tmp_path, settings)
    init_db(pg_url)
    for n in range(3):
        queue.enqueue("post_order", f"order:{n}", clock=clock)
    poster = SlowPoster(clock, block=False)
    polls: list[int] = []
    worker = Worker(ws, settings, WorkerOptions(once=True), clock=clock,
                    components=_factory(poster, polls))
    assert worker.run() == EXIT_OK
    assert on_postgres() and not ws.db_path.exists()
    assert sorted(poster.posted) == ["order:0", "order:1", "order:2"] and polls == [1]
    assert read_lease() is None
    assert Job.select().where(Job.status == "done").count() == 3
    # The receiver's spool stays a local folder of this host, named after the workspace.
    assert spool_anchor() == ws.db_path
    assert spool_report(clock)["folder"] == str(ws.db_path) + "-spool"


def test_a_second_worker_on_another_host_is_refused_while_the_lease_lives(tmp_path, pg_url):
    clock = ManualClock()
    settings = _on_postgresql(pg_url)
    ws = _workspace(tmp_path, settings)
    init_db(pg_url)
    Lease(ttl_s=60, clock=clock, host="worker-host-2", pid=4242).acquire()
    worker = Worker(ws, settings, WorkerOptions(once=True), clock=clock,
                    components=_factory(SlowPoster(clock, block=False), []))
    assert worker.run() == EXIT_LEASE_HELD
    assert read_lease().host == "worker-host-2"
