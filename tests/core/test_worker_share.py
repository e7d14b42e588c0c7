"""`ml-connector worker --share` on SQLite (issue 18): two sharing worker processes on one host
over a workspace of two pairs, each pair's state its own state.db. Each pair is run by exactly
one of them; when one is killed -9 with its pairs' workers, the other takes its pair over at once
(on the same host a dead holder's pid is seen gone: no waiting out the lease TTL)."""
from __future__ import annotations

import re
import signal
import time

from core.clock import SYSTEM_CLOCK
from core.store.db import close_db
from core.worker.pair_leases import read_pair_lease
from tests.core.pairs_env import close_pairs, kill_group, start_pair, start_worker
from tests.sandbox.demo_support import wait_for
from tui.cli import main


def test_two_sharing_workers_on_sqlite_run_each_pair_once_and_take_over_a_killed_ones(tmp_path):
    folder = tmp_path / "ws"
    ttl_s = 30  # long: a takeover after it expired would show
    envs = [start_pair(tmp_path, folder, name, seed=seed, posting={"worker.lease_ttl_s": ttl_s})
            for name, seed in (("default", 61), ("second", 62))]
    logs = [(tmp_path / f"worker-{n}.log").open("w") for n in range(2)]
    workers = []
    try:
        workers = [start_worker(folder, log, "--share") for log in logs]

        def pids() -> list[int | None]:
            now = SYSTEM_CLOCK.now()
            found = [read_pair_lease(env.ws.db_path) for env in envs]
            return [i.pid if i is not None and i.alive(now) else None for i in found]

        def started_by(n: int) -> set[int]:
            """The pairs' workers supervisor n started (its log; other lines name pids too:
            "headless worker on vm (pid N) took it first" is another supervisor's)."""
            text = (tmp_path / f"worker-{n}.log").read_text()
            return {int(pid) for pid in re.findall(r"worker started \(pid (\d+)\)", text)}

        assert wait_for(lambda: None not in pids() and set(pids()) <= started_by(0) | started_by(1),
                        timeout_s=90)
        held = pids()
        victim = next(n for n in range(2) if started_by(n) & set(held))
        kill_group(workers[victim])
        killed_at = time.monotonic()
        survivor = 1 - victim
        # reserved by the survivor (its own pid) or held by a worker it started
        assert wait_for(lambda: set(pids()) <= {workers[survivor].pid, *started_by(survivor)},
                        timeout_s=90)
        took = time.monotonic() - killed_at
        # the dead holder was seen gone at once: a heartbeat renews the lease every TTL/3, so
        # waiting for it to expire would have taken at least 2/3 of the TTL
        assert took < ttl_s * 2 / 3, took
        assert wait_for(lambda: None not in pids() and set(pids()) <= started_by(survivor),
                        timeout_s=90)
        workers[survivor].send_signal(signal.SIGTERM)
        assert workers[survivor].wait(timeout=90) == 0
        assert pids() == [None, None]  # released at the stop
        assert "worker stopped (exit 3)" not in started_by(survivor)
        print(f"lease TTL {ttl_s} s; the surviving worker ran both pairs {took:.1f} s after the "
              "other was killed")
    finally:
        for worker in workers:
            if worker.poll() is None:
                kill_group(worker)
        for log in logs:
            log.close()
        close_db()
        close_pairs(envs)


def test_share_refuses_once_dry_run_and_wait(tmp_path, capsys):
    for flag in ("--once", "--dry-run", "--wait"):
        assert main(["worker", "--workspace", str(tmp_path), "--share", flag]) == 2
        assert "--share runs until stopped" in capsys.readouterr().err
