"""Issue 13 item 9, live reconciliation: days are the store's days. An order placed at 22:30 in
New York (03:30 UTC the next day) belongs to the New York day it was placed on; in UTC it
would move to the next. Against the WooCommerce and GP stand-ins (live_reconcile reads both)."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.reconcile_live import live_reconcile
from core.store.db import close_db
from tests.core.pipeline_env import start_env


@pytest.fixture
def env(tmp_path):
    e = start_env(tmp_path, orders=0, seed=5)
    yield e
    e.close()
    close_db()


def _place(env, when: datetime) -> int:
    order = env.shop.book.create({"status": "processing", "set_paid": True,
                                  "payment_method": "stripe",
                                  "billing": {"first_name": "Ann", "email": "ann@example.com"},
                                  "line_items": [{"sku": "SOCKS-3PK-WHT", "quantity": 1}]},
                                 when=when)
    return int(order["id"])


def test_live_reconciliation_groups_by_the_stores_day(env):
    late = _place(env, datetime(2026, 11, 27, 3, 30, tzinfo=UTC))  # 22:30 on the 26th in NY
    noon = _place(env, datetime(2026, 11, 27, 17, 0, tzinfo=UTC))  # 12:00 on the 27th in NY
    woo, gp = env.woo(), env.gateway()
    ny = live_reconcile(woo, gp, date(2026, 11, 26), date(2026, 11, 27),
                        posting=env.settings.posting, timezone="America/New_York")
    per_day = {r.day: r.woo_orders.count for r in ny.days()}
    assert per_day == {date(2026, 11, 26): 1, date(2026, 11, 27): 1}
    assert {e.woo_id: e.day for e in ny.explanations if e.kind == "order"} == {
        late: date(2026, 11, 26), noon: date(2026, 11, 27)}  # no invoice in GP: explained
    utc = live_reconcile(woo, gp, date(2026, 11, 27), date(2026, 11, 27),
                         posting=env.settings.posting, timezone="UTC")
    assert {r.day: r.woo_orders.count for r in utc.days()} == {date(2026, 11, 27): 2}
    only_26 = live_reconcile(woo, gp, date(2026, 11, 26), date(2026, 11, 26),
                             posting=env.settings.posting, timezone="America/New_York")
    assert [e.woo_id for e in only_26.explanations] == [late]
