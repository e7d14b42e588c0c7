"""Issue 18's exactly-once suite on PostgreSQL: THREE `ml-connector worker --share` processes
share TEN pairs (each pair's state a schema of one PostgreSQL database), the GP stand-in loses
~10 % of its answers after committing (drop_after_commit_rate), and the worker processes are
killed -9 with every pair's worker they ran (their process group) at random moments and started
again, until every pair is idle. Then every eligible order of every pair is in GP exactly once
(no duplicate), and verified.

The three processes run on this one machine (one host name): a killed process's pairs are free
at once (its workers' pids are gone) and its posting jobs are given back by whichever worker
takes the pair next (recover_orphans); that next attempt reads GP before posting. The takeover
across hosts, after the lease TTL, is test_pg_shared_pairs.
"""
from __future__ import annotations

import random
import re
import signal
import time
from collections import Counter

import pytest

from core.clock import SYSTEM_CLOCK
from core.store.db import close_db
from core.store.models import AuditEvent
from core.store.postgres import open_postgres
from sandbox.gp import GPStandIn
from tests.core.pairs_env import close_pairs, kill_group
from tests.core.pipeline_env import eligible_orders
from tests.postgres.shared_env import (
    LETTERS,
    leases,
    make_pg_pair,
    pair_names,
    pair_progress,
    start_sharing,
)
from tests.sandbox.demo_support import wait_for

PAIRS = 10
SUPERVISORS = 3
ORDERS = 12  # a pair
KILLS = 4
STARTED = re.compile(r"pair (\S+): worker started \(pid (\d+)\)")


def _dedupes(env) -> int:
    """Documents found already in GP after a lost answer or a kill, instead of created again."""
    db = open_postgres(env.settings.store.database_url)
    try:
        db.connect()
        return AuditEvent.select().where((AuditEvent.kind == "dedupe") & AuditEvent.message
                                         .contains("already holds")).bind(db).count()
    finally:
        db.close()


@pytest.mark.exactly_once
def test_exactly_once_suite_three_sharing_workers_ten_pairs_killed_with_lost_gp_answers(
        tmp_path, pg_url):
    gp = GPStandIn(tmp_path / "gp", seed=51)
    gp.start()
    folder = tmp_path / "ws"
    names = pair_names(PAIRS)
    envs = {name: make_pg_pair(tmp_path, folder, name, i, pg_url=pg_url, gp=gp, seed=51 + i)
            for i, name in enumerate(names)}
    rng = random.Random(18)
    logs = [(tmp_path / f"worker-{slot}.log").open("a") for slot in range(SUPERVISORS)]
    workers = []
    try:
        envs[names[0]].gp_faults(drop_after_commit_rate=0.1, seed=18)
        began = time.monotonic()
        workers = [start_sharing(folder, log) for log in logs]
        for env in envs.values():  # customers order in every shop
            env.woo_control("POST", "activity", {"orders": ORDERS})
        expected = {name: eligible_orders(env) for name, env in envs.items()}
        assert all(expected.values())
        first_share: list[Counter[int]] = []
        kills: list[float] = []
        next_kill = [time.monotonic() + rng.uniform(4, 8)]

        def idle() -> bool:
            for name, env in envs.items():
                states, waiting = pair_progress(env)
                if waiting or states["verified"] < len(expected[name]):
                    return False
            return True

        def step() -> bool:
            if not first_share:
                share = _share(tmp_path, envs)
                if sum(share.values()) >= PAIRS:
                    first_share.append(share)
            if len(kills) < KILLS and time.monotonic() >= next_kill[0]:
                slot = rng.randrange(SUPERVISORS)
                kill_group(workers[slot])  # the host's service dies with its pairs' workers
                workers[slot] = start_sharing(folder, logs[slot])  # and is started again
                kills.append(time.monotonic() - began)
                next_kill[0] = time.monotonic() + rng.uniform(3, 8)
                return False
            return len(kills) >= KILLS and idle()

        assert wait_for(step, timeout_s=240, every_s=0.5), (
            {name: pair_progress(env) for name, env in envs.items()},
            (tmp_path / "worker-0.log").read_text()[-4000:])
        took = time.monotonic() - began
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        assert [worker.wait(timeout=90) for worker in workers] == [0] * SUPERVISORS
        numbers = Counter(str(doc["number"]) for doc in gp.state()["invoices"])
        assert {n: c for n, c in numbers.items() if c > 1} == {}  # not one duplicate
        want = {f"{LETTERS[i]}{number}" for i, name in enumerate(names)
                for number in expected[name]}
        assert set(numbers) == want, (want - set(numbers), set(numbers) - want)
        for name, env in envs.items():
            states, waiting = pair_progress(env)
            assert states["verified"] == len(expected[name]) and waiting == 0, (name, states)
        dedupes = sum(_dedupes(env) for env in envs.values())
        assert dedupes >= 1  # lost answers were found in GP, not posted again
        text = "".join((tmp_path / f"worker-{s}.log").read_text() for s in range(SUPERVISORS))
        assert "worker stopped (exit 3)" not in text  # a lost race is no crash
        assert first_share and len(first_share[0]) == SUPERVISORS, first_share
        print(f"{PAIRS} pairs, {len(want)} orders, {SUPERVISORS} sharing workers, kills at "
              f"{', '.join(f'{k:.0f}' for k in kills)} s, all idle after {took:.0f} s; "
              f"first share of the pairs {sorted(first_share[0].values(), reverse=True)}; "
              f"{dedupes} documents found in GP instead of posted again; "
              f"{text.count('took the lease first')} lost races")
    finally:
        for worker in workers:
            if worker.poll() is None:
                kill_group(worker)
        for log in logs:
            log.close()
        close_db()
        close_pairs(list(envs.values()))


def _share(tmp_path, envs) -> Counter[int]:
    """How many pairs each sharing process runs now: the pid in each pair's live lease, found
    among the workers each process started (its log)."""
    slot_of = {}
    for slot in range(SUPERVISORS):
        for _name, pid in STARTED.findall((tmp_path / f"worker-{slot}.log").read_text()):
            slot_of[int(pid)] = slot
    now = SYSTEM_CLOCK.now()
    return Counter(slot_of.get(info.pid, -1) for info in leases(envs).values()
                   if info is not None and info.alive(now))
