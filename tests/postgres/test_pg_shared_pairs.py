"""Issue 18: workers on several hosts share a workspace's pairs through their leases, with no
coordinator of our own. Two `ml-connector worker --share` processes stand for two hosts (each
gives its own host name in its leases, ML_CONNECTOR_HOST), over four pairs kept in schemas of one
PostgreSQL database: both run some pairs; one host is killed -9 with every pair's worker it ran
(its process group, as a power cut would); the other takes its pairs over once their leases
expire ([worker] lease_ttl_s), never before, and within the TTL plus a small bound."""
from __future__ import annotations

import json
import signal
import time
from collections import Counter

from core.clock import SYSTEM_CLOCK
from core.store.db import close_db
from sandbox.gp import GPStandIn
from tests.core.pairs_env import close_pairs, kill_group
from tests.postgres.shared_env import leases, make_pg_pair, pair_names, start_sharing
from tests.sandbox.demo_support import wait_for
from tui.cli import main

TTL_S = 6
# After the TTL: a look every 2 s, per pair the survivor already runs a 2 s wait (+ up to 2 s),
# and the started worker's own start-up (imports, first database round) on a busy machine.
BOUND_S = 30


def _holders(envs) -> dict[str, str | None]:
    """Which host holds each pair's live lease (None: nobody)."""
    now = SYSTEM_CLOCK.now()
    return {name: (info.host if info is not None and info.alive(now) else None)
            for name, info in leases(envs).items()}


def test_a_killed_hosts_pairs_are_taken_over_by_the_other_host_after_their_lease_ttl(
        tmp_path, pg_url, capsys):
    gp = GPStandIn(tmp_path / "gp", seed=31)
    gp.start()
    folder = tmp_path / "ws"
    envs = {name: make_pg_pair(tmp_path, folder, name, i, pg_url=pg_url, gp=gp, seed=31 + i,
                               lease_ttl_s=TTL_S)
            for i, name in enumerate(pair_names(4))}
    logs = {host: (tmp_path / f"{host}.log").open("w") for host in ("host-a", "host-b")}
    workers = {}
    try:
        workers = {host: start_sharing(folder, log, host) for host, log in logs.items()}

        def text(host: str) -> str:
            return (tmp_path / f"{host}.log").read_text()

        def shared() -> bool:
            held = Counter(_holders(envs).values())
            return None not in held and held["host-a"] >= 1 and held["host-b"] >= 1

        assert wait_for(shared, timeout_s=90), (_holders(envs), text("host-a")[-3000:],
                                                text("host-b")[-3000:])
        kill_group(workers["host-a"])  # host-a dies with every pair's worker it ran
        killed_at = time.monotonic()
        orphaned = {name: info for name, info in leases(envs).items()
                    if info is not None and info.host == "host-a"}
        assert orphaned
        assert wait_for(lambda: set(_holders(envs).values()) == {"host-b"},
                        timeout_s=TTL_S + BOUND_S + 30), (_holders(envs), text("host-b")[-3000:])
        took = time.monotonic() - killed_at
        after = leases(envs)
        for name, before in orphaned.items():
            # taken only once host-a's lease had expired: never two holders at once
            assert after[name].started_at >= before.expires_at, (name, before, after[name])
        assert took <= TTL_S + BOUND_S, took
        capsys.readouterr()
        assert main(["pairs", "--workspace", str(folder), "--json"]) == 0  # who runs which
        rows = json.loads(capsys.readouterr().out)
        assert {r["pair"]: r.get("worker_host") for r in rows} == dict.fromkeys(envs, "host-b")
        workers["host-b"].send_signal(signal.SIGTERM)
        assert workers["host-b"].wait(timeout=90) == 0
        log_b = text("host-b")
        # a worker that found the lease taken first is no crash: no pause, no warning
        assert "worker stopped (exit 3)" not in log_b
        assert "sharing 4 pairs" in log_b
        assert all(_holders(envs)[name] is None for name in envs)  # released at the stop
        print(f"host-a held {sorted(orphaned)}; host-b held all 4 pairs {took:.1f} s after "
              f"host-a was killed (lease TTL {TTL_S} s)")
    finally:
        for worker in workers.values():
            if worker.poll() is None:
                kill_group(worker)
        for log in logs.values():
            log.close()
        close_db()
        close_pairs(list(envs.values()))
