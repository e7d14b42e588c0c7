"""Orders through intake -> post -> verify against the GP stand-in, the state on PostgreSQL.

The tests are the SQLite suite's own (tests/core/test_pipeline.py), imported unchanged; here
their `env` keeps its state in a fresh PostgreSQL database: the same stand-ins over loopback
HTTP with NTLM, the same runner with its posting threads (each with its own connection).
"""
from __future__ import annotations

import pytest

from core.store.db import close_db, on_postgres
from tests.core.pipeline_env import start_env
from tests.core.test_pipeline import (  # noqa: F401 - collected here with this module's env
    test_cancelled_order_voids_its_unposted_invoice_or_credits_a_posted_one,
    test_each_eligible_order_becomes_exactly_one_verified_invoice,
    test_refunds_become_credit_memos_linked_to_their_invoice,
    test_unknown_sku_holds_and_flags_until_mapped_then_posts,
)


@pytest.fixture
def env(tmp_path, pg_url):
    e = start_env(tmp_path, orders=24, seed=3, database=pg_url)
    assert on_postgres() and not e.ws.db_path.exists()
    yield e
    e.close()
    close_db()
