"""Three pairs posting from one `ml-connector worker`, killed with -9 while every pair is
posting (issue 17): restarted, each pair's orders are in its own GP company exactly once, none
missing, none doubled. Killed twice: the whole process group (what a service manager does), then
only the supervisor (its pairs' workers notice it is gone and stop by themselves)."""
from __future__ import annotations

import os
import signal
from pathlib import Path

from core.store.db import close_db
from tests.core.pairs_env import (
    all_posted,
    eligible_orders,
    invoice_counts,
    kill_group,
    order_states,
    start_pair,
    start_worker,
)
from tests.core.pipeline_env import Env
from tests.sandbox.demo_support import wait_for

PAIRS = ("default", "retail", "wholesale")
ORDERS = 24


def _all_busy(envs: list[Env], expected: list[dict[str, object]]) -> bool:
    """Every pair has posted something and none has finished: all three are mid-posting."""
    counts = [invoice_counts(env) for env in envs]
    return all(c for c in counts) and not any(
        set(want) <= set(c) for c, want in zip(counts, expected, strict=True))


def _started(path: Path) -> int:
    """How many pair workers have started so far (each says so once it holds its lease)."""
    return path.read_text().count("ml_connector.worker: worker started (headless)")


def _total(envs: list[Env]) -> int:
    return sum(sum(invoice_counts(env).values()) for env in envs)


def _log(path: Path) -> str:
    return path.read_text()[-4000:]


def test_kill_9_while_three_pairs_post_leaves_each_pairs_invoices_exactly_once(tmp_path):
    folder = tmp_path / "ws"
    envs = [start_pair(tmp_path, folder, name, seed=31 + i) for i, name in enumerate(PAIRS)]
    try:
        for env in envs:  # every GP call takes a while: posts are in flight when killed
            env.gp_faults(latency_ms=150)
        log_path = tmp_path / "worker.log"
        with log_path.open("w") as log:
            worker = start_worker(folder, log)
            for env in envs:
                env.woo_control("POST", "activity", {"orders": ORDERS})
            expected = [eligible_orders(env) for env in envs]
            assert all(expected)
            assert wait_for(lambda: _all_busy(envs, expected), timeout_s=120), _log(log_path)
            kill_group(worker)  # kill -9: the supervisor and every pair's worker at once
            killed_at = [sum(invoice_counts(env).values()) for env in envs]
            # what each pair had in flight (number committed, GP call maybe made) at the kill
            in_flight = [order_states(env)["posting"] + order_states(env)["ready"]
                         for env in envs]

            worker = start_worker(folder, log)
            # every pair's new worker is up (GP calls made before the kill may still have
            # landed since), then posts more: the supervisor alone is killed mid-posting
            assert wait_for(lambda: _started(log_path) >= 2 * len(PAIRS), timeout_s=120), \
                _log(log_path)
            before = _total(envs)
            assert wait_for(lambda: _total(envs) > before, timeout_s=120), _log(log_path)
            os.kill(worker.pid, signal.SIGKILL)  # the supervisor alone: its pairs stop
            worker.wait(timeout=30)

            worker = start_worker(folder, log)
            assert wait_for(lambda: all(all_posted(env, want) for env, want in
                                        zip(envs, expected, strict=True)),
                            timeout_s=240), _log(log_path)
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=90) == 0
        text = log_path.read_text()
        assert "the pairs' supervisor is gone" in text
        for env, want, at_kill, flying in zip(envs, expected, killed_at, in_flight,
                                          strict=True):
            counts = invoice_counts(env)
            doubled = {po: n for po, n in counts.items() if n > 1}
            assert not doubled, f"{env.ws.db_path}: invoices doubled in GP: {doubled}"
            assert set(counts) == set(want), f"missing: {set(want) - set(counts)}"
            states = order_states(env)
            assert states["posting"] == 0 and states["failed"] == 0
            assert states["verified"] >= len(want)
            print(f"{env.ws.db_path.parent.name}: {len(want)} orders, {at_kill} in GP and "
                  f"{flying} in flight at the kill, each exactly once after the restarts")
    finally:
        close_db()
        for env in envs:
            env.close()
