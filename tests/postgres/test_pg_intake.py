"""Intake on PostgreSQL: the poller (cursor, overlap, the same-second check that reads inside the
database), webhooks and the inbox's ordering rules.

The tests are tests/core/test_poller.py's, test_intake.py's and test_intake_same_second.py's
own, imported unchanged; here their workspace keeps its state and vault in a fresh PostgreSQL
database (the key stays in the workspace's key folder).
"""
from __future__ import annotations

import httpx
import pytest

from core.clock import ManualClock
from core.config import Workspace
from core.secrets.keys import ENV_VAR
from core.secrets.vault import create_key, open_vault
from core.store.db import close_db, init_db, on_postgres
from core.woo.client import WooClient
from sandbox.woo import WooStandIn
from tests.core.test_intake import *  # noqa: F403
from tests.core.test_intake_same_second import *  # noqa: F403
from tests.core.test_poller import *  # noqa: F403
from tests.core.test_poller import T0, ShopClock


def _workspace_on(root, pg_url: str, clock: ManualClock | None = None):
    ws = Workspace.at(root)
    create_key(ws)
    init_db(pg_url, home=ws.db_path)
    assert on_postgres()
    return ws, open_vault(ws, clock=clock or ManualClock(), at=pg_url)


@pytest.fixture
def db(tmp_path, monkeypatch, pg_url):
    monkeypatch.delenv(ENV_VAR, raising=False)
    _workspace_on(tmp_path / "ws", pg_url)
    yield
    close_db()


@pytest.fixture
def env(tmp_path, monkeypatch, pg_url):
    monkeypatch.delenv(ENV_VAR, raising=False)
    shop_clock = ShopClock(T0)
    shop = WooStandIn(tmp_path / "shop", seed=5, clock=shop_clock, webhook_delay=0)
    shop.start()
    clock = ManualClock(T0)
    _, vault = _workspace_on(tmp_path / "ws", pg_url, clock)
    client = WooClient(shop.url, shop.consumer_key, shop.consumer_secret,
                       oauth_now=lambda: shop_clock().timestamp())
    control = httpx.Client(base_url=shop.url, timeout=60)
    yield shop, shop_clock, client, control, clock, vault
    control.close()
    client.close()
    shop.stop()
    close_db()
