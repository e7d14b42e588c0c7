"""A worker frozen past its lease (SIGSTOP) wakes up next to the worker that took over: it claims
nothing, creates nothing in GP and exits 5. Real processes, real stand-ins, real NTLM.

Attribution without guessing: once the second worker holds the lease it is frozen too, so every
GP document created while the first one runs again can only be the first one's.
"""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import apsw
import httpx

from core.store.db import close_db, init_db
from core.store.models import Order
from core.worker.lease import read_lease
from tests.sandbox.demo_support import ROOT, stand_ins, wait_for
from tui.demo.setup import SandboxControl, prepare_workspace

WORKER = ("worker", "--no-webhooks", "--no-products", "--log-format", "json")
TTL_S = 3  # the smallest lease the worker accepts: the takeover happens within seconds


def _worker(root: str, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    # Output to a file, never a pipe: a frozen reader must not block the worker's logging.
    out = log.open("wb")
    return subprocess.Popen([sys.executable, "-m", "tui.cli", "--workspace", root, *WORKER,
                             *extra], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=out, stderr=subprocess.STDOUT)


def _invoices(control: SandboxControl) -> int:
    return len(control.gp_state()["invoices"])


def _settled(control: SandboxControl) -> int:
    """GP's invoice count once it stopped moving (a create sent just before a freeze lands
    within GP's latency): unchanged across ten reads 100 ms apart."""
    seen = [_invoices(control)]

    def steady() -> bool:
        seen.append(_invoices(control))
        return len(seen) > 10 and len(set(seen[-10:])) == 1

    assert wait_for(steady, 30, every_s=0.1)
    return seen[-1]


def _freeze_between_writes(proc: subprocess.Popen[bytes], db_path: Path) -> None:
    """SIGSTOP the worker at a moment it holds no SQLite write lock. Frozen inside a write
    transaction it would block every writer (SQLite's lock, not the lease: nothing can take over
    then, fenced or not), which is not the case under test. Taking the write lock first waits for
    the worker's current write to commit; frozen then, it holds none."""
    conn = apsw.Connection(str(db_path))
    conn.set_busy_timeout(30_000)
    try:
        conn.execute("BEGIN IMMEDIATE")
        proc.send_signal(signal.SIGSTOP)
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def test_frozen_worker_posts_nothing_after_takeover_and_exits_5(tmp_path):
    with stand_ins(tmp_path) as (box, ep):
        ws, settings = prepare_workspace(tmp_path / "ws", ep)
        settings = dataclasses.replace(
            settings, worker=dataclasses.replace(settings.worker, lease_ttl_s=TTL_S))
        ws.save(settings)
        root = str(ws.config_path.parent)
        control = SandboxControl(ep)
        assert len(control.activity(orders=12)["orders"]) == 12
        # A slow GP: documents are certainly in flight when the first worker is frozen.
        faults = f"{box.gp.base_url}/_sandbox/faults"
        httpx.post(faults, json={"latency_ms": 250}).raise_for_status()
        init_db(ws.db_path)

        first = _worker(root, tmp_path / "first.log")
        second: subprocess.Popen[bytes] | None = None
        try:
            assert wait_for(lambda: _invoices(control) >= 2, 120), "the first worker posted nothing"
            _freeze_between_writes(first, ws.db_path)
            second = _worker(root, tmp_path / "second.log", "--wait")
            took_over = wait_for(lambda: (read_lease() or 0) and read_lease().pid == second.pid,
                                 60)
            assert took_over, (tmp_path / "second.log").read_text()
            second.send_signal(signal.SIGSTOP)
            # GP may still be finishing a create the first worker sent before it froze.
            httpx.delete(faults).raise_for_status()
            before = _settled(control)

            first.send_signal(signal.SIGCONT)
            assert first.wait(timeout=60) == 5, (tmp_path / "first.log").read_text()[-3000:]
            assert _invoices(control) == before, "the fenced worker created a GP document"
            log = (tmp_path / "first.log").read_text()
            assert "lease was lost" in log

            second.send_signal(signal.SIGCONT)
            eligible = {o.woo_id for o in Order.select()
                        if o.status in ("processing", "completed")}
            assert wait_for(lambda: eligible <= {o.woo_id for o in Order.select().where(
                Order.state.in_(("posted", "verified", "held")))}, 120)
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=60) == 0, (tmp_path / "second.log").read_text()[-3000:]
        finally:
            for proc in (first, second):
                if proc is not None and proc.poll() is None:
                    proc.send_signal(signal.SIGCONT)
                    proc.kill()
                    proc.wait()
        gp = control.gp_state()
        control.close()
        numbers = Counter(d["number"] for d in gp["invoices"])
        assert all(n == 1 for n in numbers.values()), numbers
        close_db()
