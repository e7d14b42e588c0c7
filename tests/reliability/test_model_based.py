"""A Hypothesis state machine over the whole flow against the real stand-ins (reliability.md §8
promise 24, issue 14 "Also"): new orders, intake, posting, refunds, status changes, replays, GP
dropping responses after commit, and the posting process killed with SIGKILL at random points.
After every step: at most one GP invoice per WooCommerce order and one credit document per refund,
GP's total equals WooCommerce's for every verified order, and the audit chain is intact. At the end
(quiescence): every invoiceable order is in GP exactly once.

The budget is small on purpose (two examples of six steps, well under a minute): CI runs it on
every push; a longer run is `ML_MODEL_EXAMPLES=50 pytest tests/reliability/test_model_based.py`.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from core.replay import replay_orders
from core.store import audit
from core.store.db import close_db, init_db
from core.store.models import Job, Order
from tests.core.pipeline_env import (
    PASSWORD_ENV,
    WOO_KEY_ENV,
    WOO_SECRET_ENV,
    eligible_orders,
    start_env,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("ML_MODEL_EXAMPLES", "2"))
CRASH_POINTS = "after_record,before_create,after_create,after_posted,before_complete"


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="ml-model-"))
        self.env = start_env(self.root, orders=4, seed=len(str(self.root)))
        self.env.refresh_items()
        self.runner = self.env.runner(concurrency=2)
        self.kills = 0

    # --- the shop -------------------------------------------------------------------------
    @rule(n=st.integers(1, 3))
    def new_orders(self, n: int) -> None:
        self.env.woo_control("POST", "activity", {"orders": n})

    @rule()
    def refund(self) -> None:
        self.env.woo_control("POST", "activity", {"refunds": 1})

    @rule()
    def status_change(self) -> None:
        self.env.woo_control("POST", "activity", {"status_changes": 1})

    # --- the connector --------------------------------------------------------------------
    @rule()
    def intake(self) -> None:
        self.env.ingest()

    @rule(drop=st.sampled_from([0.0, 0.0, 0.4]))
    def post(self, drop: float) -> None:
        if drop:
            self.env.gp_faults(drop_after_commit_rate=drop, seed=self.kills + 1)
        try:
            self.runner.run_until_idle()
        finally:
            if drop:
                self.env.gp_clear_faults()

    @rule()
    def replay(self) -> None:
        replay_orders(held=True, failed=True, actor="model-test")

    @precondition(lambda self: self.kills < 2)
    @rule(seed=st.integers(0, 1000))
    def kill_9_while_posting(self, seed: int) -> None:
        close_db()  # the worker process owns the database meanwhile
        env = dict(os.environ)
        env.update({PASSWORD_ENV: self.env.gp.password, WOO_KEY_ENV: self.env.shop.consumer_key,
                    WOO_SECRET_ENV: self.env.shop.consumer_secret,
                    "ML_CONNECTOR_CRASH": f"{seed}:0.3:{CRASH_POINTS}"})
        done = subprocess.run(
            [sys.executable, "-m", "core.pipeline.cli", "--workspace",
             str(self.env.ws.db_path.parent), "--gp-password-env", PASSWORD_ENV,
             "--woo-key-env", WOO_KEY_ENV, "--woo-secret-env", WOO_SECRET_ENV,
             "--concurrency", "2"], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=120)
        assert done.returncode in (0, -signal.SIGKILL), done.stderr[-2000:]
        self.kills += done.returncode == -signal.SIGKILL
        init_db(self.env.ws.db_path)

    # --- invariants -------------------------------------------------------------------------
    def _gp(self) -> dict:
        return self.env.gp.state()

    @invariant()
    def at_most_one_gp_document_each(self) -> None:
        gp = self._gp()
        per_po = Counter(d["po"] for d in gp["invoices"])
        assert all(n == 1 for n in per_po.values()), per_po
        credit_docs = Counter(d["number"] for d in gp["credit_memos"] + gp["returns"])
        assert all(n == 1 for n in credit_docs.values()), credit_docs

    @invariant()
    def verified_totals_match(self) -> None:
        by_po = {d["po"]: d for d in self._gp()["invoices"]}
        for order in Order.select().where(Order.state == "verified"):
            doc = by_po.get(order.number)
            assert doc is not None, order.number
            assert Decimal(doc["total"]) == order.gp_total == order.total, order.number

    @invariant()
    def audit_chain_intact(self) -> None:
        report = audit.verify_chain()
        assert report.ok, report

    def teardown(self) -> None:
        try:
            # Quiescence: no faults, every backoff due now, post until nothing is left.
            self.env.gp_clear_faults()
            self.env.ingest()
            for _ in range(6):
                Job.update(run_at=Job.created_at).where(Job.status == "queued").execute()
                self.runner.run_until_idle()
                if not Job.select().where(Job.status == "queued").exists():
                    break
            expected = eligible_orders(self.env)
            per_po = Counter(d["po"] for d in self._gp()["invoices"])
            assert all(n == 1 for n in per_po.values()), per_po
            assert set(expected) <= set(per_po), set(expected) - set(per_po)
            self.audit_chain_intact()
        finally:
            self.env.close()
            close_db()
            shutil.rmtree(self.root, ignore_errors=True)


SyncMachine.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=6, deadline=None, derandomize=True,
    suppress_health_check=list(HealthCheck))
test_sync_model = SyncMachine.TestCase
