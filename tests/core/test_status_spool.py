"""Issue 14: `status` shows the receiver's spool (deliveries acknowledged while the database was
busy, not yet imported) and what it means; `status --json` too. Before this, a spooled delivery
was invisible to `status` while /healthz said 503."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.config import Workspace
from core.intake.delivery_writer import DeliveryWriter
from core.intake.spool import Spool, spool_dir_for
from core.secrets.keys import ENV_VAR
from core.store.db import close_db, init_db
from core.store.models import WebhookDelivery
from tui.cli import main
from tui.commands.common import WORKSPACE_ENV


@pytest.fixture
def ws_dir(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.delenv(WORKSPACE_ENV, raising=False)
    ws_dir = tmp_path / "ws"
    assert main(["init", "--workspace", str(ws_dir), "--non-interactive",
                 "--woo-url", "https://shop.example.com"]) == 0
    yield ws_dir
    close_db()


def _spool_two(db_path: Path) -> None:
    spool = Spool(spool_dir_for(db_path))
    for woo_id in (501, 502):
        spool.put({"received_at": datetime(2026, 11, 27, 10, tzinfo=UTC),
                   "topic": "order.updated", "resource": "order", "event": "updated",
                   "webhook_id": "1", "delivery_id": f"d{woo_id}", "source": None,
                   "verdict": "accepted", "reject_reason": None, "resource_id": woo_id,
                   "body": json.dumps({"id": woo_id}).encode()})


def _status(ws_dir: Path, capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["status", "--workspace", str(ws_dir), *args])
    return code, capsys.readouterr().out


def test_status_counts_the_spool_and_says_what_it_means(ws_dir, capsys):
    db_path = Workspace.at(ws_dir).db_path
    code, out = _status(ws_dir, capsys, "--json")
    report = json.loads(out)
    assert code == 0 and report["spool"]["waiting"] == 0
    assert "spool.waiting" in report["definitions"]
    _, text = _status(ws_dir, capsys)
    assert "Spool:     empty" in text

    _spool_two(db_path)
    code, out = _status(ws_dir, capsys, "--json", "--check")
    report = json.loads(out)
    assert code == 1  # needs attention: nothing is importing them
    assert report["spool"]["waiting"] == 2 and report["spool"]["oldest_at"]
    assert any("2 webhook deliveries acknowledged" in a and "No worker is running" in a
               for a in report["attention"]), report["attention"]
    _, text = _status(ws_dir, capsys)
    assert "Spool:     2 acknowledged deliveries not yet in the database" in text
    assert "ml-connector worker" in text

    # The receiver's importer takes them in: the spool is empty again, the rows are there.
    init_db(db_path)
    assert DeliveryWriter().import_spool() == 2
    assert {d.resource_id for d in WebhookDelivery.select()} == {501, 502}
    close_db()
    code, out = _status(ws_dir, capsys, "--json", "--check")
    report = json.loads(out)
    assert report["spool"]["waiting"] == 0
    assert not any("spool" in a for a in report["attention"])
