"""Exactly once into GP, the hard way: kill -9 mid-posting and responses lost after commit.

The worker runs as its own process (`python -m core.pipeline.cli`) that SIGKILLs itself at
random points between state transitions (ML_CONNECTOR_CRASH, see core/pipeline/context.py):
after the number is committed, just before the create, right after GP committed, after posting,
before the job is marked done. It is restarted until the queue is idle. Then every eligible order
must be in GP exactly once: none missing, none doubled.
"""
from __future__ import annotations

import json
import os
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


def _run_worker(env, crash: str | None) -> subprocess.CompletedProcess:
    argv, child_env = pipeline_worker(env, crash, os.environ.get("ML_TEST_CONC", "4"))
    return subprocess.run(argv, cwd=ROOT, env=child_env, capture_output=True, text=True,
                          timeout=300)


def test_kill_9_at_random_points_leaves_every_invoice_exactly_once(tmp_path) -> None:
    env = start_env(tmp_path, orders=300, seed=11)
    try:
        assert env.ingest() == 300
        assert env.refresh_items() > 0
        expected = eligible_orders(env)
        close_db()  # the worker process owns the database now
        kills = 0
        for attempt in range(60):
            # The first runs crash early for sure; later ones rarely, so the work gets done.
            rate = 0.05 if attempt < 3 else 0.006
            # The first run dies right after GP took its first document, for sure: an invoice
            # in GP but not in our state, which the read-before-post must find (not chance).
            crash = "0:1.0:after_create" if attempt == 0 else f"{attempt}:{rate}:{CRASH_POINTS}"
            done = _run_worker(env, crash)
            if done.returncode == 0:
                break
            assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
            kills += 1
        else:
            pytest.fail("the worker never finished")
        clean = _run_worker(env, None)  # one more pass with no crash: nothing left to do
        assert clean.returncode == 0, clean.stderr[-2000:]
        assert json.loads(clean.stdout.strip().splitlines()[-1])["done"] == 0
        assert kills >= 3, "too few crashes to prove anything"
        by_po = invoices_by_po(env)
        doubled = {po: len(d) for po, d in by_po.items() if len(d) > 1}
        assert doubled == {}
        assert set(by_po) == set(expected), (set(expected) - set(by_po), set(by_po) - set(expected))
        init_db(env.ws.db_path)
        states = Counter(o.state for o in Order.select())
        assert states["verified"] == len(expected), states
        assert Job.select().where(Job.status.in_(("queued", "leased"))).count() == 0
        # Some documents were found in GP after a crash instead of being created again.
        found = AuditEvent.select().where((AuditEvent.kind == "dedupe")
                                          & AuditEvent.message.contains("already holds")).count()
        assert found >= 1
    finally:
        env.close()
        close_db()


def test_responses_lost_after_commit_make_no_duplicate(tmp_path) -> None:
    env = start_env(tmp_path, orders=120, seed=12)
    try:
        env.ingest()
        env.refresh_items()
        runner = env.runner()
        env.gp_faults(drop_after_commit_rate=0.1, seed=4)
        for _ in range(10):  # lost responses are retried after a backoff: move time along
            runner.run_until_idle()
            if not Job.select().where(Job.status == "queued").count():
                break
            for job in Job.select().where(Job.status == "queued"):
                Job.update(run_at=job.created_at).where(Job.id == job.id).execute()
        expected = eligible_orders(env)
        by_po = invoices_by_po(env)
        assert {po: len(d) for po, d in by_po.items() if len(d) > 1} == {}
        assert set(by_po) == set(expected)
        # Each lost response was followed by a read of GP, never a blind re-post.
        reread = [e for e in AuditEvent.select().where(AuditEvent.kind == "dedupe")
                  if e.data and any("unknown outcome" in r or "on resume" in r
                                    for r in e.data.get("reads") or [])]
        assert reread, "no lost response was observed"
        assert Order.select().where(Order.state == "verified").count() == len(expected)
    finally:
        env.close()
        close_db()
