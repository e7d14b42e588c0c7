"""Backfill: history since a date, with progress, resumable after an interruption."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from core.clock import ManualClock
from core.intake.backfill import backfill, cursor_name_for, parse_since
from core.secrets.keys import ENV_VAR
from core.store.db import close_db
from core.store.models import Order, PollCursor
from core.woo.client import WooClient
from sandbox.woo import WooStandIn
from tests.core.intake_helpers import make_vault

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    now = {"t": T0}
    shop = WooStandIn(tmp_path / "shop", seed=9, clock=lambda: now["t"], webhook_delay=0)
    shop.start()
    control = httpx.Client(base_url=shop.url, timeout=60)
    ids: list[int] = []
    for day in range(-3, 4):  # 7 days, 40 orders a day
        now["t"] = T0 + timedelta(days=day)
        ids += control.post("/_sandbox/activity", json={"orders": 40}).json()["orders"]
    clock = ManualClock(T0 + timedelta(days=5))
    make_vault(tmp_path / "ws", clock)
    client = WooClient(shop.url, shop.consumer_key, shop.consumer_secret,
                       oauth_now=lambda: now["t"].timestamp())
    yield client, clock, ids
    client.close()
    control.close()
    shop.stop()
    close_db()


def test_parse_since():
    assert parse_since("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_since("2026-11-01T08:30:00+01:00") == datetime(2026, 11, 1, 7, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="--since"):
        parse_since("yesterday")


def test_backfill_imports_everything_since_the_date_with_progress(env):
    client, clock, ids = env
    updates = []
    result = backfill(client, T0, clock=clock, per_page=50, progress=updates.append)
    expected = ids[3 * 40:]  # the day of T0 and after
    assert (result.seen, result.changed, result.complete) == (160, 160, True)
    assert {o.woo_id for o in Order.select()} == set(expected)
    assert updates[0].seen == 50 and updates[0].remaining == 110
    assert updates[-1].seen == 160
    assert {o.state for o in Order.select()} == {"new"}


def test_interrupted_backfill_resumes_where_it_stopped(env):
    client, clock, ids = env
    pages = {"n": 0}

    def stop_after_two() -> bool:
        pages["n"] += 1
        return pages["n"] > 2
    first = backfill(client, T0, clock=clock, per_page=50, should_stop=stop_after_two)
    assert not first.complete and first.pages == 2
    assert 50 < first.seen == Order.select().count() < 160
    assert PollCursor.get_by_id(cursor_name_for(T0)).cursor is not None
    sent = client.requests_sent
    second = backfill(client, T0, clock=clock, per_page=50)
    assert second.complete and Order.select().count() == 160
    assert second.changed == 160 - first.seen
    assert client.requests_sent - sent <= 3  # it did not start over
    # another --since is its own walk (and takes in the older days)
    older = backfill(client, T0 - timedelta(days=3), clock=clock, per_page=100)
    assert older.changed == 120 and Order.select().count() == 280
