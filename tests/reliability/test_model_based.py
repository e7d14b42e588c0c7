"""A Hypothesis state machine over the whole flow against the real stand-ins (reliability.md §8
promise 24, issue 14 "Also"): new orders, intake, posting, refunds, status changes, replays, GP
dropping responses after commit, the posting process killed with SIGKILL at random points, and
the vault's key rotated (`credentials rotate-key`, whole or finishing an interrupted one) while
the posting process reads its GP and WooCommerce credentials from that vault.
After every step (Hypothesis runs each @invariant after every rule): at most one GP invoice per
WooCommerce order and one credit document per refund, GP's total equals WooCommerce's for every
verified order, the audit chain is intact, and every stored secret decrypts to what was stored
under a single live key. At the end (quiescence): every invoiceable order is in GP exactly once.

Budget: CI runs EXAMPLES examples of STEPS steps (about 30 s); `ML_CONNECTOR_DEEP=1` runs
1,000 examples (hours: nightly), `ML_MODEL_EXAMPLES=N` any other number.
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

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from core.replay import replay_orders
from core.secrets.keys import new_key
from core.secrets.vault import (
    GP_PASSWORD,
    WEBHOOK_SECRET,
    WOO_CONSUMER_KEY,
    WOO_CONSUMER_SECRET,
    create_key,
    open_vault,
)
from core.store import audit
from core.store.db import close_db, init_db
from core.store.models import Job, Order
from tests.core.pipeline_env import eligible_orders, start_env
from tui.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[2]
DEEP = os.environ.get("ML_CONNECTOR_DEEP") == "1"
EXAMPLES = int(os.environ.get("ML_MODEL_EXAMPLES", "1000" if DEEP else "6"))
STEPS = 12 if DEEP else 8
CRASH_POINTS = "after_record,before_create,after_create,after_posted,before_complete"


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="ml-model-"))
        self.env = start_env(self.root, orders=4, seed=len(str(self.root)))
        self.env.refresh_items()
        self.runner = self.env.runner(concurrency=2)
        self.kills = 0
        # The posting process reads its credentials from the vault, as in production.
        create_key(self.env.ws)
        vault = open_vault(self.env.ws)
        self.secrets = {GP_PASSWORD: self.env.gp.password,
                        WOO_CONSUMER_KEY: self.env.shop.consumer_key,
                        WOO_CONSUMER_SECRET: self.env.shop.consumer_secret,
                        WEBHOOK_SECRET: "ModelTestWebhookSecret0123456789abcdef"}
        for name, value in self.secrets.items():
            vault.set(name, value, "model-test")
        self.rotations = 0

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
        env["ML_CONNECTOR_CRASH"] = f"{seed}:0.3:{CRASH_POINTS}"
        done = subprocess.run(  # credentials from the vault, under whatever key it has now
            [sys.executable, "-m", "core.pipeline.cli", "--workspace",
             str(self.env.ws.db_path.parent), "--concurrency", "2"], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=120)
        assert done.returncode in (0, -signal.SIGKILL), done.stderr[-2000:]
        self.kills += done.returncode == -signal.SIGKILL
        init_db(self.env.ws.db_path)

    @precondition(lambda self: self.rotations < 3)
    @rule(interrupted=st.booleans())
    def rotate_key(self, interrupted: bool) -> None:
        """`credentials rotate-key`; or one killed after storing [new, old] and before
        re-encrypting (what a kill -9 mid-rotation leaves), finished by `rotate-key --finish`."""
        self.rotations += 1
        ws_dir = str(self.env.ws.db_path.parent)
        if interrupted:
            store = open_vault(self.env.ws).key_store
            store.save([new_key(), *store.load()])
            assert cli_main(["--workspace", ws_dir, "credentials", "rotate-key", "--finish"]) == 0
        else:
            assert cli_main(["--workspace", ws_dir, "credentials", "rotate-key"]) == 0
        init_db(self.env.ws.db_path)  # the command leaves the database as the test had it

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

    @invariant()
    def every_secret_decrypts_under_one_key(self) -> None:
        vault = open_vault(self.env.ws)  # as a fresh process would: from the key file
        assert {n: vault.get(n) for n in self.secrets} == self.secrets
        assert len(vault.key_store.load()) == 1  # rotation retired the old key

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
    max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=not DEEP,
    suppress_health_check=list(HealthCheck))
# the deep run takes hours: no per-test limit then
test_sync_model = pytest.mark.timeout(0 if DEEP else 300)(SyncMachine.TestCase)
