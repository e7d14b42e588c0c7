"""Exactly once into GP with three worker processes sharing one PostgreSQL state, killed -9.

Three `python -m core.pipeline.cli` processes run at once on one PostgreSQL database (named in
the workspace's `[store] database_url`), claiming jobs with FOR UPDATE SKIP LOCKED; each
SIGKILLs itself at random state transitions (ML_CONNECTOR_CRASH, core/pipeline/context.py) and
is started again until the queue is idle. Every eligible order must then be in GP exactly once.
A killed process's jobs are freed by the next process on this host (recover_orphans); the
read-before-post makes that second attempt safe.
"""
from __future__ import annotations

import json
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from core.store.db import close_db, init_db
from core.store.models import AuditEvent, Job, Order
from tests.core.pipeline_env import eligible_orders, invoices_by_po, pipeline_worker, start_env

ROOT = Path(__file__).resolve().parents[2]
CRASH_POINTS = "after_record,before_create,after_create,after_posted,before_complete"
WORKERS = 3


def _start_worker(env, crash: str | None) -> subprocess.Popen:
    argv, child_env = pipeline_worker(env, crash, 2)
    return subprocess.Popen(argv, cwd=ROOT, env=child_env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_three_workers_killed_at_random_leave_every_invoice_exactly_once(tmp_path, pg_url):
    env = start_env(tmp_path, orders=90, seed=11, database=pg_url)
    try:
        env.settings.store.database_url = pg_url
        env.ws.save(env.settings)
        assert env.ingest() == 90
        assert env.refresh_items() > 0
        expected = eligible_orders(env)
        close_db()  # the worker processes own the database now
        kills = 0
        finished: list[int] = []  # jobs done by each process that ran to its end
        for attempt in range(40):
            rate = 0.05 if attempt < 2 else 0.006
            # The first round dies right after GP took its first document, for sure: some
            # invoice is then in GP but not in our state, which the read-before-post must find.
            crash = [f"{i}:1.0:after_create" if attempt == 0
                     else f"{attempt * WORKERS + i}:{rate}:{CRASH_POINTS}"
                     for i in range(WORKERS)]
            procs = [_start_worker(env, spec) for spec in crash]
            results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
            for code, out, err in results:
                assert code in (0, -signal.SIGKILL), err[-2000:]
                if code == 0:
                    finished.append(json.loads(out.strip().splitlines()[-1])["done"])
            kills += sum(code == -signal.SIGKILL for code, _, _ in results)
            if all(code == 0 for code, _, _ in results):
                break
        else:
            pytest.fail("the workers never finished")
        clean = _start_worker(env, None)  # one more pass with no crash: nothing left to do
        out, err = clean.communicate(timeout=300)
        assert clean.returncode == 0, err[-2000:]
        assert json.loads(out.strip().splitlines()[-1])["done"] == 0
        assert kills >= 3, "too few crashes to prove anything"
        print(f"{len(expected)} orders, {WORKERS} workers, {attempt + 1} rounds, {kills} kills, "
              f"jobs done by the processes that finished: {finished}")
        by_po = invoices_by_po(env)
        assert {po: len(d) for po, d in by_po.items() if len(d) > 1} == {}
        assert set(by_po) == set(expected), (set(expected) - set(by_po), set(by_po) - set(expected))
        init_db(pg_url)
        states = Counter(o.state for o in Order.select())
        assert states["verified"] == len(expected), states
        assert Job.select().where(Job.status.in_(("queued", "leased"))).count() == 0
        # Some documents were found in GP after a crash instead of being created again.
        assert AuditEvent.select().where((AuditEvent.kind == "dedupe") & AuditEvent.message
                                         .contains("already holds")).count() >= 1
        # The work was shared: several processes that ran to their end had done jobs.
        assert sum(1 for done in finished if done > 0) >= 2, finished
    finally:
        env.close()
        close_db()
