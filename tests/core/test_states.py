"""The state machine: allowed moves written once, illegal ones refused by the stored row; the
applied status change is a column (migration 3); typed GP errors; GP's Retry-After honoured."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from core.clock import ManualClock
from core.config import Settings
from core.errors import GPError, GPRefused, GPTransient, GPUnknownOutcome
from core.gp.http import status_error
from core.pipeline.changes import change
from core.pipeline.context import PipelineContext
from core.pipeline.result import StepResult
from core.store import audit, queue
from core.store.db import database
from core.store.dialect import set_schema_version
from core.store.migrations import LATEST, migrate_to_latest
from core.store.models import AuditEvent, Job, Order, Refund
from core.store.states import (
    JOB_LIFECYCLE,
    ORDER_LIFECYCLE,
    REFUND_LIFECYCLE,
    DocState,
    IllegalTransition,
    JobStatus,
    move,
)


def _ctx(clock: ManualClock) -> PipelineContext:
    # change() reads only the clock and the actor; no remote system is reached here.
    return PipelineContext(Settings(), gateway=None, woo=None, clock=clock,  # type: ignore[arg-type]
                           actor="test")


def _order(clock: ManualClock, woo_id: int, state: DocState) -> Order:
    with database.atomic():
        return Order.create(woo_id=woo_id, number=str(woo_id), status="processing",
                            total=Decimal("10.00"), state=state, created_at=clock.now(),
                            updated_at=clock.now())


def test_every_state_has_a_row_in_each_lifecycle_and_moves_stay_inside_the_states() -> None:
    names = {str(s) for s in DocState}
    for lifecycle in (ORDER_LIFECYCLE, REFUND_LIFECYCLE):
        assert set(lifecycle.moves) == names, lifecycle.name
        assert all(to <= names for to in lifecycle.moves.values()), lifecycle.name
    assert set(JOB_LIFECYCLE.moves) == {str(s) for s in JobStatus}


@pytest.mark.parametrize("lifecycle,current,new,ok", [
    (ORDER_LIFECYCLE, DocState.NEW, DocState.READY, True),
    (ORDER_LIFECYCLE, DocState.READY, DocState.POSTING, True),
    (ORDER_LIFECYCLE, DocState.POSTING, DocState.POSTED, True),
    (ORDER_LIFECYCLE, DocState.POSTED, DocState.VERIFIED, True),
    (ORDER_LIFECYCLE, DocState.VERIFIED, DocState.VOID, True),
    (ORDER_LIFECYCLE, DocState.HELD, DocState.NEW, True),  # replayed
    (ORDER_LIFECYCLE, DocState.HELD, DocState.HELD, True),  # held again, another reason
    (ORDER_LIFECYCLE, DocState.VOID, DocState.POSTED, False),  # a voided invoice stays void
    (ORDER_LIFECYCLE, DocState.VERIFIED, DocState.READY, False),  # never mapped again
    (ORDER_LIFECYCLE, DocState.VERIFIED, DocState.NEW, False),  # only held/failed replay
    (ORDER_LIFECYCLE, DocState.NEW, DocState.POSTING, False),  # the number comes first
    (REFUND_LIFECYCLE, DocState.VERIFIED, DocState.HELD, False),
    (REFUND_LIFECYCLE, DocState.SKIPPED, DocState.READY, False),
    (REFUND_LIFECYCLE, DocState.NEW, DocState.VOID, False),  # refunds are never voided
    (JOB_LIFECYCLE, JobStatus.DONE, JobStatus.LEASED, False),  # a done job is enqueued first
    (JOB_LIFECYCLE, JobStatus.LEASED, JobStatus.DONE, True),
])
def test_allowed_and_illegal_moves(lifecycle: Any, current: str, new: str, ok: bool) -> None:
    assert lifecycle.allows(current, new) is ok
    if ok:
        lifecycle.check(current, new, what="x")
    else:
        with pytest.raises(IllegalTransition, match=f"from {current} to {new}"):
            lifecycle.check(current, new, what="x")


def test_an_illegal_change_is_refused_by_the_stored_row_and_leaves_no_trace(state_db) -> None:
    clock = ManualClock()
    ctx = _ctx(clock)
    order = _order(clock, 41, DocState.VOID)
    events = AuditEvent.select().count()
    with pytest.raises(IllegalTransition, match="order 41 cannot move from void to ready"):
        change(ctx, order, "mapped", "should not happen", state=DocState.READY,
               gp_doc_number="WC41")
    fresh = Order.get_by_id(order.id)
    assert fresh.state == DocState.VOID and fresh.gp_doc_number is None
    assert AuditEvent.select().count() == events  # the audit event rolled back with it
    # A copy of the row that is out of date does not get a move past the database: the guard
    # reads the stored state, not the caller's.
    stale = _order(clock, 42, DocState.NEW)
    with database.atomic():
        Order.update(state=DocState.VERIFIED).where(Order.id == stale.id).execute()
    assert stale.state == DocState.NEW
    with pytest.raises(IllegalTransition, match="from verified to ready"):
        change(ctx, stale, "mapped", "x", state=DocState.READY)
    # A legal move goes through, with its event.
    moved = change(ctx, _order(clock, 43, DocState.NEW), "mapped", "mapped", state=DocState.READY)
    assert Order.get_by_id(moved.id).state == DocState.READY == moved.state
    assert [e.kind for e in audit.timeline("order", 43)] == ["mapped"]


def test_job_moves_are_guarded_too(state_db) -> None:
    clock = ManualClock()
    with database.atomic():
        queue.enqueue("post_order", "order:1", clock=clock)
    job = Job.get()
    with pytest.raises(IllegalTransition, match="job .* from queued to done"), database.atomic():
        move(Job, job.id, JOB_LIFECYCLE, JobStatus.DONE, what=f"job {job.key}", column="status")
    assert Job.get_by_id(job.id).status == JobStatus.QUEUED


def test_migration_3_takes_the_applied_status_change_from_the_audit_trail(state_db) -> None:
    clock = ManualClock()
    held = _order(clock, 51, DocState.VERIFIED)
    untouched = _order(clock, 52, DocState.VERIFIED)
    with database.atomic():
        audit.record("order", 51, "status_updated", "on hold", actor="t", clock=clock,
                     data={"status": "on-hold", "action": "hold"})
        audit.record("order", 51, "posted", "not a status change", actor="t", clock=clock,
                     data={"status": "x", "action": "y"})
        # A database from before migration 3: the columns are empty, the version is 2.
        Order.update(status_applied=None, status_action=None).execute()
        set_schema_version(database, 2)  # PRAGMA user_version on SQLite
    assert migrate_to_latest(database) == LATEST
    h, u = Order.get_by_id(held.id), Order.get_by_id(untouched.id)
    assert (h.status_applied, h.status_action) == ("on-hold", "hold")
    assert (u.status_applied, u.status_action) == (None, None)


def test_gp_errors_are_one_type_per_outcome_with_no_contradictions() -> None:
    refused = GPRefused("GP rejected invoice WC1", messages=["Subtotal does not match"],
                        log_id="0f6a2a4e-0000-4000-8000-000000000001")
    lost = GPUnknownOutcome("answer lost")
    busy = GPTransient("busy", retry_after=30.0, status=503)
    other = GPError("HTTP 404", status=404)
    flags = [(e.validation, e.transient, e.unknown_outcome) for e in (refused, lost, busy, other)]
    assert flags == [(True, False, False), (False, True, True), (False, True, False),
                     (False, False, False)]
    with pytest.raises(AttributeError):
        refused.transient = True  # type: ignore[misc]  # the outcome is the type, not a flag
    assert busy.retry_after == 30.0 and busy.status == 503
    assert queue.next_delay(1, refused) is None and queue.next_delay(1, other) is None
    assert queue.next_delay(1, lost) is not None and queue.next_delay(1, busy) is not None


def test_http_status_errors_carry_their_status_and_retry_after_from_construction() -> None:
    req = httpx.Request("POST", "https://gp.example/x")
    busy = status_error(httpx.Response(429, headers={"Retry-After": "120"}, request=req),
                        write=True, what="invoice WC1")
    assert type(busy) is GPTransient and busy.status == 429 and busy.retry_after == 120.0
    lost = status_error(httpx.Response(502, request=req), write=True, what="invoice WC1")
    assert type(lost) is GPUnknownOutcome and lost.status == 502
    gone = status_error(httpx.Response(404, request=req), write=False, what="invoice WC1")
    assert type(gone) is GPError and gone.status == 404 and not gone.transient


def test_retry_after_from_gp_is_honoured_by_the_retry_policy(state_db) -> None:
    clock = ManualClock()
    result = StepResult.later("GP is busy", cause=GPTransient("busy", retry_after=600.0))
    assert result.retry_after == 600.0
    assert StepResult.later("x", cause=GPRefused("no")).retry_after is None
    with database.atomic():
        queue.enqueue("post_order", "order:1", clock=clock)
        queue.enqueue("post_order", "order:2", clock=clock)
    jobs = queue.claim("w", limit=2, clock=clock)
    with database.atomic():
        asked = queue.retry_later(jobs[0].id, "w", "busy", transient=True, clock=clock,
                                  retry_after=result.retry_after)
        plain = queue.retry_later(jobs[1].id, "w", "busy", transient=True, clock=clock)
    assert asked is not None and plain is not None
    assert asked >= clock.now() + timedelta(seconds=600)
    assert plain <= clock.now() + timedelta(seconds=queue.BASE_DELAY_S)  # first backoff step


def test_refund_rows_share_the_lifecycle_guard(state_db) -> None:
    clock = ManualClock()
    order = _order(clock, 61, DocState.VERIFIED)
    with database.atomic():
        refund = Refund.create(woo_id=610, order=order.id, amount=Decimal("2.00"),
                               state=DocState.VERIFIED, created_at=clock.now(),
                               updated_at=clock.now())
    with pytest.raises(IllegalTransition, match="refund 610 cannot move from verified to held"):
        change(_ctx(clock), refund, "held", "x", state=DocState.HELD, hold_reason="totals")
