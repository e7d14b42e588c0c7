"""A snapshot dated far in the future does not freeze its order (issue 14 item 6): beyond now plus
the allowed skew a date orders nothing (the REST re-read decides) and the poll cursor never moves
past now plus the skew."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from core.clock import FUTURE_SKEW, ManualClock
from core.config import Settings
from core.intake.inbox import accept_order_snapshot, is_newer
from core.intake.poller import read_cursor, save_cursor
from core.pipeline.context import PipelineContext
from core.pipeline.post_order import store_fresh
from core.store.models import Order, PollCursor
from tests.core.intake_helpers import order_payload

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
FAR = "9999-12-31T23:59:59"


def test_a_far_future_snapshot_does_not_make_later_correct_ones_older(state_db):
    clock = ManualClock(NOW)
    assert accept_order_snapshot(order_payload(7, "2026-11-27T10:00:00", total="10.00"),
                                 source="webhook", clock=clock)
    # The bogus one is not trusted for ordering: the stored row stays, a re-read is queued.
    assert accept_order_snapshot(order_payload(7, FAR, total="1000000000000.00"),
                                 source="webhook", clock=clock)
    assert Order.get(Order.woo_id == 7).total == Decimal("10.00")
    assert accept_order_snapshot(order_payload(7, "2026-11-27T11:00:00", total="12.00"),
                                 source="webhook", clock=clock)
    assert Order.get(Order.woo_id == 7).total == Decimal("12.00")


def test_a_stored_far_future_snapshot_gives_way_to_the_next_one(state_db):
    clock = ManualClock(NOW)
    accept_order_snapshot(order_payload(8, FAR, total="1000000000000.00"), source="poll",
                          clock=clock)
    stored = Order.get(Order.woo_id == 8).modified_gmt
    assert is_newer(datetime(2026, 11, 27, 11, 0, tzinfo=UTC), stored, True, NOW)
    assert accept_order_snapshot(order_payload(8, "2026-11-27T11:00:00", total="12.00"),
                                 source="poll", clock=clock)
    row = Order.get(Order.woo_id == 8)
    assert row.total == Decimal("12.00") and row.modified_gmt.year == 2026


def test_the_rest_re_read_replaces_a_far_future_snapshot(state_db):
    clock = ManualClock(NOW)
    accept_order_snapshot(order_payload(9, FAR, total="1000000000000.00"), source="webhook",
                          clock=clock)
    ctx = PipelineContext(Settings(), gateway=None, woo=None, clock=clock)  # type: ignore[arg-type]
    fixed = store_fresh(ctx, Order.get(Order.woo_id == 9),
                        order_payload(9, "2026-11-27T11:30:00", total="12.00"))
    assert fixed.total == Decimal("12.00")


def test_the_poll_cursor_never_moves_past_now_plus_the_skew(state_db):
    clock = ManualClock(NOW)
    far = datetime(9999, 12, 31, tzinfo=UTC)
    assert save_cursor("orders", far, clock) == NOW + FUTURE_SKEW
    assert read_cursor("orders") == NOW + FUTURE_SKEW
    # A cursor an older version left in the future is pulled back to the latest real stamp.
    PollCursor.update(cursor=far).execute()
    clock.advance(minutes=1)
    assert save_cursor("orders", NOW, clock) == NOW
    assert save_cursor("orders", NOW - timedelta(hours=1), clock) == NOW  # otherwise never back
