"""The console's queries (dashboard, order pages and search, problems, items) on PostgreSQL.

The tests are tests/tui/test_queries.py's own, imported unchanged; here their `shop` is the
same fixed shop seeded into a fresh PostgreSQL database.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from core.clock import ManualClock
from core.store.db import close_db, init_db, on_postgres
from tests.tui.conftest import clock  # noqa: F401 - the fixed clock the tests take
from tests.tui.seed import START, seed_shop
from tests.tui.test_queries import *  # noqa: F403


@pytest.fixture
def shop(pg_url: str, clock: ManualClock) -> Iterator[str]:  # noqa: F811
    init_db(pg_url)
    assert on_postgres()
    seed_shop(clock)
    clock.set(START + timedelta(hours=3))
    yield pg_url
    close_db()
