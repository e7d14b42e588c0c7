"""More of the SQLite suite's own store tests, run unchanged on PostgreSQL: document states and
their moves (migration 3's backfill from the audit trail included), the state store's
transactions, future dates and webhook delivery retention. Here `state_db` is a fresh
PostgreSQL database (conftest.py); the one SQLite-only test (its pragmas and user_version) is
left out.
"""
from __future__ import annotations

import pytest

from core.store.db import on_postgres
from tests.core import test_state_store
from tests.core.test_delivery_retention import *  # noqa: F403
from tests.core.test_future_dates import *  # noqa: F403
from tests.core.test_state_store import *  # noqa: F403
from tests.core.test_states import *  # noqa: F403

# SQLite's own: PRAGMA journal_mode, synchronous, user_version.
del test_pragmas_and_schema_version  # noqa: F821
assert hasattr(test_state_store, "test_pragmas_and_schema_version")


@pytest.fixture(autouse=True)
def _on_postgresql(state_db: object) -> None:
    assert on_postgres(), "these tests must run on PostgreSQL"
