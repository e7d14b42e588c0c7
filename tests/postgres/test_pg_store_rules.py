"""The job queue's and the worker lease's own tests, run unchanged on PostgreSQL.

Every test below is the SQLite suite's (tests/core/test_queue.py, tests/core/test_lease.py),
imported as it is: here `state_db` is a fresh PostgreSQL database (tests/postgres/conftest.py),
so the same rules (one claim per job, one customer group at a time, the lease's takeover and
fencing) are proven on both engines by the same assertions.
"""
from __future__ import annotations

import pytest

from core.store.db import on_postgres
from tests.core.test_lease import *  # noqa: F403
from tests.core.test_queue import *  # noqa: F403


@pytest.fixture(autouse=True)
def _on_postgresql(state_db: object) -> None:
    assert on_postgres(), "these tests must run on PostgreSQL"
