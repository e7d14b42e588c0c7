"""Two WooCommerce changes in the same second share `date_modified_gmt`.

The second snapshot cannot be ordered against the stored one, so intake must not drop it as
"not newer" (that change would be lost until a later one): it keeps the stored row and queues the
posting job, whose REST re-read (the pipeline's real `store_fresh`) brings in the truth. Webhook
deliveries are shuffled against the shop's changes and the pipeline's runs.
"""
from __future__ import annotations

import copy
import random
from types import SimpleNamespace
from typing import Any

import pytest

from core.clock import ManualClock
from core.intake.inbox import accept_order_snapshot
from core.pipeline.post_order import store_fresh
from core.replay import ORDER_JOB
from core.secrets.keys import ENV_VAR
from core.store import queue
from core.store.db import close_db
from core.store.models import AuditEvent, Job, Order
from tests.core.intake_helpers import make_workspace, order_payload

T0, T1 = "2026-11-27T10:00:00", "2026-11-27T10:00:05"


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    make_workspace(tmp_path / "ws")
    yield
    close_db()


def _changes(woo_id: int) -> list[dict[str, Any]]:
    """What the shop does to one order: created, then paid and completed in the same second."""
    return [order_payload(woo_id, T0, status="pending", total="10.00"),
            order_payload(woo_id, T1, status="processing", total="10.00"),
            order_payload(woo_id, T1, status="completed", total="10.00")]


def _run_pipeline(truth: dict[int, dict[str, Any]], clock: ManualClock) -> int:
    """Each queued order job re-reads the order from 'REST' (the shop's state now)."""
    ctx = SimpleNamespace(actor="worker", clock=clock)
    ran = 0
    while jobs := queue.claim("test", limit=50, clock=clock, kinds=(ORDER_JOB,)):
        for job in jobs:
            woo_id = int(job.key.split(":", 1)[1])
            store_fresh(ctx, Order.get(Order.woo_id == woo_id),  # type: ignore[arg-type]
                        copy.deepcopy(truth[woo_id]))
            assert queue.complete(job.id, "test", clock=clock)
            ran += 1
    return ran


def test_a_same_second_change_delivered_after_the_reread_is_not_lost(db):
    clock = ManualClock()
    created, paid, completed = _changes(11)
    truth = {11: paid}
    assert accept_order_snapshot(created, source="webhook", clock=clock)
    assert accept_order_snapshot(paid, source="webhook", clock=clock)
    assert _run_pipeline(truth, clock) == 1  # the job read "processing": done
    truth[11] = completed  # the shop completes the order in the same second
    assert accept_order_snapshot(completed, source="webhook", clock=clock)
    order = Order.get(Order.woo_id == 11)
    assert order.status == "processing"  # not overwritten: which one is newer is unknown
    assert Job.get().status == "queued"  # ...but the pipeline will look again
    assert AuditEvent.select().where(AuditEvent.data.contains("same_second")).count() == 1
    assert _run_pipeline(truth, clock) == 1
    assert Order.get(Order.woo_id == 11).payload == completed


def test_the_same_snapshot_again_and_older_ones_change_nothing(db):
    clock = ManualClock()
    created, paid, _ = _changes(12)
    assert accept_order_snapshot(paid, source="poll", clock=clock)
    assert _run_pipeline({12: paid}, clock) == 1
    events = AuditEvent.select().count()
    assert not accept_order_snapshot(copy.deepcopy(paid), source="webhook", clock=clock)
    relinked = dict(paid, _links={"self": [{"href": "https://shop.example.test/x"}]})
    assert not accept_order_snapshot(relinked, source="webhook", clock=clock)  # REST decoration
    assert not accept_order_snapshot(created, source="webhook", clock=clock)
    assert Job.get().status == "done" and AuditEvent.select().count() == events
    assert Order.get(Order.woo_id == 12).status == "processing"


@pytest.mark.parametrize("seed", range(6))
def test_shuffled_deliveries_always_end_on_the_shops_truth(db, seed):
    clock = ManualClock()
    rng = random.Random(seed)
    for woo_id in range(100, 130):  # one order per interleaving
        changes = _changes(woo_id)
        truth: dict[int, dict[str, Any]] = {}
        made, in_flight, stored_stamps = 0, [], []
        while made < len(changes) or in_flight:
            actions = (["change"] if made < len(changes) else []) + \
                (["deliver"] if in_flight else []) + (["run"] if truth else [])
            action = rng.choice(actions)
            if action == "change":
                truth[woo_id] = changes[made]
                in_flight.append(copy.deepcopy(changes[made]))
                made += 1
            elif action == "deliver":  # webhooks arrive late, duplicated, out of order
                snapshot = in_flight.pop(rng.randrange(len(in_flight)))
                if rng.random() < 0.2:
                    in_flight.append(copy.deepcopy(snapshot))
                accept_order_snapshot(snapshot, source="webhook", clock=clock)
            else:
                _run_pipeline(truth, clock)
            row = Order.get_or_none(Order.woo_id == woo_id)
            if row is not None:
                stored_stamps.append(row.modified_gmt)
        _run_pipeline(truth, clock)
        assert stored_stamps == sorted(stored_stamps), "an older snapshot overwrote a newer one"
        assert Order.get(Order.woo_id == woo_id).payload == changes[-1], (seed, woo_id)
