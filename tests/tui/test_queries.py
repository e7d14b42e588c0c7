"""core/queries.py: the console's read-only questions, on a real SQLite database."""
from __future__ import annotations

from datetime import date, timedelta

from core import queries
from core.clock import ManualClock
from core.store.db import database
from core.store.models import Order, WorkerLease


def test_dashboard_counts_queues_and_orders_attention_by_urgency(shop, clock: ManualClock):
    board = queries.dashboard(clock)
    assert board.incoming == 2  # 1009 new, 1011 ready
    assert board.held == {"gl": 1, "sku": 3}
    assert board.failed == 1
    assert board.posted_today == 5
    assert board.credit_memos_today == 1
    assert board.flagged_skus == 2
    assert sum(board.throughput) == 5 and len(board.throughput) == 12
    assert board.throughput[-4:] == [3, 2, 0, 0]  # posted 09:00-10:17, the clock is at 12:00
    assert board.attention[0].startswith("No worker is running")
    assert board.attention[1].startswith("1 order(s) failed")
    assert "3 order(s) wait on 2 flagged SKU(s)" in board.attention[2]


def test_worker_status_reads_the_lease_and_its_age(shop, clock: ManualClock):
    now = clock.now()
    with database.atomic():
        WorkerLease.create(name="worker", holder="office:42:x", host="office", pid=42,
                           mode="headless", started_at=now - timedelta(hours=1),
                           heartbeat_at=now - timedelta(seconds=9),
                           expires_at=now + timedelta(seconds=51),
                           status={"last_poll_at": "2026-11-27T11:58:00+00:00",
                                   "webhook_health": "active"})
    status = queries.worker_status(clock)
    assert status is not None and status.alive and status.mode == "headless"
    assert status.heartbeat_age_s == 9
    assert status.last_poll_at is not None and status.last_poll_at.minute == 58
    assert not queries.dashboard(clock).attention[0].startswith("No worker")
    clock.advance(seconds=60)
    assert not queries.worker_status(clock).alive


def test_order_pages_are_keyset_ordered_and_complete(shop):
    seen: list[int] = []
    page = queries.order_page(limit=5)
    while True:
        seen.extend(r.woo_id for r in page.rows)
        if page.next_cursor is None:
            break
        page = queries.order_page(after=page.next_cursor, limit=5)
    assert seen == list(range(1012, 1000, -1))  # newest change first, each once


def test_order_filters_by_state_sku_customer_text_and_date(shop):
    def ids(**kw):
        return [r.woo_id for r in queries.order_page(queries.OrderFilter(**kw)).rows]

    assert ids(state="held:sku") == [1006, 1005, 1004]
    assert ids(state="failed") == [1007]
    assert ids(sku="WOOL-SOCK") == [1005, 1004]
    assert ids(customer="noah") == sorted([w for w in range(1001, 1013) if w % 6 == 1],
                                          reverse=True)
    assert ids(text="1010") == [1010]
    assert ids(text="WC1003") == [1003]
    assert ids(date_from=date(2026, 11, 28)) == []
    assert len(ids(date_from=date(2026, 11, 27), date_to=date(2026, 11, 27))) == 12
    assert ids(text="100%") == []  # LIKE wildcards are taken literally


def test_orders_by_id_returns_fresh_rows_for_changed_cells(shop):
    order = Order.get(Order.woo_id == 1009)
    with database.atomic():
        Order.update(state="posted").where(Order.id == order.id).execute()
    assert queries.orders_by_id([order.id])[order.id].state == "posted"


def test_problems_list_reason_gp_message_and_advice(shop):
    rows = queries.problems()
    assert [r.woo_id for r in rows] == [1004, 1005, 1006, 1007, 1008]
    failed = [r for r in rows if r.reason == "failed"][0]
    assert failed.gp_message == "GP: Customer NOAHSTONE is on credit hold"
    assert "GP refused" in failed.advice
    assert [r.woo_id for r in queries.problems("gl")] == [1008]
    assert queries.problem_counts() == {"sku": 3, "gl": 1, "failed": 1}


def test_change_marker_moves_when_an_order_changes(shop, clock: ManualClock):
    before = queries.change_marker()
    assert queries.change_marker() == before
    with database.atomic():
        Order.update(updated_at=clock.now()).where(Order.woo_id == 1009).execute()
    assert queries.change_marker() != before


def test_search_items_finds_by_number_or_description(shop):
    assert [i.item_number for i in queries.search_items("tee")] == ["BLU-TEE-L", "BLU-TEE-M"]
    assert [i.item_number for i in queries.search_items("mug")] == ["MUG-ENAMEL"]
